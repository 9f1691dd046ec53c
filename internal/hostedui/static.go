package hostedui

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
)

//go:embed static/style.css
var styleCSS []byte

//go:embed static/passkey.js
var passkeyJS []byte

// styleVersion and scriptVersion change with the stylesheet and the
// script, so pages can let browsers cache them for long.
var (
	styleVersion  = version(styleCSS)
	scriptVersion = version(passkeyJS)
)

func version(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// styleCSS serves the built-in stylesheet.
func (u *UI) styleCSS(w http.ResponseWriter, r *http.Request) {
	serveStatic(w, r, "text/css; charset=utf-8", styleVersion, styleCSS)
}

// passkeyScript serves the script of the passkey pages, the only script
// of the hosted pages.
func (u *UI) passkeyScript(w http.ResponseWriter, r *http.Request) {
	serveStatic(w, r, "text/javascript; charset=utf-8", scriptVersion, passkeyJS)
}

func serveStatic(w http.ResponseWriter, r *http.Request, contentType, version string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", `"`+version+`"`)
	if r.Header.Get("If-None-Match") == `"`+version+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(body)
}

func hasBranding(b pool.Branding) bool {
	return b.PrimaryColor != "" || b.BackgroundColor != "" || b.CSS != ""
}

// brandCSS serves the pool's branding: its colours as the custom
// properties the built-in stylesheet uses, then the pool's own CSS. It is
// a stylesheet of its own, not inline, so the pages' CSP needs no
// 'unsafe-inline' and no nonce.
func (u *UI) brandCSS(w http.ResponseWriter, r *http.Request) {
	t, ok := web.TargetFrom(r.Context())
	if !ok {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	body := brandStyles(t.Pool.Branding)
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write([]byte(body))
}

// brandStyles is the stylesheet of a pool's branding: its colours as the
// custom properties the built-in stylesheet uses, then the pool's own
// CSS.
func brandStyles(b pool.Branding) string {
	var sb strings.Builder
	sb.WriteString(":root {\n")
	// Colours are validated as #rgb or #rrggbb by pool.Pool.Validate.
	if b.PrimaryColor != "" {
		sb.WriteString("  --primary: " + b.PrimaryColor + ";\n")
	}
	if b.BackgroundColor != "" {
		sb.WriteString("  --background: " + b.BackgroundColor + ";\n")
	}
	sb.WriteString("}\n")
	sb.WriteString(b.CSS)
	return sb.String()
}
