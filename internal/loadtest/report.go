package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	// Prepared users were signed up and linked before the measured
	// phase, which took PrepareTime.
	Prepared    int           `json:"prepared_users"`
	PrepareTime time.Duration `json:"prepare_ns"`
	Concurrency int           `json:"concurrency"`
	Mix         string        `json:"mix"`
	// Duration is the measured phase, from its start to the end of its
	// last operation.
	Duration time.Duration `json:"duration_ns"`
	Ops      []OpReport    `json:"ops"`
	Total    OpReport      `json:"total"`
}

// OpReport summarises one operation. Latencies are of successful
// operations; a code or signup operation spans the whole flow, pages
// and code exchange included.
type OpReport struct {
	Op     string         `json:"op"`
	Count  int            `json:"count"`
	OK     int            `json:"ok"`
	Errors map[string]int `json:"errors,omitempty"`
	// PerSecond is successful operations per second of the run.
	PerSecond float64       `json:"per_second"`
	P50       time.Duration `json:"p50_ns"`
	P95       time.Duration `json:"p95_ns"`
	P99       time.Duration `json:"p99_ns"`
	Max       time.Duration `json:"max_ns"`
}

// samples collects one operation's outcomes.
type samples struct {
	count  int
	lat    []time.Duration
	errors map[string]int
}

func (s *samples) merge(o *samples) {
	s.count += o.count
	s.lat = append(s.lat, o.lat...)
	for k, v := range o.errors {
		if s.errors == nil {
			s.errors = map[string]int{}
		}
		s.errors[k] += v
	}
}

func (s *samples) report(op string, d time.Duration) OpReport {
	r := OpReport{Op: op, Count: s.count, OK: len(s.lat), Errors: s.errors}
	if d > 0 {
		r.PerSecond = float64(r.OK) / d.Seconds()
	}
	if len(s.lat) > 0 {
		slices.Sort(s.lat)
		r.P50, r.P95, r.P99 = quantile(s.lat, 0.50), quantile(s.lat, 0.95), quantile(s.lat, 0.99)
		r.Max = s.lat[len(s.lat)-1]
	}
	return r
}

// quantile returns the nearest-rank q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ErrorCount is the number of failed operations of the run.
func (r *Report) ErrorCount() int { return r.Total.Count - r.Total.OK }

// WriteText prints the report as a table.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "prepared %d users in %s (sign-up, sign-in and code exchange each)\n", r.Prepared, r.PrepareTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "ran %s with %d workers, mix %s\n\n", r.Duration.Round(time.Millisecond), r.Concurrency, r.Mix)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tcount\tok\terrors\tok/s\tp50\tp95\tp99\tmax\t")
	for _, o := range append(slices.Clone(r.Ops), r.Total) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", o.Op, o.Count, o.OK, o.Count-o.OK, o.PerSecond,
			ms(o.P50), ms(o.P95), ms(o.P99), ms(o.Max))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, o := range r.Ops {
		if len(o.Errors) == 0 {
			continue
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(o.Errors)) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, o.Errors[k]))
		}
		fmt.Fprintf(&b, "%s errors: %s\n", o.Op, strings.Join(parts, " "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
