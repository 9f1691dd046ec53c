package smarthome_test

import (
	"net/http"
	"strings"
	"testing"
)

// acceptLanguage sends every request with an Accept-Language header.
type acceptLanguage struct {
	lang string
	next http.RoundTripper
}

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.lang)
	return a.next.RoundTrip(r)
}

// TestLampsPageInTheBrowsersLanguage: the /lamps page speaks the
// browser's language, right to left for Arabic, with the user's name
// where the language puts it.
func TestLampsPageInTheBrowsersLanguage(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	pe.addLamp(t, sub, "lamp-desk")
	for _, tc := range []struct {
		accept string
		want   []string
	}{
		{"ar-SA,ar;q=0.9", []string{`<html lang="ar" dir="rtl">`, "تم تسجيل الدخول باسم \u2068<strong dir=\"auto\">jane@example.com</strong>\u2069", `<span class="power">مُطفأ</span>`, ">تشغيل<", "<title>مصابيحك · SmartLamp</title>"}},
		{"ja-JP", []string{`<html lang="ja" dir="ltr">`, "<strong dir=\"auto\">jane@example.com</strong> としてサインイン中", ">オンにする<"}},
		{"de-AT,de;q=0.9", []string{`<html lang="de" dir="ltr">`, "Angemeldet als <strong dir=\"auto\">jane@example.com</strong>", ">Abmelden<"}},
		{"ru", []string{`<html lang="en" dir="ltr">`, "Signed in as <strong dir=\"auto\">jane@example.com</strong>"}},
	} {
		c := browser(t)
		c.Transport = acceptLanguage{tc.accept, http.DefaultTransport}
		resp, body := get(t, c, pe.srv.URL+"/lamps")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", tc.accept, resp.StatusCode, body)
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", tc.accept, want)
			}
		}
	}
}

// TestLampsPageLangParameter: as on the hosted pages, a lang parameter
// comes first and is remembered in a cookie, which then comes before the
// browser's Accept-Language; an unsupported lang changes nothing.
func TestLampsPageLangParameter(t *testing.T) {
	const sub = "page-user"
	pe := newPageEnv(t, sub)
	pe.addLamp(t, sub, "lamp-desk")
	c := browser(t)
	c.Transport = acceptLanguage{"de-DE", http.DefaultTransport}
	for _, step := range []struct {
		path, want string
	}{
		{"/lamps", `<html lang="de" dir="ltr">`},
		{"/lamps?lang=ko", `<html lang="ko" dir="ltr">`},
		{"/lamps", `<html lang="ko" dir="ltr">`},
		{"/lamps?lang=xx-unknown", `<html lang="ko" dir="ltr">`},
		{"/lamps?lang=ar", `<html lang="ar" dir="rtl">`},
		{"/lamps", `<html lang="ar" dir="rtl">`},
	} {
		resp, body := get(t, c, pe.srv.URL+step.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", step.path, resp.StatusCode, body)
		}
		if !strings.Contains(body, step.want) {
			t.Errorf("%s: page lacks %q", step.path, step.want)
		}
	}
}
