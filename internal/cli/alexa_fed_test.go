package cli

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// TestAlexaLinkThroughUpstreamPool: on `serve --demo`, a second pool
// made with the CLI is the demo pool's OpenID Connect provider
// "Upstream"; `alexa link --identity-provider Upstream` follows its
// button on the demo's sign-in page, fills the upstream pool's hosted
// form with --username and LINKPOOL_PASSWORD, and links the federated
// user, whose lamps the directives then drive.
func TestAlexaLinkThroughUpstreamPool(t *testing.T) {
	if testing.Short() {
		t.Skip("Alexa simulator end-to-end test: -short")
	}
	l := newAlexaLab(t)
	h := l.h
	demoBase := l.s.url + "/" + l.demo.PoolID
	// RS256: the federation client takes RS256 ID tokens only (see
	// alexasim TestLinkThroughES256Upstream).
	up := h.createPool("--name", "Upstream", "--signing-alg", "RS256")
	cv := okJSON[clientView](h, "client", "create", "--pool", up.ID, "--name", "demo-pool", "--generate-secret",
		"--callback-url", demoBase+"/oauth2/idpresponse", "--flows", "code", "--scopes", "openid,email")
	const upPassword = "Upstr3am-Pass!"
	h.ok("user", "create", "--pool", up.ID, "--username", "henry", "--password", upPassword, "--permanent",
		"--email", "henry@upstream.example", "--email-verified")
	secretFile := t.TempDir() + "/secret"
	if err := os.WriteFile(secretFile, []byte(cv.ClientSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("idp", "create", "--pool", l.demo.PoolID, "--name", "Upstream", "--type", "OIDC",
		"--detail", "client_id="+cv.ID, "--detail-file", "client_secret="+secretFile,
		"--detail", "authorize_scopes=openid email", "--detail", "oidc_issuer="+l.s.url+"/"+up.ID,
		"--detail", "attributes_request_method=GET", "--map", "email=email")
	h.ok("client", "update", "--client", l.demo.ClientID, "--identity-providers", "COGNITO,Upstream")

	// The server reads configuration through a cache it refreshes: wait
	// until the demo's sign-in page offers the provider.
	q := url.Values{"client_id": {l.demo.ClientID}, "redirect_uri": {alexasim.RegionNA.RedirectURL(demoVendorID)},
		"response_type": {"code"}, "scope": {"openid"}, "state": {"s"}}
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(demoBase + "/oauth2/authorize?" + q.Encode())
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), `data-provider="Upstream"`) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo's sign-in page never offered Upstream")
		}
		time.Sleep(50 * time.Millisecond)
	}

	h.env["LINKPOOL_PASSWORD"] = upPassword
	r := l.link("--identity-provider", "Upstream", "--username", "henry", "--link", "upstream")
	if r.code != 0 {
		t.Fatalf("link: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"[ok  ] sign-in", "[ok  ] token exchange", "[ok  ] discovery", "Linked."} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("link output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, upPassword) || strings.Contains(r.stdout+r.stderr, cv.ClientSecret) {
		t.Fatal("link output shows a secret")
	}
	users := h.ok("user", "list", "--pool", l.demo.PoolID)
	if !strings.Contains(users, "Upstream_") || !strings.Contains(users, "EXTERNAL_PROVIDER") {
		t.Fatalf("the demo pool has no federated user:\n%s", users)
	}
	if out := h.ok("alexa", "power", "--link", "upstream", "on", "Desk Lamp"); !strings.Contains(out, `PowerController.powerState = "ON"`) {
		t.Fatalf("power:\n%s", out)
	}
	if out := h.ok("alexa", "refresh", "--link", "upstream"); !strings.Contains(out, "Refreshed") {
		t.Fatalf("refresh:\n%s", out)
	}

	// The checklist, through Upstream, with the client's providers read
	// from the store.
	r = h.run(append([]string{"alexa", "check"}, append(l.linkFl, "--username", "henry", "--identity-provider", "Upstream", "--pool-id", l.demo.PoolID)...)...)
	for _, want := range []string{", 0 FAIL,", "PASS  identity providers of the app client exist, one can sign in\n      the app client lists COGNITO, Upstream; each exist",
		"INFO  ways to sign in on the login page\n      the login page offers its own sign-in form, Continue with Upstream; the app client lists COGNITO (the pool's own form), Upstream (OIDC)"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Fatalf("check lacks %q: %d\n%s\n%s", want, r.code, r.stdout, r.stderr)
		}
	}

	// A wrong upstream password: the upstream form comes back.
	h.env["LINKPOOL_PASSWORD"] = "Wr0ng-Password!"
	r = l.link("--identity-provider", "Upstream", "--username", "henry", "--link", "wrong")
	if r.code == 0 || !strings.Contains(r.stdout, "SIGN_IN_FAILED") {
		t.Fatalf("wrong upstream password: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	h.fails(2, "--identity-provider works with the form sign-in over HTTP", append(append([]string{"alexa", "link"}, l.linkFl...), "--identity-provider", "Upstream", "--browser")...)
}
