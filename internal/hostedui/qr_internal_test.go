package hostedui

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	goqr "github.com/piglig/go-qr"
)

var (
	qrViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	qrPath    = regexp.MustCompile(`<path fill="#000" d="([^"]*)"/>`)
	qrRun     = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// svgImage draws the QR code's SVG back into an image, four pixels a
// module, so a decoder can read it.
func svgImage(t *testing.T, svg string) image.Image {
	t.Helper()
	vb, path := qrViewBox.FindStringSubmatch(svg), qrPath.FindStringSubmatch(svg)
	if vb == nil || path == nil {
		t.Fatalf("no viewBox or path in %s", svg)
	}
	side, _ := strconv.Atoi(vb[1])
	const scale = 4
	img := image.NewGray(image.Rect(0, 0, side*scale, side*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	runs := qrRun.FindAllStringSubmatch(path[1], -1)
	if len(strings.Join(qrRun.FindAllString(path[1], -1), "")) != len(path[1]) {
		t.Fatalf("path has more than runs: %s", path[1])
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		n, _ := strconv.Atoi(r[3])
		for px := x * scale; px < (x+n)*scale; px++ {
			for py := y * scale; py < (y+1)*scale; py++ {
				img.Set(px, py, color.Black)
			}
		}
	}
	return img
}

func TestQRSVGDecodes(t *testing.T) {
	for _, text := range []string{
		"otpauth://totp/SmartLamp:tina?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=SmartLamp&algorithm=SHA1&digits=6&period=30",
		"otpauth://totp/%E6%99%BA%E8%83%BD:%E7%94%A8%E6%88%B7?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E6%99%BA%E8%83%BD",
	} {
		svg, err := qrSVG(text, `label "with" <quotes>`)
		if err != nil {
			t.Fatal(err)
		}
		s := string(svg)
		if strings.Contains(s, "http") || strings.Contains(s, "style=") || strings.Contains(s, "<script") || strings.Contains(s, "href") {
			t.Errorf("the SVG refers to something outside or uses style/script: %s", s)
		}
		if !strings.Contains(s, `aria-label="label &#34;with&#34; &lt;quotes&gt;"`) {
			t.Errorf("label not escaped: %s", s[:200])
		}
		got, err := goqr.Decode(svgImage(t, s))
		if err != nil {
			t.Fatalf("decode the rendered QR code: %v", err)
		}
		if got != text {
			t.Fatalf("QR code reads %q, want %q", got, text)
		}
	}
}

func TestGroupSecret(t *testing.T) {
	for in, want := range map[string]string{
		"":          "",
		"ABCD":      "ABCD",
		"ABCDEFGHI": "ABCD EFGH I",
	} {
		if got := groupSecret(in); got != want {
			t.Errorf("groupSecret(%q) = %q, want %q", in, got, want)
		}
	}
}
