package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pageRendering is what renderingJS reports about a page.
type pageRendering struct {
	Lang string `json:"lang"`
	Dir  string `json:"dir"`
	// ScrollWidth and ClientWidth are the document's: a page wider than
	// the phone scrolls sideways.
	ScrollWidth int `json:"scrollWidth"`
	ClientWidth int `json:"clientWidth"`
	// Overflowing lists elements whose content is wider than their box,
	// or that reach out of the viewport.
	Overflowing []string `json:"overflowing"`
	// Tofu lists characters drawn as the missing-glyph box, with the
	// element and font family they were drawn in.
	Tofu []string `json:"tofu"`
	// Checked is the number of distinct characters compared.
	Checked int `json:"checked"`
}

// renderingJS measures the visible page. Overflow: every visible element
// with a box (clientWidth > 0) must not be scrolled wider than it
// (scrollWidth), and no element may reach out of the viewport. Missing
// glyphs: every distinct character of every visible element's own text
// is drawn on a canvas in that element's font and compared, pixel by
// pixel, with a character of Unicode's private use plane 15 (U+F0000),
// which no font has and which Chromium therefore draws as the fallback
// font's missing-glyph box (.notdef). A character that looks exactly like
// it has no font on this machine either. Whitespace and invisible format
// characters (ZWJ, ZWNJ, bidi marks) are skipped.
const renderingJS = `(() => {
  const de = document.documentElement;
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
  const overflowing = [];
  const vw = de.clientWidth;
  const canvas = document.createElement('canvas');
  canvas.width = 96; canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (font, s) => {
    ctx.clearRect(0, 0, 96, 64);
    ctx.font = font;
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#000';
    ctx.fillText(s, 16, 16);
    return ctx.getImageData(0, 0, 96, 64).data;
  };
  const same = (a, b) => {
    for (let i = 3; i < a.length; i += 4) if (a[i] !== b[i]) return false;
    return true;
  };
  const refs = new Map(), seen = new Set(), tofu = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      overflowing.push(name(el) + ': content ' + el.scrollWidth + 'px wide in a ' + el.clientWidth + 'px box');
    }
    if (r.left < -1 || r.right > vw + 1) {
      overflowing.push(name(el) + ': from ' + Math.round(r.left) + 'px to ' + Math.round(r.right) + 'px, the viewport is ' + vw + 'px');
    }
    const own = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('');
    if (!own.trim()) continue;
    const s = getComputedStyle(el);
    const font = s.fontStyle + ' ' + s.fontWeight + ' 32px ' + s.fontFamily;
    if (!refs.has(font)) refs.set(font, draw(font, '\u{F0000}'));
    for (const ch of new Set(own)) {
      if (/[\s\p{Cf}]/u.test(ch) || seen.has(font + ch)) continue;
      seen.add(font + ch);
      checked++;
      if (same(draw(font, ch), refs.get(font))) {
        tofu.push('U+' + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0') + ' ' + JSON.stringify(ch) + ' in ' + name(el));
      }
    }
  }
  return {lang: de.lang, dir: de.dir, scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, overflowing, tofu, checked};
})()`

// probeRendering runs renderingJS on the current page.
func (p *phone) probeRendering() pageRendering {
	p.t.Helper()
	r, err := chromedp.Run(p.ctx, chromedp.Evaluate[pageRendering](renderingJS))
	if err != nil {
		p.t.Fatalf("rendering probe: %v", err)
	}
	return r
}

// checkRendering asserts that the phone's current page is in wantLang
// and wantDir, fits the phone's width and draws every character with a
// real glyph.
func (p *phone) checkRendering(name, wantLang, wantDir string) {
	p.t.Helper()
	for _, problem := range renderingProblems(p.probeRendering(), wantLang, wantDir) {
		p.t.Errorf("%s: %s", name, problem)
	}
}

// renderingProblems lists what a page report breaks.
func renderingProblems(r pageRendering, wantLang, wantDir string) []string {
	var out []string
	if r.Lang != wantLang || r.Dir != wantDir {
		out = append(out, fmt.Sprintf(`<html lang=%q dir=%q>, want lang=%q dir=%q`, r.Lang, r.Dir, wantLang, wantDir))
	}
	if r.ScrollWidth > r.ClientWidth {
		out = append(out, fmt.Sprintf("the page scrolls sideways: %dpx wide on a %dpx screen", r.ScrollWidth, r.ClientWidth))
	}
	for _, o := range r.Overflowing {
		out = append(out, "overflows: "+o)
	}
	if len(r.Tofu) > 0 {
		out = append(out, "drawn as missing-glyph boxes (no font has them; .ci/run installs fonts-noto-core and fonts-noto-cjk): "+strings.Join(r.Tofu, ", "))
	}
	if r.Checked < 10 {
		out = append(out, fmt.Sprintf("only %d characters compared; the probe did not see the page", r.Checked))
	}
	return out
}

// TestRenderingProbeFindsProblems runs the rendering probe in Chromium on
// a page with a wrong direction, a box its text overflows, an element
// wider than the phone and a character no font has, so that the hosted
// pages passing it means something.
func TestRenderingProbeFindsProblems(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="ar" dir="ltr"><head><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<p>Readable text, نص عربي, हिन्दी, 中文, 한국어</p>
<div id="narrow" style="width: 80px; overflow: hidden"><span style="white-space: nowrap">A sentence far too long for its box</span></div>
<div id="wide" style="width: 900px">wide</div>
<p id="boxes">Missing: `+"\U000F0001\U0001E5D0"+`</p></body></html>`)
	}))
	defer srv.Close()
	p := startChromium(t).newPhone(t, srv.URL, languages[0], "probe")
	p.open(srv.URL)
	got := strings.Join(renderingProblems(p.probeRendering(), "ar", "rtl"), "\n")
	for _, want := range []string{
		`<html lang="ar" dir="ltr">, want lang="ar" dir="rtl"`,
		"the page scrolls sideways",
		"overflows: div#narrow: content",
		"overflows: div#wide: from",
		`U+F0001 "` + "\U000F0001" + `" in p#boxes`,
		// Ol Onal (Unicode 16), a script no Debian 12 font covers: a real
		// character without a font, not only an unassigned one.
		`U+1E5D0 "` + "\U0001E5D0" + `" in p#boxes`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the probe missed %q; it found:\n%s", want, got)
		}
	}
	for _, ch := range []string{"ن", "ह", "中", "한", "R"} {
		if strings.Contains(got, `"`+ch+`"`) {
			t.Errorf("the probe flagged %q, which the installed fonts have:\n%s", ch, got)
		}
	}
}
