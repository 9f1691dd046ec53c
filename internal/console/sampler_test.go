package console_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/testclock"
)

// samplerAt returns a registry, a clock at 12:00:30 UTC and a Sampler of
// the registry on that clock that keeps its history in memory.
func samplerAt(t *testing.T) (*prometheus.Registry, *testclock.Clock, *console.Sampler) {
	t.Helper()
	reg := prometheus.NewRegistry()
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	return reg, clock, console.NewSampler(reg, clock.Now, nil)
}

func codesCounter() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: console.MetricCodesIssued, Help: "codes"})
}

// history returns s's history since the start of time.
func history(t testing.TB, s *console.Sampler) []store.MetricIncrease {
	t.Helper()
	incs, err := s.History(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return incs
}

// TestSamplerBuckets: the increases between samples are stamped with the
// minute the later sample falls in (rounded up) and land in the
// five-minute buckets that hold it, and sum to the hour's increase; the
// history counts since the first sample's minute.
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
	// (17), 12:16:30 (17), 12:17:00 (18): increases at 12:02, 12:06,
	// 12:16 and 12:17.
	incs := history(t, s)
	w := console.Window(clock.Now(), time.Hour, 5*time.Minute)
	if w.N != 12 || !w.End.Equal(time.Date(2026, 3, 1, 12, 20, 0, 0, time.UTC)) {
		t.Fatalf("window %+v", w)
	}
	counts := console.Counts(incs, w, console.Series(console.MetricCodesIssued))
	want := make([]float64, 12)
	want[8] = 3  // (12:00, 12:05]: at 12:02
	want[9] = 2  // (12:05, 12:10]: at 12:06
	want[11] = 6 // (12:15, 12:20]: 5 + 1 at 12:16 and 12:17
	if !slices.Equal(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	if since := console.Since(incs); !since.Equal(time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC)) {
		t.Errorf("since %v, want the first sample's minute", since)
	}
	day := console.Window(clock.Now(), 24*time.Hour, time.Hour)
	counts = console.Counts(incs, day, console.Series(console.MetricCodesIssued))
	if len(counts) != 24 || counts[23] != 11 || sum(counts) != 11 {
		t.Errorf("day counts %v, want 11 in the last hour", counts)
	}
	// A sample on a bucket's end counts in that bucket.
	codes.Add(4)
	clock.Advance(time.Date(2026, 3, 1, 12, 20, 0, 0, time.UTC).Sub(clock.Now()))
	s.Sample()
	counts = console.Counts(history(t, s), w, console.Series(console.MetricCodesIssued))
	if counts[11] != 10 {
		t.Errorf("a sample at 12:20:00 is not in (12:15, 12:20]: %v", counts)
	}
	if got := console.Reporting(history(t, s), clock.Now().Add(-5*time.Minute)); len(got) != 1 || got[0] != s.Instance() {
		t.Errorf("reporting %v, want this instance %s alone", got, s.Instance())
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
	errs.WithLabelValues("slow_down") // exists, never grows
	clock.Advance(time.Minute)
	s.Sample()
	errs.WithLabelValues("invalid_client").Inc()
	errs.WithLabelValues("invalid_grant").Inc()
	clock.Advance(time.Minute)
	s.Sample()

	incs := history(t, s)
	w := console.Window(clock.Now(), time.Hour, time.Hour)
	if got := console.Counts(incs, w, console.Series(console.MetricCodesIssued)); got[0] != 11 {
		t.Errorf("codes over a reset: %v, want 11", got)
	}
	if got := console.Counts(incs, w, console.Series(console.MetricTokenErrors+"/invalid_grant")); got[0] != 4 {
		t.Errorf("invalid_grant: %v, want 4", got)
	}
	if got := console.Total(incs, w, console.Family(console.MetricTokenErrors)); got != 5 {
		t.Errorf("all token errors: %v, want 5", got)
	}
	if got := console.Labels(incs, console.MetricTokenErrors); !slices.Equal(got, []string{"invalid_client", "invalid_grant"}) {
		t.Errorf("labels %v, want the codes that occurred", got)
	}
}

// TestSamplerIsBounded: past SampleCapacity samples the oldest samples'
// increases are dropped: a window longer than the memory counts only
// what the kept samples saw, and since is the oldest kept sample's
// minute.
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
	oldest := now.Add(-time.Duration(console.SampleCapacity-1) * time.Minute).Add(30 * time.Second)

	incs := history(t, s)
	long := console.Window(now, 48*time.Hour, time.Hour)
	counts := console.Counts(incs, long, console.Series(console.MetricCodesIssued))
	if got, since := sum(counts), console.Since(incs); got != console.SampleCapacity || !since.Equal(oldest) {
		t.Errorf("48 hours: %v since %v, want %d since the oldest kept sample's minute %v", got, since, console.SampleCapacity, oldest)
	}

	day := console.Window(now, 24*time.Hour, time.Hour)
	counts = console.Counts(incs, day, console.Series(console.MetricCodesIssued))
	// One a minute stamped from 14:01 the day before to 13:42.
	if got := sum(counts); got != 23*60+42 {
		t.Errorf("day: %v, want %d", got, 23*60+42)
	}
	if counts[0] != 60 || counts[23] != 42 {
		t.Errorf("day buckets %v", counts)
	}
}

