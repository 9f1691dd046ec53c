package smarthome_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var tokenField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// formToken returns the CSRF token of the forms in a /lamps page; every
// form of the page carries the same one.
func formToken(t *testing.T, body string) string {
	t.Helper()
	all := tokenField.FindAllStringSubmatch(body, -1)
	if len(all) == 0 || all[0][1] == "" {
		t.Fatalf("no CSRF token in the page\n%s", body)
	}
	for _, m := range all {
		if m[1] != all[0][1] {
			t.Fatalf("forms carry different tokens %q and %q", all[0][1], m[1])
		}
	}
	return all[0][1]
}

// pageToken loads /lamps in the signed-in browser c and returns its token.
func pageToken(t *testing.T, pe *pageEnv, c *http.Client) string {
	t.Helper()
	resp, body := get(t, c, pe.srv.URL+"/lamps")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/lamps: %d\n%s", resp.StatusCode, body)
	}
	return formToken(t, body)
}

// TestLampsFormsRequireCSRFToken: a post carrying the session cookie but
// not the session's own token — none, a forged one, another session's —
// is refused with 403 and changes nothing, even without Origin and
// Sec-Fetch-Site, which http.CrossOriginProtection lets through.
func TestLampsFormsRequireCSRFToken(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	l := pe.addLamp(t, sub, "lamp-desk")
	c, _ := signInToLamps(t, pe)
	token := pageToken(t, pe, c)
	other, _ := signInToLamps(t, pe)
	otherToken := pageToken(t, pe, other)
	if otherToken == token {
		t.Fatal("two sessions share a CSRF token")
	}

	for _, tc := range []struct {
		name, token string
	}{
		{"no token", ""},
		{"forged token", strings.Repeat("A", len(token))},
		{"another session's token", otherToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"lamp": {l.ID}}
			if tc.token != "" {
				form.Set("_csrf", tc.token)
			}
			resp, body := post(t, c, pe.srv.URL+"/lamps/toggle", form, nil)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("toggle: %d, want 403\n%s", resp.StatusCode, body)
			}
			if got, err := pe.st.GetLamp(context.Background(), sub, l.ID); err != nil || got.On {
				t.Errorf("lamp after a refused toggle: on=%v, %v", got.On, err)
			}
			form.Del("lamp")
			resp, body = post(t, c, pe.srv.URL+"/lamps/logout", form, nil)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("logout: %d, want 403\n%s", resp.StatusCode, body)
			}
			if resp, _ := get(t, c, pe.srv.URL+"/lamps"); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/lamps" {
				t.Errorf("session after a refused logout: %d %s", resp.StatusCode, resp.Request.URL)
			}
		})
	}

	// The page's own forms, token included, take effect.
	resp, body := post(t, c, pe.srv.URL+"/lamps/toggle", url.Values{"lamp": {l.ID}, "_csrf": {token}}, nil)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/lamps" {
		t.Fatalf("toggle with the token: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if got, err := pe.st.GetLamp(context.Background(), sub, l.ID); err != nil || !got.On {
		t.Errorf("lamp after the page's toggle: on=%v, %v", got.On, err)
	}
	resp, body = post(t, c, pe.srv.URL+"/lamps/logout", url.Values{"_csrf": {token}}, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed out") {
		t.Fatalf("logout with the token: %d\n%s", resp.StatusCode, body)
	}
}
