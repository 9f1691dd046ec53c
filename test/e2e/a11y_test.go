package e2e_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// minContrast is WCAG 2.x success criterion 1.4.3 (Contrast, Minimum),
// level AA, for normal text.
const minContrast = 4.5

// rgba is a CSS colour with channels 0..255 and alpha 0..1.
type rgba [4]float64

// over composites c over an opaque background (source-over).
func (c rgba) over(bg rgba) rgba {
	a := c[3]
	return rgba{c[0]*a + bg[0]*(1-a), c[1]*a + bg[1]*(1-a), c[2]*a + bg[2]*(1-a), 1}
}

// luminance is the relative luminance of an opaque sRGB colour (WCAG 2.x
// definition).
func (c rgba) luminance() float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c[0]) + 0.7152*lin(c[1]) + 0.0722*lin(c[2])
}

// contrast is the WCAG 2.x contrast ratio (L1 + 0.05) / (L2 + 0.05) of
// two opaque colours.
func contrast(a, b rgba) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// textSample is an element with text of its own, its computed colour and
// the computed background colours from the element up to <html>.
type textSample struct {
	Tag         string      `json:"tag"`
	Text        string      `json:"text"`
	Color       []float64   `json:"color"`
	Backgrounds [][]float64 `json:"backgrounds"`
}

// effectiveContrast composites the background chain over the white
// canvas, outermost first, then the text colour over the result.
func (s textSample) effectiveContrast() (float64, error) {
	toRGBA := func(v []float64) (rgba, error) {
		if len(v) != 4 {
			return rgba{}, fmt.Errorf("unparsed colour %v", v)
		}
		return rgba{v[0], v[1], v[2], v[3]}, nil
	}
	bg := rgba{255, 255, 255, 1}
	for i := len(s.Backgrounds) - 1; i >= 0; i-- {
		c, err := toRGBA(s.Backgrounds[i])
		if err != nil {
			return 0, err
		}
		bg = c.over(bg)
	}
	fg, err := toRGBA(s.Color)
	if err != nil {
		return 0, err
	}
	return contrast(fg.over(bg), bg), nil
}

// pageA11y is what a11yJS reports about a page.
type pageA11y struct {
	Lang      string       `json:"lang"`
	Unlabeled []string     `json:"unlabeled"`
	Texts     []textSample `json:"texts"`
}

// a11yJS collects, for the visible page: the <html lang>, the visible
// form controls without a <label for>, aria-label or aria-labelledby, and
// every visible element with text of its own with the colours of
// getComputedStyle. Colours are reported as [r, g, b, a]; anything not in
// rgb()/rgba() form is reported empty, which fails the check.
const a11yJS = `(() => {
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const parse = c => {
    const m = /^rgba?\(([^)]*)\)$/.exec(c.trim());
    if (!m) return [];
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return p.length === 3 ? [...p, 1] : p;
  };
  const unlabeled = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || !visible(el)) continue;
    const byFor = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (!byFor && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) {
      unlabeled.push(el.name || el.id || el.outerHTML.slice(0, 80));
    }
  }
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
      .map(n => n.textContent.trim()).filter(Boolean).join(' ');
    if (!own) continue;
    const backgrounds = [];
    for (let a = el; a; a = a.parentElement) backgrounds.push(parse(getComputedStyle(a).backgroundColor));
    texts.push({tag: el.tagName.toLowerCase(), text: own.slice(0, 60), color: parse(getComputedStyle(el).color), backgrounds});
  }
  return {lang: document.documentElement.lang, unlabeled, texts};
})()`

// checkA11y asserts basic accessibility of the phone's current page:
// <html lang> is the expected language, every visible input has a label,
// and all visible text (body text, headings, labels, buttons, links,
// errors) has a contrast ratio of at least 4.5:1 against its background.
func (p *phone) checkA11y(name, wantLang string) {
	p.t.Helper()
	for _, problem := range a11yProblems(p.probeA11y(), wantLang) {
		p.t.Errorf("%s: %s", name, problem)
	}
}

// probeA11y runs a11yJS on the current page.
func (p *phone) probeA11y() pageA11y {
	p.t.Helper()
	r, err := chromedp.Run(p.ctx, chromedp.Evaluate[pageA11y](a11yJS))
	if err != nil {
		p.t.Fatalf("accessibility probe: %v", err)
	}
	return r
}

