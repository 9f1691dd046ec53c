package console

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The dashboard's charts are inline SVG drawn on the server: no script,
// no style attribute (the content security policy allows neither), only
// presentation attributes. Each chart is an image (role="img") named by
// its <title> and described by its <desc>; every bar has a <title> with
// its value, and the page shows the numbers in a table as well. The
// colours have a contrast of at least 6:1 on white and differ in hue
// for colour-blind readers; the legend names them in words.

// chartColors are the series' colours: blue (6.4:1 on white) and brown
// (6.0:1).
var chartColors = []string{"#0b57d0", "#a04a00"}

// chartText is the colour of the axes' text (7.5:1 on white); chartGrid
// the grid lines'.
const (
	chartText = "#555555"
	chartGrid = "#c8c8c8"
)

// chartSeries is one series of a bar chart: its name and a value per
// bucket.
type chartSeries struct {
	Name   string
	Values []int
}

// barChart is a chart of bars by time bucket, grouped when it has more
// than one series.
type barChart struct {
	// ID prefixes the ids of the chart's title and description, unique
	// on the page.
	ID          string
	Title, Desc string
	// Labels name the buckets on the horizontal axis (start times);
	// Spans name them in the bars' titles (start–end).
	Labels, Spans []string
	Series        []chartSeries
}

// Chart geometry, in the viewBox's units; the SVG scales to the width
// of the page.
const (
	chartW, chartH                 = 360, 200
	chartLeft, chartRight          = 40, 8
	chartTop, chartBottom          = 12, 28
	chartFont                      = 12
	chartPlotW, chartPlotH float64 = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
)

// SVG draws the chart.
func (c barChart) SVG() template.HTML {
	var b strings.Builder
	n := len(c.Labels)
	top := 0
	for _, s := range c.Series {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	scale := niceMax(top)
	svgOpen(&b, c.ID, c.Title, c.Desc, chartW, chartH)
	// Grid lines and their values: zero, half (when a whole number) and
	// the top of the scale.
	for i, v := range []int{0, scale / 2, scale} {
		if i == 1 && (scale%2 != 0 || scale < 2) {
			continue
		}
		y := chartTop + chartPlotH - float64(v)/float64(scale)*chartPlotH
		fmt.Fprintf(&b, `<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="%s" stroke-width="1"/>`, chartLeft, num(y), chartW-chartRight, num(y), chartGrid)
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" font-size="%d" fill="%s">%d</text>`, chartLeft-4, num(y+4), chartFont, chartText, v)
	}
	if n > 0 {
		gw := chartPlotW / float64(n)
		bw := gw * 0.7 / float64(max(len(c.Series), 1))
		every := (n + 5) / 6 // at most six labels
		for i := range n {
			x0 := chartLeft + float64(i)*gw
			for si, s := range c.Series {
				v := 0
				if i < len(s.Values) {
					v = s.Values[i]
				}
				h := float64(v) / float64(scale) * chartPlotH
				fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
					num(x0+gw*0.15+float64(si)*bw), num(chartTop+chartPlotH-h), num(bw), num(h), chartColors[si%len(chartColors)],
					esc(spanOf(c.Spans, i)+" · "+s.Name+": "+strconv.Itoa(v)))
			}
			if i%every == 0 {
				fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle" font-size="%d" fill="%s">%s</text>`,
					num(x0+gw/2), chartH-10, chartFont, chartText, esc(c.Labels[i]))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text is escaped by esc
}

// hbarChart is a chart of one horizontal bar per named category.
type hbarChart struct {
	ID          string
	Title, Desc string
	Names       []string
	Values      []int
}

const (
	hbarRow   = 24
	hbarLabel = 164 // width of the names' column
	hbarValue = 40  // room for the value after the longest bar
)

// SVG draws the chart.
func (c hbarChart) SVG() template.HTML {
	var b strings.Builder
	h := max(len(c.Names), 1)*hbarRow + 8
	top := 0
	for _, v := range c.Values {
		top = max(top, v)
	}
	scale := float64(max(top, 1))
	barW := float64(chartW - hbarLabel - hbarValue)
	svgOpen(&b, c.ID, c.Title, c.Desc, chartW, h)
	for i, name := range c.Names {
		y := 4 + i*hbarRow
		w := float64(c.Values[i]) / scale * barW
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="%d" fill="%s">%s</text>`, y+16, chartFont, chartText, esc(name))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%s" height="%d" fill="%s"><title>%s</title></rect>`,
			hbarLabel, y+3, num(w), hbarRow-6, chartColors[0], esc(name+": "+strconv.Itoa(c.Values[i])))
		fmt.Fprintf(&b, `<text x="%s" y="%d" font-size="%d" fill="%s">%d</text>`, num(hbarLabel+w+4), y+16, chartFont, chartText, c.Values[i])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text is escaped by esc
}

// svgOpen writes the chart's opening tag, title and description.
func svgOpen(b *strings.Builder, id, title, desc string, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">`,
		esc(id), esc(id), esc(id), w, h)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
}

// niceMax is the top of a scale that holds v: 1, 2 or 5 times a power
// of ten, at least 1.
func niceMax(v int) int {
	if v <= 1 {
		return 1
	}
	p := int(math.Pow(10, math.Floor(math.Log10(float64(v)))))
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func spanOf(spans []string, i int) string {
	if i < len(spans) {
		return spans[i]
	}
	return ""
}

// num writes a coordinate with at most two decimals.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// esc escapes text for an SVG element or attribute, in a form both
// HTML and XML read.
func esc(s string) string { return html.EscapeString(s) }
