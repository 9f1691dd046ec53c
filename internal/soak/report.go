package soak

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what a soak observed.
type Report struct {
	Database  string        `json:"database"`
	Instances int           `json:"instances"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Simulated time.Duration `json:"simulated_ns"`
	Wall      time.Duration `json:"wall_ns"`
	Links     int           `json:"links"`

	Refreshes  Counts `json:"refreshes"`
	Directives Counts `json:"directives"`
	// Transient counts the diagnoses of failed or retried attempts by
	// code (TRANSIENT_RETRY, REFRESH_FAILED, skill error types...).
	Transient map[string]int `json:"transient"`
	// LostResponses counts token responses dropped on the way to Alexa.
	LostResponses int `json:"lost_responses"`
	// Rotations counts signing-key rotations made, RotationsRefused
	// those refused because the next key was not ready.
	Rotations        int `json:"rotations"`
	RotationsRefused int `json:"rotations_refused"`
	// GarbageCollections counts the collections of expired rows.
	GarbageCollections int `json:"garbage_collections"`

	Events  []Event  `json:"events"`
	Unlinks []Unlink `json:"unlinks"`
	// Failures are the first failures that count against the soak.
	Failures []string `json:"failures,omitempty"`

	// Unexpected counts unlinks no event called for; FailedEvents the
	// events whose outcome was not the expected one; Undisrupted the
	// refreshes and directives that finally failed while no event
	// disrupted the deployment.
	Unexpected   int `json:"unexpected_unlinks"`
	FailedEvents int `json:"failed_events"`
	Undisrupted  int `json:"failures_outside_events"`
}

// Counts are the outcomes of refreshes or directives. Retried ones
// succeeded after a transient failure; Failed ones failed every attempt
// (the link stays linked and Alexa tries again later).
type Counts struct {
	OK      int `json:"ok"`
	Retried int `json:"retried"`
	Failed  int `json:"failed"`
}

// Event is a scheduled event and its outcome.
type Event struct {
	At      time.Time     `json:"at"`
	Offset  time.Duration `json:"offset_ns"`
	Name    string        `json:"name"`
	Outcome string        `json:"outcome"`
	OK      bool          `json:"ok"`
}

// Unlink is a link Alexa dropped.
type Unlink struct {
	At       time.Time `json:"at"`
	Link     string    `json:"link"`
	Code     string    `json:"code"`
	Reason   string    `json:"reason"`
	Expected bool      `json:"expected"`
	// Why is the event that called for an expected unlink.
	Why string `json:"why,omitempty"`
}

// OK reports whether the soak passed: no unexpected unlink, every event
// as expected, and no failure outside the events' disruptions.
func (r *Report) OK() bool {
	return r.Unexpected == 0 && r.FailedEvents == 0 && r.Undisrupted == 0
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	day := func(d time.Duration) string { return fmt.Sprintf("day %6.2f", d.Hours()/24) }
	fmt.Fprintf(w, "Soak: %s, %d instance(s), %d link(s)\n", r.Database, r.Instances, r.Links)
	fmt.Fprintf(w, "  simulated   %s (%s to %s)\n", fmtSpan(r.Simulated), r.Start.UTC().Format(time.RFC3339), r.End.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "  wall time   %s\n", r.Wall.Round(time.Millisecond))
	fmt.Fprintf(w, "  refreshes   %d ok (%d after a retry), %d failed\n", r.Refreshes.OK, r.Refreshes.Retried, r.Refreshes.Failed)
	fmt.Fprintf(w, "  directives  %d ok (%d after a retry), %d failed\n", r.Directives.OK, r.Directives.Retried, r.Directives.Failed)
	fmt.Fprintf(w, "  key rotations %d (%d refused as expected), lost token responses %d, garbage collections %d\n",
		r.Rotations, r.RotationsRefused, r.LostResponses, r.GarbageCollections)
	if len(r.Transient) > 0 {
		codes := make([]string, 0, len(r.Transient))
		for c := range r.Transient {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s %d", c, r.Transient[c])
		}
		fmt.Fprintf(w, "  failed or retried attempts, by diagnosis: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, "Events:")
	for _, e := range r.Events {
		mark := "ok  "
		if !e.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s  %s: %s\n", mark, day(e.Offset), e.Name, e.Outcome)
	}
	fmt.Fprintln(w, "Unlinks:")
	if len(r.Unlinks) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, u := range r.Unlinks {
		kind := "expected  "
		if !u.Expected {
			kind = "UNEXPECTED"
		}
		why := ""
		if u.Why != "" {
			why = " [" + u.Why + "]"
		}
		fmt.Fprintf(w, "  %s %s  %s: %s: %s%s\n", kind, day(u.At.Sub(r.Start)), u.Link, u.Code, u.Reason, why)
	}
	if len(r.Failures) > 0 {
		fmt.Fprintln(w, "Failures:")
		for _, f := range r.Failures {
			fmt.Fprintln(w, "  "+f)
		}
	}
	if r.OK() {
		fmt.Fprintln(w, "PASS: no unexpected unlink")
		return
	}
	fmt.Fprintf(w, "FAIL: %d unexpected unlink(s), %d failed event(s), %d failure(s) outside the events\n", r.Unexpected, r.FailedEvents, r.Undisrupted)
}

func fmtSpan(d time.Duration) string {
	return fmt.Sprintf("%.1f days (%v)", d.Hours()/24, d)
}
