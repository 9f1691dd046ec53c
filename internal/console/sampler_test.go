package console_test

import (
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/testclock"
)

// samplerAt returns a registry, a clock at 12:00:30 UTC and a Sampler of
// the registry on that clock.
func samplerAt(t *testing.T) (*prometheus.Registry, *testclock.Clock, *console.Sampler) {
	t.Helper()
	reg := prometheus.NewRegistry()
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	return reg, clock, console.NewSampler(reg, clock.Now, nil)
}

func codesCounter() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: console.MetricCodesIssued, Help: "codes"})
}

// TestSamplerBuckets: the increases between samples land in the
// five-minute buckets of the hour the later sample falls in, and sum to
// the hour's increase.
func TestSamplerBuckets(t *testing.T) {
	reg, clock, s := samplerAt(t)
	codes := codesCounter()
	reg.MustRegister(codes)
	codes.Add(7) // before the first sample: not in any window
	s.Sample()
	for _, step := range []struct {
		add     float64
		advance time.Duration
	}{{3, time.Minute}, {2, 4 * time.Minute}, {5, 10 * time.Minute}, {0, time.Minute}, {1, 30 * time.Second}} {
		codes.Add(step.add)
		clock.Advance(step.advance)
		s.Sample()
	}
	// Samples at 12:00:30 (7), 12:01:30 (10), 12:05:30 (12), 12:15:30
	// (17), 12:16:30 (17), 12:17:00 (18).
	w := console.Window(clock.Now(), time.Hour, 5*time.Minute)
	if w.N != 12 || !w.End.Equal(time.Date(2026, 3, 1, 12, 20, 0, 0, time.UTC)) {
		t.Fatalf("window %+v", w)
	}
	counts, since := s.Counts(w, console.Series(console.MetricCodesIssued))
	want := make([]float64, 12)
	want[8] = 3  // (12:00, 12:05]: at 12:01:30
	want[9] = 2  // (12:05, 12:10]: at 12:05:30
	want[11] = 6 // (12:15, 12:20]: 5 + 0 + 1 at 12:15:30, 12:16:30, 12:17:00
	if !slices.Equal(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	if !since.Equal(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)) {
		t.Errorf("since %v, want the first sample", since)
	}
	day := console.Window(clock.Now(), 24*time.Hour, time.Hour)
	counts, _ = s.Counts(day, console.Series(console.MetricCodesIssued))
	if len(counts) != 24 || counts[23] != 11 || sum(counts) != 11 {
		t.Errorf("day counts %v, want 11 in the last hour", counts)
	}
}

// TestSamplerCounterReset: a counter that goes down started again from
// zero, so it grew by its new value; a series that appears between two
// samples grew from zero.
func TestSamplerCounterReset(t *testing.T) {
	reg, clock, s := samplerAt(t)
	codes := codesCounter()
	reg.MustRegister(codes)
	codes.Add(10)
	s.Sample()
	codes.Add(5)
	clock.Advance(time.Minute)
	s.Sample() // +5
	reg.Unregister(codes)
	restarted := codesCounter()
	reg.MustRegister(restarted)
	restarted.Add(4)
	clock.Advance(time.Minute)
	s.Sample() // reset: +4
	restarted.Add(2)
	clock.Advance(time.Minute)
	s.Sample() // +2
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: console.MetricTokenErrors, Help: "errors"}, []string{"error"})
	reg.MustRegister(errs)
	errs.WithLabelValues("invalid_grant").Add(3)
	clock.Advance(time.Minute)
	s.Sample()
	errs.WithLabelValues("invalid_client").Inc()
	errs.WithLabelValues("invalid_grant").Inc()
	clock.Advance(time.Minute)
	s.Sample()

	w := console.Window(clock.Now(), time.Hour, time.Hour)
	if got, _ := s.Counts(w, console.Series(console.MetricCodesIssued)); got[0] != 11 {
		t.Errorf("codes over a reset: %v, want 11", got)
	}
	if got, _ := s.Counts(w, console.Series(console.MetricTokenErrors+"/invalid_grant")); got[0] != 4 {
		t.Errorf("invalid_grant: %v, want 4", got)
	}
	if got, _ := s.Counts(w, console.Family(console.MetricTokenErrors)); got[0] != 5 {
		t.Errorf("all token errors: %v, want 5", got)
	}
	if got := s.Labels(console.MetricTokenErrors); !slices.Equal(got, []string{"invalid_client", "invalid_grant"}) {
		t.Errorf("labels %v", got)
	}
}

