package smarthome

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/locales"
)

// language returns the catalog of the browser's language
// (Accept-Language), English when linkpool has none for it.
func language(r *http.Request) *locales.Catalog {
	return locales.Match(r.Header.Get("Accept-Language"))
}

// signedInAs renders "Signed in as {user}" in cat's language with the
// user's name in bold, wherever the language puts it.
func signedInAs(cat *locales.Catalog, user string) template.HTML {
	const mark = "\x00"
	before, after, _ := strings.Cut(cat.T("lamps.signed_in_as", "user", mark), mark)
	return template.HTML(template.HTMLEscapeString(before) + `<strong dir="auto">` + template.HTMLEscapeString(user) + "</strong>" + template.HTMLEscapeString(after))
}
