package benchreport

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Block returns what lies between BeginMarker and EndMarker in doc,
// without the newlines next to the markers.
func Block(doc string) (string, error) {
	_, rest, ok := strings.Cut(doc, BeginMarker+"\n")
	if !ok {
		return "", fmt.Errorf("no line %q", BeginMarker)
	}
	block, _, ok := strings.Cut(rest, EndMarker)
	if !ok {
		return "", fmt.Errorf("no %q after %q", EndMarker, BeginMarker)
	}
	if strings.Contains(rest, BeginMarker) {
		return "", fmt.Errorf("%q appears more than once", BeginMarker)
	}
	return strings.TrimSuffix(block, "\n"), nil
}

var (
	// positive is a rate as FormatRate prints it, above zero.
	positive = `(?:[1-9][0-9]*(?:\.[0-9])?|0\.[1-9])`
	introRE  = regexp.MustCompile("^Measured with `" + regexp.QuoteMeta(Command) + "`: [1-9][0-9]* workers for [0-9hmsµn.]+ per workload, each bound for [0-9hmsµn.]+\\.$")
	headRE   = []*regexp.Regexp{
		regexp.MustCompile(`^- Date: (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)$`),
		regexp.MustCompile(`^- Commit: [0-9a-f]{7,40}(\+dirty)?$`),
		regexp.MustCompile(`^- Go: go[0-9]\S* \S+/\S+$`),
		regexp.MustCompile(`^- CPU: \S.*, [1-9][0-9]* cores$`),
		regexp.MustCompile(`^- Load average before the run: [0-9]+\.[0-9]+ [0-9]+\.[0-9]+ [0-9]+\.[0-9]+$`),
	}
	boundRowRE = regexp.MustCompile(`^\| (.+?) \| ` + positive + `/s \| (?:` + positive + `/s|—) \|$`)
	rateRowRE  = regexp.MustCompile(`^\| (.+?) \| ` + positive + ` \| [0-9]+\.[0-9] ms \| \S.* \| ` + positive + ` \| [0-9]+ % \|$`)
	failRE     = regexp.MustCompile(`^(` + regexp.QuoteMeta(noFailures) + `|Failed requests: .+\.)$`)
)

// CheckMarkdown reports whether block, the text between the markers, is
// in the form WriteMarkdown prints: the header with date, commit, Go, CPU
// and load average, the bounds table with a positive rate in every row,
// the workloads table with every workload in order and a positive rate
// and bound, and the failures sentence. The first mismatch is named by
// its line number within the block.
func CheckMarkdown(block string) error {
	if strings.TrimSpace(block) == "" {
		return fmt.Errorf("bench report: the block is empty")
	}
	lines := strings.Split(block, "\n")
	n := 0
	fail := func(what string) error {
		if n > len(lines) {
			return fmt.Errorf("bench report: the block ends before %s", what)
		}
		return fmt.Errorf("bench report: line %d %q: want %s", n, lines[n-1], what)
	}
	match := func(what string, ok func(string) bool) error {
		n++
		if n > len(lines) || !ok(lines[n-1]) {
			return fail(what)
		}
		return nil
	}
	exact := func(want string) error {
		for _, w := range strings.Split(want, "\n") {
			if err := match(fmt.Sprintf("%q", w), func(l string) bool { return l == w }); err != nil {
				return err
			}
		}
		return nil
	}
	if err := match("the line naming the command ("+Command+"), workers and durations", introRE.MatchString); err != nil {
		return err
	}
	if err := exact(""); err != nil {
		return err
	}
	heads := []string{"Date: YYYY-MM-DD HH:MM UTC", "Commit: short hash[+dirty]", "Go: version os/arch", "CPU: model, N cores", "Load average before the run: 1 5 15"}
	for i, re := range headRE {
		if err := match("- "+heads[i], re.MatchString); err != nil {
			return err
		}
		if i == 0 {
			if _, err := time.Parse(dateLayout, lines[n-1][len("- Date: "):]); err != nil {
				return fail("a valid date")
			}
		}
	}
	if err := exact("\n" + boundsTitle + "\n\n" + boundsHead + "\n" + boundsSep); err != nil {
		return err
	}
	for i := range len(boundNames(Bounds{})) {
		if err := match(fmt.Sprintf("bound row %d with positive rates", i+1), func(l string) bool {
			m := boundRowRE.FindStringSubmatch(l)
			return m != nil && (i > 3) == strings.HasSuffix(l, "| — |")
		}); err != nil {
			return err
		}
	}
	if err := exact("\n" + ratesTitle + "\n\n" + ratesHead + "\n" + ratesSep); err != nil {
		return err
	}
	for _, w := range Workloads {
		if err := match("the row of "+w+" with a positive rate and bound", func(l string) bool {
			m := rateRowRE.FindStringSubmatch(l)
			return m != nil && m[1] == w
		}); err != nil {
			return err
		}
	}
	if err := exact(""); err != nil {
		return err
	}
	if err := match("the failures sentence", failRE.MatchString); err != nil {
		return err
	}
	if n < len(lines) {
		n++
		return fail("the end of the block")
	}
	return nil
}
