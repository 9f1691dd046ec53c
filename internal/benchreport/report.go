package benchreport

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
)

// Command is the command that measures and prints the report.
const Command = "make bench-report"

// Markers around the generated block in docs/scaling.md.
const (
	BeginMarker = "<!-- bench-report:begin -->"
	EndMarker   = "<!-- bench-report:end -->"
)

// Report is one run: where and when, the bounds, and the achieved rate
// of each workload.
type Report struct {
	Date    time.Time // start of the run
	Commit  string    // short hash, "+dirty" if the tree had changes
	Go      string    // Go version and platform
	CPU     string    // CPU model
	Cores   int       // logical CPUs
	LoadAvg string    // /proc/loadavg's 1, 5 and 15 minute averages before the run

	Concurrency int           // load-generator workers of each workload
	Duration    time.Duration // of each workload
	BoundTime   time.Duration // of each bound measurement

	Bounds Bounds

	// Refresh[alg][rotation]: alg 0 RS256, 1 ES256; rotation 0 off, 1 on.
	Refresh [2][2]Achieved
	// RefreshNoID: RS256, rotation off, a client without the ID token on
	// refresh (as init alexa makes it): one signature per refresh.
	RefreshNoID Achieved
	Link        Achieved // hosted sign-in and code exchange
	ReportState Achieved
	TurnOn      Achieved
}

// FromLoad is the Achieved of operation op of a loadtest report.
func FromLoad(r *loadtest.Report, op string) Achieved {
	for _, o := range r.Ops {
		if o.Op == op {
			return Achieved{Count: o.Count, OK: o.OK, PerSecond: o.PerSecond, P99: o.P99}
		}
	}
	return Achieved{}
}

// Row is one workload: its rate and the bound that limits it.
type Row struct {
	Workload string
	Achieved Achieved
	// Limit names the bound; Bound is its rate in workload operations
	// per second.
	Limit string
	Bound float64
}

// Percent is the achieved rate as a percentage of the bound; 0 if the
// bound is not positive.
func (r Row) Percent() float64 {
	if r.Bound <= 0 {
		return 0
	}
	return 100 * r.Achieved.PerSecond / r.Bound
}

// Workloads names the rows, in order.
var Workloads = []string{
	"Refresh, RS256, rotation off",
	"Refresh, RS256, rotation on",
	"Refresh, ES256, rotation off",
	"Refresh, ES256, rotation on",
	"Link (hosted sign-in, code exchange)",
	"ReportState directive",
	"TurnOn directive",
	"Refresh, RS256, no ID token (init alexa's client)",
}

// limit is one candidate bound of a workload.
type limit struct {
	name string
	rate float64
}

// tightest returns the smallest of the candidate bounds.
func tightest(ls ...limit) limit {
	best := ls[0]
	for _, l := range ls[1:] {
		if l.rate < best.rate {
			best = l
		}
	}
	return best
}

// Rows relates each workload to its bound on this machine, all cores
// busy:
//
//   - a refresh signs two tokens (ID and access): half the signatures per
//     second; with rotation it also commits the rotated token, so the
//     SQLite commit rate bounds it too, whichever is lower;
//   - a link verifies one password: the argon2id verifies per second at
//     the server's hash concurrency (its two signatures and commits cost
//     far less);
//   - a directive verifies the access token (RS256); TurnOn also commits
//     the lamp's new state;
//   - a refresh by a client that leaves the ID token out signs once.
func (r *Report) Rows() []Row {
	b := r.Bounds
	signs := func(alg string, rate Rate) limit {
		return limit{fmt.Sprintf("two %s signatures", alg), rate.AllCores / 2}
	}
	commit := limit{"one SQLite commit", b.Commit}
	verify := limit{"one RS256 verification", b.VerifyRS256.AllCores}
	argon := limit{fmt.Sprintf("one argon2id verify, %d at once", b.HashConcurrency), b.Argon2.AllCores}
	refresh := func(alg string, rate Rate, rot int) limit {
		if rot == 0 {
			return signs(alg, rate)
		}
		return tightest(signs(alg, rate), commit)
	}
	rows := make([]Row, 0, len(Workloads))
	add := func(a Achieved, l limit) {
		rows = append(rows, Row{Workload: Workloads[len(rows)], Achieved: a, Limit: l.name, Bound: l.rate})
	}
	for rot := range 2 {
		add(r.Refresh[0][rot], refresh("RS256", b.SignRS256, rot))
	}
	for rot := range 2 {
		add(r.Refresh[1][rot], refresh("ES256", b.SignES256, rot))
	}
	add(r.Link, argon)
	add(r.ReportState, verify)
	add(r.TurnOn, tightest(verify, commit))
	add(r.RefreshNoID, limit{"one RS256 signature", b.SignRS256.AllCores})
	return rows
}

