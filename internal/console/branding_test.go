package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBrandingPreviewAndSave: the branding page frames a preview of the
// pool's sign-in page from the console's own origin; a preview of a
// posted branding shows it without saving or recording anything, and a
// refused one shows Cognito's error; a save goes through UpdateUserPool
// with one audit record of the Branding field.
func TestBrandingPreviewAndSave(t *testing.T) {
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	p, _ := e.customer(t, "ann", "ann@example.com")
	ctx := context.Background()
	path := "/console/pools/" + p.ID + "/branding"
	res, page := e.get(t, b, path)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="save-branding"`) {
		t.Fatalf("branding page: %d: %s", res.StatusCode, page)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("branding page CSP %q", csp)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the branding page shows the message key %q", k)
	}
	if !strings.Contains(page, "<iframe") || !strings.Contains(page, " sandbox ") || strings.Contains(page, "allow-scripts") {
		t.Errorf("the preview is not a sandboxed iframe: %s", page)
	}
	src := html.UnescapeString(between(page, `id="preview" src="`, `"`))
	if !strings.HasPrefix(src, path+"/preview?") {
		t.Fatalf("preview src %q", src)
	}
	res, preview := e.get(t, b, src)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != http.StatusOK || !strings.Contains(preview, "Sign in with your Customers account.") ||
		!strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script-src") ||
		res.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Fatalf("preview: %d, CSP %q: %s", res.StatusCode, csp, preview)
	}
	token := csrf(t, page)
	before, _ := e.Admin.DescribeUserPool(ctx, p.ID)

	// Preview a proposed branding: nothing saved, nothing recorded.
	n := len(e.allAudit(t))
	form := url.Values{"csrf": {token}, "action": {"preview"}, "primary_color": {"#c0ffee"}, "background_color": {"#102030"},
		"css": {".card { border-width: 5px; }"}, "logo_url": {"https://cdn.example.com/logo.png"},
		"messages": {`{"en": {"login.intro": "Welcome to {pool}, lamp owner."}}`}}
	res, page = e.post(t, b, path, e.ConsoleURL, form)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `value="#c0ffee"`) || !strings.Contains(page, "not saved yet") {
		t.Fatalf("preview post: %d: %s", res.StatusCode, page)
	}
	src = html.UnescapeString(between(page, `id="preview" src="`, `"`))
	if _, preview = e.get(t, b, src); !strings.Contains(preview, "--primary: #c0ffee;") || !strings.Contains(preview, "--background: #102030;") ||
		!strings.Contains(preview, "border-width: 5px") || !strings.Contains(preview, `src="https://cdn.example.com/logo.png"`) ||
		!strings.Contains(preview, "Welcome to Customers, lamp owner.") {
		t.Errorf("proposed preview: %s", preview)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a preview wrote %v", actions(got[:len(got)-n]))
	}
	if after, _ := e.Admin.DescribeUserPool(ctx, p.ID); !after.UpdatedAt.Equal(before.UpdatedAt) || after.Branding.PrimaryColor != "" {
		t.Error("a preview changed the pool")
	}
	// A proposed branding the service refuses: its error, on the page and
	// from the preview's address.
	bad := url.Values{"csrf": {token}, "action": {"preview"}, "primary_color": {"red"}}
	if res, page := e.post(t, b, path, e.ConsoleURL, bad); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(page, "InvalidParameterException") || !strings.Contains(page, "Branding.PrimaryColor") {
		t.Errorf("bad colour preview: %d: %s", res.StatusCode, page)
	}
	if res, body := e.get(t, b, path+"/preview?proposed=1&primary_color=red"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") {
		t.Errorf("bad colour preview address: %d: %s", res.StatusCode, body)
	}
	// Messages: not JSON, or a key the catalogs lack.
	for name, m := range map[string]string{"not JSON": `{"en": `, "unknown key": `{"en": {"login.nothing": "x"}}`} {
		f := url.Values{"csrf": {token}, "action": {"preview"}, "messages": {m}}
		if res, page := e.post(t, b, path, e.ConsoleURL, f); res.StatusCode != http.StatusBadRequest ||
			!strings.Contains(page, "InvalidParameterException") || !strings.Contains(page, "Branding.Messages") {
			t.Errorf("%s: %d: %s", name, res.StatusCode, page)
		}
	}

	// Save.
	form.Set("action", "save")
	n = len(e.allAudit(t))
	res, body := e.post(t, b, path, e.ConsoleURL, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=saved" {
		t.Fatalf("save: %d: %s", res.StatusCode, body)
	}
	got, _ := e.Admin.DescribeUserPool(ctx, p.ID)
	if br := got.Branding; br.PrimaryColor != "#c0ffee" || br.BackgroundColor != "#102030" || br.LogoURL != "https://cdn.example.com/logo.png" ||
		br.CSS != ".card { border-width: 5px; }" || br.Messages["en"]["login.intro"] != "Welcome to {pool}, lamp owner." {
		t.Errorf("branding after save: %+v", br)
	}
	recs := e.lastRecords(t, n, op.Sub)
	if len(recs) != 1 || recs[0].Action != "UpdateUserPool" || changedFields(recs[0]) != "Branding" {
		t.Errorf("save records %v", actions(recs))
	}
	_, page = e.get(t, b, path+"?done=saved")
	src = html.UnescapeString(between(page, `id="preview" src="`, `"`))
	if _, preview := e.get(t, b, src); !strings.Contains(page, `id="done"`) || !strings.Contains(preview, "--primary: #c0ffee;") ||
		!strings.Contains(preview, "Welcome to Customers, lamp owner.") || !strings.Contains(page, "lamp owner.") {
		t.Errorf("saved preview: %s", preview)
	}
	// A refused save: Cognito's error, nothing changed.
	bad.Set("action", "save")
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, path, e.ConsoleURL, bad); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `value="red"`) {
		t.Errorf("bad colour save: %d: %s", res.StatusCode, body)
	}
	if after, _ := e.Admin.DescribeUserPool(ctx, p.ID); after.Branding.PrimaryColor != "#c0ffee" {
		t.Error("a refused save changed the branding")
	}
	for _, r := range e.allAudit(t)[:len(e.allAudit(t))-n] {
		if r.Result == "ok" {
			t.Errorf("a refused save recorded a change: %+v", r)
		}
	}
}
