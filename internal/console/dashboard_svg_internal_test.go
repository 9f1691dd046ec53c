package console

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestBarChartSVG: a bar chart is well-formed XML with one bar per
// bucket and series, heights in proportion on a scale of 1, 2 or 5
// times a power of ten, and its texts escaped.
func TestBarChartSVG(t *testing.T) {
	c := barChart{
		ID: "c1", Title: `Links <made> & "kept"`, Desc: "d",
		Labels: []string{"10:00", "10:05", "10:10"}, Spans: []string{"a", "b", "c"},
		Series: []chartSeries{{Name: "codes <x>", Values: []int{0, 20, 7}}, {Name: "exchanges", Values: []int{1, 19, 7}}},
	}
	bars, texts := parseSVG(t, string(c.SVG()))
	if len(bars) != 6 {
		t.Fatalf("%d bars, want 6", len(bars))
	}
	// Scale 20: the bar of 20 fills the plot, the one of 0 is flat.
	if bars[2].height != chartPlotH || bars[0].height != 0 || bars[1].height != chartPlotH/20 {
		t.Errorf("heights %v", bars)
	}
	if bars[2].title != "b · codes <x>: 20" {
		t.Errorf("bar title %q", bars[2].title)
	}
	if !contains(texts, `Links <made> & "kept"`) || !contains(texts, "20") || !contains(texts, "10") {
		t.Errorf("texts %q", texts)
	}
	// A scale of 1 has lines at 0 and 1, none at a half.
	flat := barChart{ID: "c2", Labels: []string{"a"}, Series: []chartSeries{{Name: "s", Values: []int{0}}}}
	if _, texts := parseSVG(t, string(flat.SVG())); !slices.Equal(texts, []string{"0", "1", "a"}) {
		t.Errorf("texts of a flat chart %q, want the axis 0, 1 and the label", texts)
	}
	for v, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 10: 10, 11: 20, 99: 100, 101: 200, 4500: 5000} {
		if got := niceMax(v); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", v, got, want)
		}
	}
}

// TestHBarChartSVG: a bar per category, the longest filling the room.
func TestHBarChartSVG(t *testing.T) {
	c := hbarChart{ID: "e", Title: "t", Desc: "d", Names: []string{"invalid_grant", "invalid_client"}, Values: []int{4, 2}}
	bars, _ := parseSVG(t, string(c.SVG()))
	if len(bars) != 2 || bars[0].width != 2*bars[1].width || bars[0].title != "invalid_grant: 4" {
		t.Errorf("bars %+v", bars)
	}
}

type svgBar struct {
	height, width float64
	title         string
}

// parseSVG reads an SVG as strict XML and returns its bars and texts.
func parseSVG(t *testing.T, src string) ([]svgBar, []string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = true
	var bars []svgBar
	var texts []string
	inBar := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return bars, texts
		}
		if err != nil {
			t.Fatalf("not well-formed: %v: %s", err, src)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "script" {
				t.Fatal("a script in the SVG")
			}
			if tok.Name.Local == "rect" {
				var b svgBar
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "height":
						b.height = parseNum(a.Value)
					case "width":
						b.width = parseNum(a.Value)
					}
				}
				bars = append(bars, b)
				inBar = true
			}
		case xml.CharData:
			if inBar {
				bars[len(bars)-1].title = string(tok)
				inBar = false
			} else if s := strings.TrimSpace(string(tok)); s != "" {
				texts = append(texts, s)
			}
		case xml.EndElement:
			if tok.Name.Local == "rect" {
				inBar = false
			}
		}
	}
}

func parseNum(s string) float64 {
	var f float64
	_, _ = fmt.Sscan(s, &f)
	return f
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
