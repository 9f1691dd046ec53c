package hostedui

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/web"
)

// TestFederationCookieAttributes: the state cookie of a sign-in at a
// provider is HttpOnly and scoped to the pool; over https it is Secure
// and SameSite=None (Apple's form_post and SAML's POST binding come back
// cross-site), over plain http Lax (browsers refuse None without
// Secure); clearing it expires it.
func TestFederationCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		base, basePath, path string
		secure               bool
		sameSite             http.SameSite
	}{
		{"https://auth.example.com", "", "/", true, http.SameSiteNoneMode},
		{"http://localhost:8080/us-east-1_AbC123xyz", "/us-east-1_AbC123xyz", "/us-east-1_AbC123xyz", false, http.SameSiteLaxMode},
	} {
		rec := httptest.NewRecorder()
		c := &call{w: rec, r: httptest.NewRequest(http.MethodGet, "/", nil), t: web.Target{Base: tc.base, BasePath: tc.basePath}}
		name := federation.StateCookieName("round-trip")
		c.setFederationCookie(name, "sealed", time.Now().Add(federation.StateTTL))
		c.setFederationCookie(name, "", time.Time{})
		cookies := (&http.Response{Header: rec.Header()}).Cookies()
		if len(cookies) != 2 {
			t.Fatalf("%s: %d cookies", tc.base, len(cookies))
		}
		set, cleared := cookies[0], cookies[1]
		if set.Name != name || set.Value != "sealed" || !set.HttpOnly || set.Secure != tc.secure ||
			set.SameSite != tc.sameSite || set.Path != tc.path || set.MaxAge <= 0 || set.MaxAge > int(federation.StateTTL.Seconds()) {
			t.Fatalf("%s: cookie %+v", tc.base, set)
		}
		if cleared.Name != name || cleared.Value != "" || cleared.MaxAge >= 0 || cleared.Path != tc.path {
			t.Fatalf("%s: cleared cookie %+v", tc.base, cleared)
		}
	}
}