// TestSamplerIsBounded: past SampleCapacity samples the oldest are
// dropped: a window longer than the ring counts only what the kept
// samples saw, and a day's window has the sample before it as baseline.
func TestSamplerIsBounded(t *testing.T) {
	reg, clock, s := samplerAt(t)
	codes := codesCounter()
	reg.MustRegister(codes)
	for range 100 { // a busy first hour and a half, dropped later
		s.Sample()
		codes.Add(1000)
		clock.Advance(time.Minute)
	}
	for range console.SampleCapacity {
		s.Sample()
		codes.Inc()
		clock.Advance(time.Minute)
	}
	s.Sample()
	now := clock.Now() // 13:41:30 the next day
	oldest := now.Add(-time.Duration(console.SampleCapacity-1) * time.Minute)

	long := console.Window(now, 48*time.Hour, time.Hour)
	counts, since := s.Counts(long, console.Series(console.MetricCodesIssued))
	if got := sum(counts); got != console.SampleCapacity-1 || !since.Equal(oldest) {
		t.Errorf("48 hours: %v since %v, want %d since the oldest kept sample %v", got, since, console.SampleCapacity-1, oldest)
	}

	day := console.Window(now, 24*time.Hour, time.Hour)
	counts, since = s.Counts(day, console.Series(console.MetricCodesIssued))
	// One a minute from 14:00:30 the day before to 13:41:30: 23 h 41 min
	// and the first.
	if got := sum(counts); got != 23*60+41+1 {
		t.Errorf("day: %v, want %d", got, 23*60+41+1)
	}
	if want := day.Start.Add(-30 * time.Second); !since.Equal(want) {
		t.Errorf("day since %v, want the baseline sample %v", since, want)
	}
	if counts[0] != 60 || counts[23] != 42 {
		t.Errorf("day buckets %v", counts)
	}
}

func sum(v []float64) float64 {
	var n float64
	for _, x := range v {
		n += x
	}
	return n
}

// BenchmarkSamplerFullDay: sampling and the dashboard's reads of a
// full ring (a day of minutes) of a busy registry: every token error
// code and sign-in failure reason.
func BenchmarkSamplerFullDay(b *testing.B) {
	reg := prometheus.NewRegistry()
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	s := console.NewSampler(reg, clock.Now, nil)
	codes := codesCounter()
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: console.MetricTokenErrors, Help: "errors"}, []string{"error"})
	grants := prometheus.NewCounterVec(prometheus.CounterOpts{Name: console.MetricTokenGrants, Help: "grants"}, []string{"grant_type"})
	reg.MustRegister(codes, errs, grants)
	for _, c := range []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "slow_down", "temporarily_unavailable"} {
		errs.WithLabelValues(c)
	}
	for range console.SampleCapacity {
		codes.Inc()
		grants.WithLabelValues("refresh_token").Add(3)
		errs.WithLabelValues("invalid_grant").Inc()
		s.Sample()
		clock.Advance(time.Minute)
	}
	b.Run("Sample", func(b *testing.B) {
		for b.Loop() {
			codes.Inc()
			s.Sample()
			clock.Advance(time.Minute)
		}
	})
	b.Run("CountsDay", func(b *testing.B) {
		w := console.Window(clock.Now(), 24*time.Hour, time.Hour)
		for b.Loop() {
			s.Counts(w, console.Family(console.MetricTokenErrors))
		}
	})
}
