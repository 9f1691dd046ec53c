package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestPoolMessages sets, shows, replaces and removes a pool's own wording
// of messages with --message and --messages-file.
func TestPoolMessages(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool("--message", "en:login.submit=Log in, please", "--message", "zh-CN:login.intro=欢迎使用 {pool}")
	want := map[string]map[string]string{"en": {"login.submit": "Log in, please"}, "zh-CN": {"login.intro": "欢迎使用 {pool}"}}
	if !equalMessages(p.Branding.Messages, want) {
		t.Fatalf("created with %v, want %v", p.Branding.Messages, want)
	}
	if show := h.ok("pool", "show", "--pool", p.ID); !strings.Contains(show, "en: 1, zh-CN: 1") {
		t.Errorf("pool show does not summarise the messages:\n%s", show)
	}

	h.ok("pool", "update", "--pool", p.ID, "--message", "en:login.submit=", "--message", "en:login.forgot=Lost it?")
	got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID)
	want = map[string]map[string]string{"en": {"login.forgot": "Lost it?"}, "zh-CN": {"login.intro": "欢迎使用 {pool}"}}
	if !equalMessages(got.Branding.Messages, want) {
		t.Errorf("after update %v, want %v", got.Branding.Messages, want)
	}

	file := filepath.Join(t.TempDir(), "messages.json")
	if err := os.WriteFile(file, []byte(`{"zh-CN": {"login.submit": "进入"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	h.fails(1, "invalid Branding.Messages", "pool", "update", "--pool", p.ID, "--messages-file", file, "--message", "zh-CN:login.intro=没有占位符")
	if !equalMessages(okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID).Branding.Messages, want) {
		t.Error("a rejected update changed the messages")
	}
	h.ok("pool", "update", "--pool", p.ID, "--messages-file", file)
	got = okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID)
	if want := map[string]map[string]string{"zh-CN": {"login.submit": "进入"}}; !equalMessages(got.Branding.Messages, want) {
		t.Errorf("after --messages-file %v", got.Branding.Messages)
	}
	h.ok("pool", "update", "--pool", p.ID, "--messages-file", "")
	if got := okJSON[pool.Pool](h, "pool", "show", "--pool", p.ID); got.Branding.Messages != nil {
		t.Errorf("--messages-file \"\" left %v", got.Branding.Messages)
	}
	if err := os.WriteFile(file, []byte(`{"zh-CN": "进入"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	h.fails(2, "--messages-file", "pool", "update", "--pool", p.ID, "--messages-file", file)
	h.fails(2, "--message", "pool", "update", "--pool", p.ID, "--message", "login.submit")
}

func equalMessages(a, b map[string]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for lang, m := range a {
		if len(m) != len(b[lang]) {
			return false
		}
		for k, v := range m {
			if b[lang][k] != v {
				return false
			}
		}
	}
	return true
}
