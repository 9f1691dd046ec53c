package apptest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// recordingTB stands in for a test so that a skip or failure can be
// observed instead of ending the calling test.
type recordingTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recordingTB) Skipf(f string, a ...any)  { r.skip = fmt.Sprintf(f, a...) }

// TestMissing: a missing dependency skips locally and fails under
// CI=true, saying what is missing either way.
func TestMissing(t *testing.T) {
	t.Setenv("CI", "")
	r := &recordingTB{TB: t}
	apptest.Missing(r, "no %s here", "widget")
	if r.skip != "no widget here" || r.fatal != "" {
		t.Errorf("without CI: skip %q, fatal %q", r.skip, r.fatal)
	}
	t.Setenv("CI", "true")
	r = &recordingTB{TB: t}
	apptest.Missing(r, "no %s here", "widget")
	if r.skip != "" || !strings.HasPrefix(r.fatal, "no widget here") || !strings.Contains(r.fatal, "CI=true") {
		t.Errorf("under CI=true: skip %q, fatal %q", r.skip, r.fatal)
	}
}

// TestKeyGeneratorDistinct: one generator never hands out a key twice,
// and a new generator reuses the process's keys.
func TestKeyGeneratorDistinct(t *testing.T) {
	for _, alg := range []string{pool.AlgRS256, pool.AlgES256} {
		gen := apptest.KeyGenerator()
		seen := map[string]bool{}
		for range 4 {
			k, err := gen(alg)
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprint(k.Public())
			if seen[id] {
				t.Fatalf("%s: a key handed out twice", alg)
			}
			seen[id] = true
		}
		k, err := apptest.KeyGenerator()(alg)
		if err != nil {
			t.Fatal(err)
		}
		if !seen[fmt.Sprint(k.Public())] {
			t.Errorf("%s: a new generator generated a new key instead of reusing the stock", alg)
		}
	}
	if _, err := apptest.KeyGenerator()("HS256"); err == nil {
		t.Error("HS256 key handed out")
	}
}

// TestLogNoSecrets: FindSecret finds a secret in a log and names only
// its start.
func TestLogNoSecrets(t *testing.T) {
	var l apptest.Log
	l.Logger().Info("signed in", "user", "alice")
	l.Secret("hunter2-correct-horse", "")
	if err := apptest.FindSecret(l.String(), "hunter2-correct-horse"); err != nil {
		t.Fatalf("clean log: %v", err)
	}
	l.Logger().Debug("oops", "password", "hunter2-correct-horse")
	err := apptest.FindSecret(l.String(), "hunter2-correct-horse")
	if err == nil || strings.Contains(err.Error(), "correct") {
		t.Fatalf("leaked secret: %v", err)
	}
}

// TestMailboxRefusesInvalid: the mailbox refuses what a real sender
// refuses and keeps the rest.
func TestMailboxRefusesInvalid(t *testing.T) {
	var m apptest.Mailbox
	ctx := context.Background()
	if err := m.Send(ctx, mail.Message{To: "a@example.com\r\nBcc: b@example.com", Text: "x"}); err == nil {
		t.Error("header injection accepted")
	}
	if err := m.Send(ctx, mail.Message{To: "a@example.com", Subject: "Code", Text: "Your code is 123456."}); err != nil {
		t.Fatal(err)
	}
	if n := m.Count("a@example.com"); n != 1 {
		t.Fatalf("%d mails", n)
	}
	if c := m.LastCode(t, "a@example.com"); c != "123456" {
		t.Errorf("code %q", c)
	}
}

// TestNewServesApp: New serves the app on a loopback port with a pool
// and client whose secret the log must never show.
func TestNewServesApp(t *testing.T) {
	a := apptest.New(t)
	p := a.Pool(t, "eu-west-1", "kit")
	c, secret := a.Client(t, p, "web", []string{"http://localhost:4000/cb"})
	resp, err := http.Get(a.URL + "/" + p.ID + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jwks: %d", resp.StatusCode)
	}
	if c.ID == "" || secret == "" {
		t.Fatal("no client")
	}
	a.Log.NoSecrets(t)
}

// TestMailboxSeesQueuedMail: a mail the app has queued in its outbox is
// in the mailbox as soon as a test reads it, although the outbox
// delivers after the request is answered.
func TestMailboxSeesQueuedMail(t *testing.T) {
	a := apptest.New(t)
	for i := range 20 {
		to := fmt.Sprintf("u%d@example.com", i)
		m, err := mail.Compose(mail.Content{Kind: mail.SignUpCode, To: to, Code: "123456", PoolName: "P"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.App.Mail.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if got := a.Mail.Count(to); got != 1 {
			t.Fatalf("mails to %s right after the outbox took it: %d, want 1", to, got)
		}
	}
}

// TestFreeAddrNeverRepeats: the addresses FreeAddr hands out in one test
// process are distinct, though the system may offer a port it just
// freed again (a server's two listeners given one port fail to start).
func TestFreeAddrNeverRepeats(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		a := apptest.FreeAddr(t)
		if seen[a] {
			t.Fatalf("FreeAddr returned %s twice", a)
		}
		seen[a] = true
	}
}
