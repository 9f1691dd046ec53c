package loadtest

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// ScalingDeployments label the rows of the throughput tables of
// docs/scaling.md, in order: the deployments test/cluster's
// BenchmarkLoad measures.
var ScalingDeployments = [3]string{"SQLite, 1", "PostgreSQL, 1", "PostgreSQL, 2"}

// Markers around the generated block in docs/scaling.md.
const (
	ScalingBegin = "<!-- scaling-tables:begin -->"
	ScalingEnd   = "<!-- scaling-tables:end -->"
)

// ScalingCommand is the command that measures and prints the block.
const ScalingCommand = "make scaling-tables"

// Scaling is one measurement of the throughput tables of
// docs/scaling.md: three workloads on each of ScalingDeployments, and
// where and when they ran.
type Scaling struct {
	Date       time.Time // start of the measurement
	Commit     string    // short hash of the source, "+dirty" if the tree had changes
	Machine    string    // CPU model, CPUs, memory, OS and kernel
	Go         string    // Go version and platform
	PostgreSQL string    // server version

	Users       int           // prepared per run
	Concurrency int           // workers per run
	Duration    time.Duration // measured phase of each run

	// Reports of each workload, indexed like ScalingDeployments:
	// refreshes only without and with rotation, and DefaultMix.
	Refresh, RefreshRotate, Mix [3]*Report
}

// Titles of the three tables.
const (
	scalingRefreshTitle = "Refreshes only, rotation off (Alexa's steady state):"
	scalingRotateTitle  = "Refreshes only, rotation on (every refresh writes):"
	scalingRefreshHead  = "| Store, instances | refreshes/s | p50 | p95 | p99 |"
	scalingRefreshSep   = "|---|---|---|---|---|"
	scalingMixHead      = "| Store, instances | total/s | refresh/s (p99) | sign-in/s (p99) | sign-up/s (p99) |"
	scalingMixSep       = "|---|---|---|---|---|"
	scalingNoFailures   = "No request failed in any run."
	scalingDateLayout   = "2006-01-02 15:04 UTC"
)

func scalingMixTitle() string {
	return fmt.Sprintf("Default mix (refresh %d, sign-in and code exchange %d, sign-up and code exchange %d), per operation\n"+
		"successes per second and p99; a sign-in or sign-up spans the whole flow (two or three pages and the code\n"+
		"exchange):", DefaultMix.Refresh, DefaultMix.Code, DefaultMix.SignUp)
}

func scalingIntro(users, workers int, d time.Duration) string {
	return fmt.Sprintf("Measured with `%s`: %d users prepared and %d workers for %s in each run.", ScalingCommand, users, workers, d)
}

// WriteMarkdown prints the block that goes between ScalingBegin and
// ScalingEnd in docs/scaling.md: a header saying when, at which commit
// and on what machine it was measured, the three tables, and the
// failures. Every report must be present.
func (s *Scaling) WriteMarkdown(w io.Writer) error {
	for i, set := range [][3]*Report{s.Refresh, s.RefreshRotate, s.Mix} {
		for j, r := range set {
			if r == nil {
				return fmt.Errorf("loadtest: scaling: no report for workload %d on %s", i+1, ScalingDeployments[j])
			}
		}
	}
	var b strings.Builder
	fmt.Fprintln(&b, scalingIntro(s.Users, s.Concurrency, s.Duration))
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "- Date: %s\n", s.Date.UTC().Format(scalingDateLayout))
	fmt.Fprintf(&b, "- Commit: %s\n", s.Commit)
	fmt.Fprintf(&b, "- Machine: %s\n", s.Machine)
	fmt.Fprintf(&b, "- Go: %s\n", s.Go)
	fmt.Fprintf(&b, "- PostgreSQL: %s\n", s.PostgreSQL)
	for _, t := range []struct {
		title string
		set   [3]*Report
	}{{scalingRefreshTitle, s.Refresh}, {scalingRotateTitle, s.RefreshRotate}} {
		fmt.Fprintf(&b, "\n%s\n\n%s\n%s\n", t.title, scalingRefreshHead, scalingRefreshSep)
		for i, r := range t.set {
			o := r.op(OpRefresh)
			fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s |\n", ScalingDeployments[i], o.PerSecond, msText(o.P50), msText(o.P95), msText(o.P99))
		}
	}
	fmt.Fprintf(&b, "\n%s\n\n%s\n%s\n", scalingMixTitle(), scalingMixHead, scalingMixSep)
	for i, r := range s.Mix {
		re, co, su := r.op(OpRefresh), r.op(OpCode), r.op(OpSignUp)
		fmt.Fprintf(&b, "| %s | %.0f | %.0f (%.0f ms) | %.1f (%.0f ms) | %.1f (%.0f ms) |\n", ScalingDeployments[i], r.Total.PerSecond,
			re.PerSecond, msFloat(re.P99), co.PerSecond, msFloat(co.P99), su.PerSecond, msFloat(su.P99))
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, s.failures())
	_, err := io.WriteString(w, b.String())
	return err
}

