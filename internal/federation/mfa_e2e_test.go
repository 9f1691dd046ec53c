package federation_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/pool"
)

var (
	mfaSecret = regexp.MustCompile(`<code id="totpSecret"[^>]*>([^<]+)</code>`)
	mfaAction = regexp.MustCompile(`<form method="post" action="([^"]+)" id="mfaForm"`)
)

// TestFederatedSignInInMFAPool: in a pool that requires MFA, a sign-in
// at an identity provider does not reach the client until the user has
// set up and used a second factor; the next one asks for its code.
func TestFederatedSignInInMFAPool(t *testing.T) {
	s := newSessionEnv(t, func(p *pool.Pool) {
		p.MFA = pool.MFAConfig{Mode: pool.MFAOn, SoftwareToken: true}
	})
	s.client, s.secret = s.social, s.socialSecret
	authURL := s.authorizeURL("identity_provider", pool.ProviderGoogle)

	b := newBrowser(t)
	got := b.run(t, authURL)
	if got.Callback != nil || got.Status != http.StatusOK || !strings.Contains(got.Body, `id="totpQRCode"`) {
		t.Fatalf("federated sign-in in an ON pool ended with %d %v, want the MFA set-up page:\n%.800s", got.Status, got.Callback, got.Body)
	}
	m := mfaSecret.FindStringSubmatch(got.Body)
	if m == nil {
		t.Fatal("no key on the set-up page")
	}
	secret := strings.ReplaceAll(html.UnescapeString(m[1]), " ", "")
	got = s.submitMFA(t, b, got.Body, secret, 0)
	s.exchange(t, got.Callback)
	silent(t, b, s.authorizeURL())

	// The next sign-in at the provider asks for the app's code.
	b2 := newBrowser(t)
	got = b2.run(t, authURL)
	if got.Callback != nil || !strings.Contains(got.Body, `id="mfaCode"`) || strings.Contains(got.Body, "totpQRCode") {
		t.Fatalf("second federated sign-in ended with %d %v, want the code prompt", got.Status, got.Callback)
	}
	// The code of the set-up's time step was used: the next step's code
	// (accepted one step ahead) signs in.
	s.exchange(t, s.submitMFA(t, b2, got.Body, secret, 30*time.Second).Callback)
}

// submitMFA posts the MFA form of page with the app's code of the time
// ahead of now.
func (s *sessionEnv) submitMFA(t *testing.T, b *browser, page, secret string, ahead time.Duration) end {
	t.Helper()
	m := mfaAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no MFA form in:\n%.800s", page)
	}
	code, err := totp.GenerateCode(secret, time.Now().Add(ahead))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.base + "/")
	action, err := u.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return b.post(t, action.String(), url.Values{"_csrf": {s.csrf(t, b)}, "code": {code}})
}
