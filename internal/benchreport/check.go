package benchreport

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
)

// Block returns what lies between BeginMarker and EndMarker in doc,
// without the newlines next to the markers.
func Block(doc string) (string, error) { return loadtest.Between(doc, BeginMarker, EndMarker) }

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
	b, err := loadtest.NewBlock("bench report", block)
	if err != nil {
		return err
	}
	if err := b.Match("the line naming the command ("+Command+"), workers and durations", introRE.MatchString); err != nil {
		return err
	}
	if err := b.Exact(""); err != nil {
		return err
	}
	heads := []string{"Date: YYYY-MM-DD HH:MM UTC", "Commit: short hash[+dirty]", "Go: version os/arch", "CPU: model, N cores", "Load average before the run: 1 5 15"}
	for i, re := range headRE {
		if err := b.Match("- "+heads[i], re.MatchString); err != nil {
			return err
		}
		if i == 0 {
			if _, err := time.Parse(dateLayout, b.Line()[len("- Date: "):]); err != nil {
				return b.Fail("a valid date")
			}
		}
	}
	if err := b.Exact("\n" + boundsTitle + "\n\n" + boundsHead + "\n" + boundsSep); err != nil {
		return err
	}
	for i := range len(boundNames(Bounds{})) {
		if err := b.Match(fmt.Sprintf("bound row %d with positive rates", i+1), func(l string) bool {
			m := boundRowRE.FindStringSubmatch(l)
			return m != nil && (i > 3) == strings.HasSuffix(l, "| — |")
		}); err != nil {
			return err
		}
	}
	if err := b.Exact("\n" + ratesTitle + "\n\n" + ratesHead + "\n" + ratesSep); err != nil {
		return err
	}
	for _, w := range Workloads {
		if err := b.Match("the row of "+w+" with a positive rate and bound", func(l string) bool {
			m := rateRowRE.FindStringSubmatch(l)
			return m != nil && m[1] == w
		}); err != nil {
			return err
		}
	}
	if err := b.Exact(""); err != nil {
		return err
	}
	if err := b.Match("the failures sentence", failRE.MatchString); err != nil {
		return err
	}
	return b.End()
}
