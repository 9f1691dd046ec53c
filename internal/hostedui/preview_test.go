package hostedui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestPreview: the console's preview is the sign-in page with the
// pool's branding and wording, its stylesheets inline under the nonce,
// and nothing that leads anywhere or carries a token.
func TestPreview(t *testing.T) {
	p := pool.NewPool("us-east-1", "Lamps", time.Unix(1700000000, 0))
	p.Branding = pool.Branding{PrimaryColor: "#123456", BackgroundColor: "#fedcba", CSS: ".card { border-width: 3px; }",
		LogoURL:  "https://cdn.example.com/logo.png",
		Messages: map[string]map[string]string{"de": {"login.intro": "Willkommen bei {pool}."}}}
	body, err := hostedui.Preview(p, "de", "n0nce")
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	for _, want := range []string{
		`<style nonce="n0nce">`, "--primary: #123456;", "--background: #fedcba;", ".card { border-width: 3px; }",
		"Willkommen bei Lamps.", `src="https://cdn.example.com/logo.png"`, `id="signInForm"`, `lang="de"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	for _, bad := range []string{"<link", "static/style.css?", "static/brand.css?", "<script", `href="/`, `action="/`} {
		if strings.Contains(page, bad) {
			t.Errorf("preview holds %q", bad)
		}
	}
	if strings.Count(page, `<style nonce="n0nce">`) != 2 {
		t.Errorf("want the built-in and the brand stylesheet inline: %s", page)
	}
	// Without branding, only the built-in stylesheet.
	body, err = hostedui.Preview(pool.NewPool("us-east-1", "Plain", time.Now()), "en", "x")
	if err != nil || strings.Count(string(body), "<style") != 1 || !strings.Contains(string(body), "Sign in with your Plain account.") {
		t.Errorf("unbranded preview: %v: %s", err, body)
	}
}
