package attack_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestPKCEDowngradeRefused protects PKCE (RFC 7636, RFC 9700 §2.1.1): a
// code issued for an S256 challenge is never exchanged without the
// verifier or with a wrong one, and the failed attempt burns the code, so
// the verifier cannot be guessed; a verifier is refused for a code issued
// without a challenge; the plain method is refused at authorize.
func TestPKCEDowngradeRefused(t *testing.T) {
	tg := newTarget(t, targetOptions{})
	b := tg.browser(t)
	b.signIn(tg.authQuery())
	verifier := oauth2.GenerateVerifier()
	s256 := func() string {
		return b.authorize(tg.authQuery("code_challenge", oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method", "S256"))
	}

	t.Run("S256 code without verifier", func(t *testing.T) {
		code := s256()
		expectInvalidGrant(t, tg.exchange(t, code, ""))
		expectInvalidGrant(t, tg.exchange(t, code, verifier)) // burnt
	})
	t.Run("S256 code with a wrong verifier", func(t *testing.T) {
		code := s256()
		expectInvalidGrant(t, tg.exchange(t, code, oauth2.GenerateVerifier()))
		expectInvalidGrant(t, tg.exchange(t, code, verifier))
	})
	t.Run("S256 code with the challenge as verifier", func(t *testing.T) {
		code := s256()
		expectInvalidGrant(t, tg.exchange(t, code, oauth2.S256ChallengeFromVerifier(verifier)))
	})
	t.Run("S256 code with a near-miss verifier", func(t *testing.T) {
		near := []byte(verifier)
		near[len(near)-1] ^= 1
		expectInvalidGrant(t, tg.exchange(t, s256(), string(near)))
	})
	t.Run("verifier for a code issued without challenge", func(t *testing.T) {
		code := b.authorize(tg.authQuery())
		expectInvalidGrant(t, tg.exchange(t, code, verifier))
		expectInvalidGrant(t, tg.exchange(t, code, "")) // burnt
	})
	for _, c := range []struct{ name, method, challenge string }{
		{"plain method", "plain", verifier},
		{"lower-case s256", "s256", oauth2.S256ChallengeFromVerifier(verifier)},
		{"challenge without method", "", oauth2.S256ChallengeFromVerifier(verifier)},
		{"method without challenge", "S256", ""},
		{"short challenge", "S256", "abc"},
	} {
		t.Run("authorize refuses "+c.name, func(t *testing.T) {
			r := b.get("/oauth2/authorize?" + tg.authQuery("code_challenge", c.challenge, "code_challenge_method", c.method).Encode())
			u, err := url.Parse(r.Location)
			if r.Status != http.StatusFound || err != nil || !strings.HasPrefix(r.Location, alexaRedirect+"?") {
				t.Fatalf("want an error redirect to the client, got %d %q", r.Status, r.Location)
			}
			if u.Query().Get("error") != "invalid_request" || u.Query().Has("code") || u.Query().Get("state") != "alexa-state" {
				t.Fatalf("redirect %q, want error=invalid_request with the state and no code", r.Location)
			}
		})
	}
	// The positive control: the right verifier works once.
	if tr := tg.exchange(t, s256(), verifier); tr.Status != http.StatusOK || tr.AccessToken == "" {
		t.Fatalf("S256 exchange with the right verifier: %+v", tr)
	}
}

func expectInvalidGrant(t *testing.T, tr tokenReply) {
	t.Helper()
	if tr.Status != http.StatusBadRequest || tr.Error != "invalid_grant" || tr.AccessToken != "" || tr.RefreshToken != "" {
		t.Fatalf("token endpoint: %+v, want 400 invalid_grant and no tokens", tr)
	}
}