// TestStoreSampler: a Sampler with a store writes, with each sample, the
// non-zero increases since the sample before (none at the first, resets
// counted from zero) and the marker of its instance, stamped with the
// sample's minute; its History is the store's.
func TestStoreSampler(t *testing.T) {
	db := sqlitetest.Open(t)
	reg := prometheus.NewRegistry()
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	const id = "0123456789abcdef"
	s := console.NewStoreSampler(reg, db, id, clock.Now, nil)
	codes := codesCounter()
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: console.MetricTokenErrors, Help: "errors"}, []string{"error"})
	reg.MustRegister(codes, errs)
	codes.Add(7)
	errs.WithLabelValues("invalid_grant")
	s.Sample() // 12:01: the baseline
	codes.Add(3)
	clock.Advance(time.Minute)
	s.Sample() // 12:02: codes +3, no token error
	reg.Unregister(codes)
	restarted := codesCounter()
	reg.MustRegister(restarted)
	restarted.Add(2)
	errs.WithLabelValues("invalid_grant").Add(4)
	clock.Advance(time.Minute)
	s.Sample() // 12:03: a reset, +2; invalid_grant +4

	minute := func(m int) time.Time { return time.Date(2026, 3, 1, 12, m, 0, 0, time.UTC) }
	marker := console.MetricSampled + "/" + id
	want := []store.MetricIncrease{
		{Time: minute(1), Series: marker, Value: 1},
		{Time: minute(2), Series: console.MetricCodesIssued, Value: 3},
		{Time: minute(2), Series: marker, Value: 1},
		{Time: minute(3), Series: console.MetricCodesIssued, Value: 2},
		{Time: minute(3), Series: marker, Value: 1},
		{Time: minute(3), Series: console.MetricTokenErrors + "/invalid_grant", Value: 4},
	}
	got, err := db.ListMetrics(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("stored:\n got %v\nwant %v", got, want)
	}
	if h := history(t, s); !slices.Equal(h, want) {
		t.Errorf("History is not the store's: %v", h)
	}
}

// TestStoreSamplerFailure: a store that fails is logged without the
// error breaking anything, and the next sample after it is back is
// stored.
func TestStoreSamplerFailure(t *testing.T) {
	db := sqlitetest.Open(t)
	reg := prometheus.NewRegistry()
	codes := codesCounter()
	reg.MustRegister(codes)
	log := &apptest.Log{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := console.NewStoreSampler(reg, failingMetrics{db}, "feedfacefeedface", nil, log.Logger())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "store the sampled metrics") {
		if time.Now().After(deadline) {
			t.Fatalf("no warning logged: %s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(log.String(), "feedfacefeedface") {
		t.Errorf("the warning does not name the instance: %s", log.String())
	}
}

// failingMetrics is a store whose appends fail, as a database that does
// not answer.
type failingMetrics struct{ store.MetricStore }

func (failingMetrics) AppendMetrics(context.Context, string, []store.MetricIncrease) error {
	return context.DeadlineExceeded
}

func sum(v []float64) float64 {
	var n float64
	for _, x := range v {
		n += x
	}
	return n
}

// BenchmarkSamplerFullDay: sampling and the dashboard's reads of a
// day of minutes of a busy registry in memory: every token error code
// and sign-in failure reason.
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
			incs, _ := s.History(context.Background(), w.Start)
			console.Counts(incs, w, console.Family(console.MetricTokenErrors))
		}
	})
}