const (
	dateLayout  = "2006-01-02 15:04 UTC"
	boundsTitle = "Bounds, measured in the load generator's process before and after the load (the server idle), the higher of the two:"
	boundsHead  = "| Bound | one core | all cores |"
	boundsSep   = "|---|---|---|"
	ratesTitle  = "Achieved through HTTP: one `linkpool serve` on SQLite, the load generator in a separate process:"
	ratesHead   = "| Workload | achieved/s | p99 | limited by | bound/s | of bound |"
	ratesSep    = "|---|---|---|---|---|---|"
	noFailures  = "No request failed."
)

// boundNames label the rows of the bounds table, in order.
func boundNames(b Bounds) []string {
	p := b.Argon2Params
	return []string{
		"RS256 signature (token signer)",
		"ES256 signature (token signer)",
		"RS256 verification",
		fmt.Sprintf("argon2id verify (m=%d KiB, t=%d, p=%d; all cores: %d at once)", p.Memory, p.Time, p.Threads, b.HashConcurrency),
		fmt.Sprintf("write+fsync of %d bytes in the data directory", FsyncBytes),
		"SQLite commit in the data directory (WAL, synchronous=FULL)",
	}
}

// FormatRate prints a rate per second: whole numbers from 100, one
// decimal below.
func FormatRate(v float64) string {
	if v >= 99.95 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func intro(workers int, d, bound time.Duration) string {
	return fmt.Sprintf("Measured with `%s`: %d workers for %s per workload, each bound for %s.", Command, workers, d, bound)
}

// WriteMarkdown prints the block that goes between BeginMarker and
// EndMarker in docs/scaling.md.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintln(&b, intro(r.Concurrency, r.Duration, r.BoundTime))
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "- Date: %s\n", r.Date.UTC().Format(dateLayout))
	fmt.Fprintf(&b, "- Commit: %s\n", r.Commit)
	fmt.Fprintf(&b, "- Go: %s\n", r.Go)
	fmt.Fprintf(&b, "- CPU: %s, %d cores\n", r.CPU, r.Cores)
	fmt.Fprintf(&b, "- Load average before the run: %s\n", r.LoadAvg)
	fmt.Fprintf(&b, "\n%s\n\n%s\n%s\n", boundsTitle, boundsHead, boundsSep)
	bs := r.Bounds
	one := func(v float64) string { return FormatRate(v) + "/s" }
	for i, rate := range []Rate{bs.SignRS256, bs.SignES256, bs.VerifyRS256, bs.Argon2, {OneCore: bs.Fsync}, {OneCore: bs.Commit}} {
		all := "—"
		if i < 4 {
			all = one(rate.AllCores)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", boundNames(bs)[i], one(rate.OneCore), all)
	}
	fmt.Fprintf(&b, "\n%s\n\n%s\n%s\n", ratesTitle, ratesHead, ratesSep)
	var failed []string
	for _, row := range r.Rows() {
		a := row.Achieved
		fmt.Fprintf(&b, "| %s | %s | %.1f ms | %s | %s | %.0f %% |\n", row.Workload, FormatRate(a.PerSecond),
			float64(a.P99)/float64(time.Millisecond), row.Limit, FormatRate(row.Bound), row.Percent())
		if n := a.Failed(); n > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d of %d", row.Workload, n, a.Count))
		}
	}
	fmt.Fprintln(&b)
	if len(failed) == 0 {
		fmt.Fprintln(&b, noFailures)
	} else {
		fmt.Fprintf(&b, "Failed requests: %s.\n", strings.Join(failed, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
