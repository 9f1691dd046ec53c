package mail

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/locales"
)

// TestTemplateKeysExist checks that every catalog key the mail templates
// and Compose use exists in every catalog.
func TestTemplateKeysExist(t *testing.T) {
	var keys []string
	for _, tpl := range textTemplates.Templates() {
		keys = append(keys, keysIn(tpl.Tree.Root.String())...)
	}
	for _, tpl := range htmlTemplates.Templates() {
		if tpl.Tree != nil {
			keys = append(keys, keysIn(tpl.Tree.Root.String())...)
		}
	}
	for _, k := range []Kind{SignUpCode, ResetCode, VerifyCode, SignUpAttempt, MFACode, SignInCode, Invitation} {
		if subjects[k] == "" {
			t.Errorf("mail %s has no subject key", k)
		}
		keys = append(keys, subjects[k])
	}
	keys = append(keys, "duration.days", "duration.hours", "duration.minutes")
	if len(keys) < 10 {
		t.Fatalf("found only %d keys; extraction is broken", len(keys))
	}
	for _, cat := range locales.All() {
		for _, k := range keys {
			if !cat.Has(k) {
				t.Errorf("catalog %s lacks key %q", cat.Lang(), k)
			}
		}
	}
}

// keysIn extracts the literal keys of {{.T "key"}} actions.
func keysIn(src string) []string {
	var keys []string
	for {
		i := strings.Index(src, `.T "`)
		if i < 0 {
			return keys
		}
		src = src[i+4:]
		j := strings.IndexByte(src, '"')
		if j < 0 {
			return keys
		}
		keys = append(keys, src[:j])
		src = src[j:]
	}
}
