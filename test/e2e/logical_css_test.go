package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// physicalProperty matches a CSS declaration tied to the left or right
// side, which dir="rtl" would not mirror.
var physicalProperty = regexp.MustCompile(`(?i)(^|[\s;{])((margin|padding|border)-(left|right)(-[a-z]+)?|left|right|inset-(left|right))\s*:|(text-align|float|clear)\s*:\s*(left|right)`)

// cssComment is a CSS comment.
var cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// TestStylesheetsUseLogicalProperties: the hosted pages' and the /lamps
// page's stylesheets use logical properties only (margin-inline-start,
// text-align: start, …), so an Arabic page mirrors without rules of its
// own. The browser tests check the rendered pages; this check names the
// line that would break them.
func TestStylesheetsUseLogicalProperties(t *testing.T) {
	for _, path := range []string{
		"../../internal/hostedui/static/style.css",
		"../../internal/smarthome/web/static/style.css",
	} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		css := cssComment.ReplaceAllStringFunc(string(raw), func(c string) string {
			return strings.Repeat("\n", strings.Count(c, "\n"))
		})
		for i, line := range strings.Split(css, "\n") {
			if m := physicalProperty.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is tied to a side; use its logical form", path, i+1, strings.TrimSpace(m))
			}
		}
	}
}

// TestPhysicalPropertyPattern: the check above finds what it must and
// leaves logical properties alone.
func TestPhysicalPropertyPattern(t *testing.T) {
	for _, bad := range []string{"a { margin-left: 4px }", "p{padding-right:0}", ".x { text-align: left; }", "i { float: right }", "b { left: 0 }", "td { border-right-width: 1px }"} {
		if !physicalProperty.MatchString(bad) {
			t.Errorf("not caught: %s", bad)
		}
	}
	for _, good := range []string{"a { margin-inline-start: 4px }", ".x { text-align: start; }", "b { inset-inline-start: 0 }", "p { padding-inline: 0 }", "b { border-inline-end: 1px solid }"} {
		if physicalProperty.MatchString(good) {
			t.Errorf("wrongly caught: %s", good)
		}
	}
}