// a11yProblems lists what a page report breaks.
func a11yProblems(r pageA11y, wantLang string) []string {
	var out []string
	if r.Lang != wantLang {
		out = append(out, fmt.Sprintf("<html lang=%q>, want %q", r.Lang, wantLang))
	}
	if len(r.Unlabeled) > 0 {
		out = append(out, "inputs without a <label for> or aria-label: "+strings.Join(r.Unlabeled, ", "))
	}
	if len(r.Texts) < 3 {
		return append(out, fmt.Sprintf("only %d text elements found; the probe did not see the page", len(r.Texts)))
	}
	tags := map[string]bool{}
	for _, s := range r.Texts {
		tags[s.Tag] = true
		ratio, err := s.effectiveContrast()
		if err != nil {
			out = append(out, fmt.Sprintf("<%s> %q: %v", s.Tag, s.Text, err))
			continue
		}
		if ratio < minContrast {
			out = append(out, fmt.Sprintf("<%s> %q has contrast %.2f:1, want at least %.1f:1", s.Tag, s.Text, ratio, minContrast))
		}
	}
	for _, tag := range []string{"h1", "button"} {
		if !tags[tag] {
			out = append(out, fmt.Sprintf("no visible <%s> text was checked", tag))
		}
	}
	return out
}

// TestA11yProbeFindsProblems runs the probe in Chromium on a page that
// breaks every rule, so that the hosted pages passing it means something.
func TestA11yProbeFindsProblems(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="fr"><body style="background: rgb(40, 40, 40)">
<div style="background: rgba(255, 255, 255, 0.9)"><h1 style="color: #999">Pale heading</h1>
<label>Name <input name="user" type="text"></label><input id="pw" name="password" type="password">
<p style="color: #333">Readable text</p><button style="color: #fff; background: #6fa8dc">Go</button></div></body></html>`)
	}))
	defer srv.Close()
	p := startChromium(t).newPhone(t, srv.URL, languages[0], "probe")
	p.open(srv.URL)
	got := strings.Join(a11yProblems(p.probeA11y(), "en"), "\n")
	for _, want := range []string{
		`<html lang="fr">, want "en"`,
		"inputs without a <label for> or aria-label: user, password",
		`<h1> "Pale heading" has contrast 2.`,
		`<button> "Go" has contrast 2.`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the probe missed %q; it found:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Readable text") {
		t.Errorf("the probe flagged readable text:\n%s", got)
	}
}

// TestContrastFormula pins the WCAG 2.x arithmetic the browser checks rely
// on, with values from the WCAG definition and well-known pairs.
func TestContrastFormula(t *testing.T) {
	white, black := rgba{255, 255, 255, 1}, rgba{0, 0, 0, 1}
	tests := []struct {
		name string
		s    textSample
		want float64
	}{
		{name: "black-on-white", s: textSample{Color: []float64{0, 0, 0, 1}, Backgrounds: [][]float64{{255, 255, 255, 1}}}, want: 21},
		{name: "white-on-white", s: textSample{Color: []float64{255, 255, 255, 1}, Backgrounds: [][]float64{{255, 255, 255, 1}}}, want: 1},
		{name: "grey-767676-on-white-is-the-AA-threshold", s: textSample{Color: []float64{0x76, 0x76, 0x76, 1}, Backgrounds: [][]float64{{0, 0, 0, 0}, {255, 255, 255, 1}}}, want: 4.54},
		{name: "transparent-chain-falls-back-to-the-canvas", s: textSample{Color: []float64{0, 0, 0, 1}, Backgrounds: [][]float64{{0, 0, 0, 0}, {0, 0, 0, 0}}}, want: 21},
		{name: "half-transparent-black-text-on-white", s: textSample{Color: []float64{0, 0, 0, 0.5}, Backgrounds: [][]float64{{255, 255, 255, 1}}}, want: 3.98},
		{name: "half-transparent-black-layer-under-white-text", s: textSample{Color: []float64{255, 255, 255, 1}, Backgrounds: [][]float64{{0, 0, 0, 0.5}, {255, 255, 255, 1}}}, want: 3.98},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.s.effectiveContrast()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 0.01 {
				t.Fatalf("contrast %.3f, want %.2f", got, tc.want)
			}
		})
	}
	if got := contrast(white, black); got != 21 {
		t.Fatalf("contrast(white, black) = %v, want 21", got)
	}
	if _, err := (textSample{Color: []float64{}, Backgrounds: nil}).effectiveContrast(); err == nil {
		t.Fatal("an unparsed colour must fail the check")
	}
}
