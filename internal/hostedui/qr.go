package hostedui

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	goqr "github.com/piglig/go-qr"
)

// qrQuiet is the quiet zone around a QR code, in modules (ISO/IEC 18004
// asks for four).
const qrQuiet = 4

// qrSVG renders text as a QR code in an inline SVG: one path of the dark
// modules (each row's runs as rectangles) on a white square, sized by
// the style sheet. It makes no request and needs no script or style
// attribute, so the pages' Content-Security-Policy allows it. label is
// its accessible name.
func qrSVG(text, label string) (template.HTML, error) {
	q, err := goqr.EncodeText(text, goqr.Medium)
	if err != nil {
		return "", fmt.Errorf("hostedui: QR code: %w", err)
	}
	n := q.Size()
	side := n + 2*qrQuiet
	var d strings.Builder
	for y := 0; y < n; y++ {
		for x := 0; x < n; {
			if !q.Module(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < n && q.Module(x+run, y) {
				run++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", x+qrQuiet, y+qrQuiet, run, run)
			x += run
		}
	}
	s := strconv.Itoa(side)
	return template.HTML(`<svg class="qr" id="totpQRCode" viewBox="0 0 ` + s + ` ` + s + `" role="img" aria-label="` +
		template.HTMLEscapeString(label) + `" shape-rendering="crispEdges"><rect width="` + s + `" height="` + s +
		`" fill="#fff"/><path fill="#000" d="` + d.String() + `"/></svg>`), nil
}
