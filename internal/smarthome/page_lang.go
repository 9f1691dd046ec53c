package smarthome

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/locales"
)

// langCookie remembers a lang parameter, as on the hosted pages.
const langCookie = "lp_lang"

// language returns the catalog of the lang parameter, then of the
// remembered choice (langCookie), then of the browser's Accept-Language,
// English when linkpool has none of them.
func language(r *http.Request) *locales.Catalog {
	if cat, ok := locales.Find(r.URL.Query().Get("lang")); ok {
		return cat
	}
	if ck, err := r.Cookie(langCookie); err == nil {
		if cat, ok := locales.Find(ck.Value); ok {
			return cat
		}
	}
	return locales.Match(r.Header.Get("Accept-Language"))
}

// rememberLanguage keeps a supported lang parameter in langCookie, so the
// page keeps its language through the sign-in round trip and later visits.
func (p *page) rememberLanguage(w http.ResponseWriter, r *http.Request) {
	cat, ok := locales.Find(r.URL.Query().Get("lang"))
	if !ok {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: cat.Lang(), Path: "/lamps", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: p.cookies.secure, SameSite: http.SameSiteLaxMode,
	})
}

// signedInAs renders "Signed in as {user}" in cat's language with the
// user's name in bold, wherever the language puts it.
func signedInAs(cat *locales.Catalog, user string) template.HTML {
	const mark = "\x00"
	before, after, _ := strings.Cut(cat.T("lamps.signed_in_as", "user", mark), mark)
	return template.HTML(template.HTMLEscapeString(before) + `<strong dir="auto">` + template.HTMLEscapeString(user) + "</strong>" + template.HTMLEscapeString(after))
}