// failures is the closing sentence: no failure, or which runs failed
// how often.
func (s *Scaling) failures() string {
	var parts []string
	for _, set := range []struct {
		name string
		set  [3]*Report
	}{{"refreshes only, rotation off", s.Refresh}, {"refreshes only, rotation on", s.RefreshRotate}, {"default mix", s.Mix}} {
		for i, r := range set.set {
			if n := r.ErrorCount(); n > 0 {
				parts = append(parts, fmt.Sprintf("%s, %s: %d of %d", set.name, ScalingDeployments[i], n, r.Total.Count))
			}
		}
	}
	if len(parts) == 0 {
		return scalingNoFailures
	}
	return "Failed requests (the benchmark's log has their errors): " + strings.Join(parts, "; ") + "."
}

// op returns the report of one operation; zero if the run had none.
func (r *Report) op(name string) OpReport {
	for _, o := range r.Ops {
		if o.Op == name {
			return o
		}
	}
	return OpReport{Op: name}
}

func msFloat(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func msText(d time.Duration) string { return fmt.Sprintf("%.1f ms", msFloat(d)) }

// ScalingBlock returns what lies between ScalingBegin and ScalingEnd
// in doc, without the newlines next to the markers.
func ScalingBlock(doc string) (string, error) { return Between(doc, ScalingBegin, ScalingEnd) }

var (
	scalingIntroRE = regexp.MustCompile("^Measured with `" + regexp.QuoteMeta(ScalingCommand) + "`: [1-9][0-9]* users prepared and [1-9][0-9]* workers for [0-9hmsµn.]+ in each run\\.$")
	scalingHeadRE  = []*regexp.Regexp{
		regexp.MustCompile(`^- Date: (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)$`),
		regexp.MustCompile(`^- Commit: [0-9a-f]{7,40}(\+dirty)?$`),
		regexp.MustCompile(`^- Machine: \S.*, [1-9][0-9]* CPUs, [0-9.]+ GiB memory, \S.*$`),
		regexp.MustCompile(`^- Go: go[0-9]\S* \S+/\S+$`),
		regexp.MustCompile(`^- PostgreSQL: [0-9]+\S*.*$`),
	}
	num           = `(?:0|[1-9][0-9]*)`
	scalingRefRow = regexp.MustCompile(`^\| (.+?) \| ` + num + ` \| ` + num + `\.[0-9] ms \| ` + num + `\.[0-9] ms \| ` + num + `\.[0-9] ms \|$`)
	scalingMixRow = regexp.MustCompile(`^\| (.+?) \| ` + num + ` \| ` + num + ` \(` + num + ` ms\) \| ` + num + `\.[0-9] \(` + num + ` ms\) \| ` + num + `\.[0-9] \(` + num + ` ms\) \|$`)
	scalingFailRE = regexp.MustCompile(`^(` + regexp.QuoteMeta(scalingNoFailures) + `|Failed requests \(the benchmark's log has their errors\): .+\.)$`)
)

// CheckScalingMarkdown reports whether block, the text between the
// markers, is in the form WriteMarkdown prints: the header with date,
// commit, machine, Go and PostgreSQL, the three tables with one row per
// deployment in order, and the failures sentence. The first mismatch is
// named by its line number within the block.
func CheckScalingMarkdown(block string) error {
	b, err := NewBlock("scaling tables", block)
	if err != nil {
		return err
	}
	if err := b.Match("the line naming the command ("+ScalingCommand+"), users, workers and duration", scalingIntroRE.MatchString); err != nil {
		return err
	}
	if err := b.Exact(""); err != nil {
		return err
	}
	heads := []string{"Date: YYYY-MM-DD HH:MM UTC", "Commit: short hash[+dirty]", "Machine: CPU, N CPUs, M GiB memory, OS", "Go: version os/arch", "PostgreSQL: server version"}
	for i, re := range scalingHeadRE {
		if err := b.Match("- "+heads[i], re.MatchString); err != nil {
			return err
		}
		if i == 0 {
			if _, err := time.Parse(scalingDateLayout, b.Line()[len("- Date: "):]); err != nil {
				return b.Fail("a valid date")
			}
		}
	}
	tables := []struct {
		title, head, sep string
		row              *regexp.Regexp
	}{
		{scalingRefreshTitle, scalingRefreshHead, scalingRefreshSep, scalingRefRow},
		{scalingRotateTitle, scalingRefreshHead, scalingRefreshSep, scalingRefRow},
		{scalingMixTitle(), scalingMixHead, scalingMixSep, scalingMixRow},
	}
	for _, t := range tables {
		if err := b.Exact("\n" + t.title + "\n\n" + t.head + "\n" + t.sep); err != nil {
			return err
		}
		for _, dep := range ScalingDeployments {
			if err := b.Match("the row of "+dep, func(l string) bool {
				m := t.row.FindStringSubmatch(l)
				return m != nil && m[1] == dep
			}); err != nil {
				return err
			}
		}
	}
	if err := b.Exact(""); err != nil {
		return err
	}
	if err := b.Match("the failures sentence", scalingFailRE.MatchString); err != nil {
		return err
	}
	return b.End()
}
