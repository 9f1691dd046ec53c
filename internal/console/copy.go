package console

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html"
	"html/template"
	"net/http"
)

// copyJS is the console's only script: it adds "Copy" buttons next to
// the values a page marks with Copy (the Alexa console's values, a
// secret shown once). Pages without such values load no script, and
// their content security policy allows none.
//
//go:embed static/copy.js
var copyJS []byte

// copyVersion changes with the script, so that browsers may cache it.
var copyVersion = func() string {
	h := sha256.Sum256(copyJS)
	return hex.EncodeToString(h[:6])
}()

// copyScriptPath is where the console serves the copy script.
const copyScriptPath = "/console/static/copy.js"

// serveCopyScript serves the copy script. It holds nothing of any pool
// or operator, so it needs no session.
func serveCopyScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", `"`+copyVersion+`"`)
	if r.Header.Get("If-None-Match") == `"`+copyVersion+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(copyJS)
}

// Copy marks the element it is written in as a value to copy: the
// attribute data-copy with the accessible label of its button, "Copy"
// and the field named by key. A page that calls it loads the copy
// script, and its content security policy allows that script alone.
func (v *view) Copy(key string) template.HTMLAttr {
	v.scripted = true
	return template.HTMLAttr(`data-copy="` + html.EscapeString(v.L.T("console.copy.label", "what", v.L.T(key))) + `"`)
}

// Scripted reports whether the page has values to copy (Copy).
func (v *view) Scripted() bool { return v.scripted }

// CopyScript is the URL of the copy script, with its version.
func (v *view) CopyScript() string { return copyScriptPath + "?v=" + copyVersion }
