package console

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The counters the dashboard draws, as the server exports them on
// /metrics. A labelled counter's series are named family/label-value
// (linkpool_token_errors_total/invalid_grant).
const (
	MetricCodesIssued    = "linkpool_authorization_codes_issued_total"
	MetricTokenGrants    = "linkpool_token_grants_total"
	MetricTokenErrors    = "linkpool_token_errors_total"
	MetricSignInFailures = "linkpool_sign_in_failures_total"
	MetricLockouts       = "linkpool_lockouts_total"
)

// sampledFamilies are the counter families a Sampler reads, with the one
// label that names their series ("" for an unlabelled counter).
var sampledFamilies = map[string]string{
	MetricCodesIssued:    "",
	MetricTokenGrants:    "grant_type",
	MetricTokenErrors:    "error",
	MetricSignInFailures: "reason",
	MetricLockouts:       "",
}

const (
	// SampleInterval is how often Run samples.
	SampleInterval = time.Minute
	// SampleCapacity is how many samples a Sampler keeps: a day of
	// minutes and the sample before them, from which the day's first
	// minute is counted.
	SampleCapacity = 24*60 + 1
	// maxSeries bounds the series a Sampler tracks, whatever labels the
	// counters grow; later series are not sampled.
	maxSeries = 64
)

// Sampler reads the server's own counters from a Prometheus registry
// into a ring buffer of SampleCapacity samples, one a minute when Run
// drives it, so that the dashboard can show what happened over the last
// hour and day. Its memory is bounded: SampleCapacity samples of at most
// maxSeries values. The counters are this process's, so a Sampler shows
// one instance: each instance of a cluster samples its own.
//
// A Sampler is safe for concurrent use.
type Sampler struct {
	gatherer prometheus.Gatherer
	now      func() time.Time
	log      *slog.Logger

	mu     sync.Mutex
	series []string       // names of the series, in the order first seen
	index  map[string]int // series name to its position in series
	ring   []sample       // SampleCapacity samples, the oldest at head once full
	head   int            // where the next sample goes
	n      int            // samples held
}

// sample is the value of every series at one time; has[i] is false (or
// i past its end) for a series that did not exist yet.
type sample struct {
	at     time.Time
	values []float64 // by position in Sampler.series
	has    []bool
}

// NewSampler returns a Sampler of g's counters, on the clock now (nil
// means time.Now), logging failures to log (nil discards them).
func NewSampler(g prometheus.Gatherer, now func() time.Time, log *slog.Logger) *Sampler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sampler{gatherer: g, now: now, log: log, index: map[string]int{}, ring: make([]sample, SampleCapacity)}
}

// Run samples at once and then every SampleInterval until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	s.Sample()
	t := time.NewTicker(SampleInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Sample()
		}
	}
}

// Sample reads the counters now and stores them, replacing the oldest
// sample once the ring is full.
func (s *Sampler) Sample() {
	families, err := s.gatherer.Gather()
	if err != nil {
		// Gather returns what it could collect with the error.
		s.log.Warn("console: gather metrics", "error", err)
	}
	at := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := sample{at: at}
	if old := s.ring[s.head]; old.values != nil {
		cur.values, cur.has = old.values[:0], old.has[:0] // reuse the oldest sample's memory
	}
	set := func(name string, v float64) {
		i, ok := s.index[name]
		if !ok {
			if len(s.series) == maxSeries {
				return
			}
			i = len(s.series)
			s.series = append(s.series, name)
			s.index[name] = i
		}
		for len(cur.values) <= i {
			cur.values, cur.has = append(cur.values, 0), append(cur.has, false)
		}
		cur.values[i], cur.has[i] = v, true
	}
	for _, f := range families {
		label, ok := sampledFamilies[f.GetName()]
		if !ok || f.GetType() != dto.MetricType_COUNTER {
			continue
		}
		for _, m := range f.GetMetric() {
			set(seriesName(f.GetName(), label, m), m.GetCounter().GetValue())
		}
	}
	s.ring[s.head] = cur
	s.head = (s.head + 1) % len(s.ring)
	if s.n < len(s.ring) {
		s.n++
	}
}

// seriesName names the series of m in family name by its label.
func seriesName(name, label string, m *dto.Metric) string {
	if label == "" {
		return name
	}
	for _, l := range m.GetLabel() {
		if l.GetName() == label {
			return name + "/" + l.GetValue()
		}
	}
	return name + "/"
}

// Buckets is how a window of time is cut: n buckets of Step each, the
// last one ending at End (the end of the step now is in, so it is still
// filling).
type Buckets struct {
	Start, End time.Time
	Step       time.Duration
	N          int
}

// Window returns the buckets of the span up to now: span/step buckets,
// aligned to multiples of step (in UTC), the last one holding now.
func Window(now time.Time, span, step time.Duration) Buckets {
	end := now.UTC().Truncate(step).Add(step)
	n := int(span / step)
	return Buckets{Start: end.Add(-time.Duration(n) * step), End: end, Step: step, N: n}
}

// Bounds returns the start and end of bucket i.
func (b Buckets) Bounds(i int) (time.Time, time.Time) {
	start := b.Start.Add(time.Duration(i) * b.Step)
	return start, start.Add(b.Step)
}

// Counts returns, for each bucket of b, how much the series whose names
// match grew in it: the sum of their increases between consecutive
// samples, each counted in the bucket the later sample falls in (a
// bucket is the half-open interval (start, end]). A value lower than the
// one before is a counter reset: the counter started again from zero,
// so it grew by its new value. A series missing from the earlier sample
// was zero then. Since is the time of the first sample counted from,
// later than b.Start when the Sampler holds less than the window.
func (s *Sampler) Counts(b Buckets, match func(series string) bool) (counts []float64, since time.Time) {
	counts = make([]float64, b.N)
	s.mu.Lock()
	defer s.mu.Unlock()
	var cols []int
	for i, name := range s.series {
		if match(name) {
			cols = append(cols, i)
		}
	}
	var prev *sample
	for k := range s.n {
		cur := &s.ring[(s.head-s.n+k+len(s.ring))%len(s.ring)]
		if !cur.at.After(b.Start) {
			prev = cur // the latest sample at or before the window is its baseline
			continue
		}
		if !cur.at.After(b.End) && prev != nil {
			if since.IsZero() {
				since = prev.at
			}
			i := int(cur.at.Sub(b.Start) / b.Step)
			if cur.at.Sub(b.Start)%b.Step == 0 {
				i-- // the end of bucket i-1
			}
			for _, c := range cols {
				counts[i] += increase(prev, cur, c)
			}
		}
		prev = cur
	}
	if since.IsZero() && prev != nil {
		since = prev.at
	}
	return counts, since
}

// increase is how much series c grew from sample a to sample b.
func increase(a, b *sample, c int) float64 {
	if c >= len(b.has) || !b.has[c] {
		return 0
	}
	before := 0.0
	if c < len(a.has) && a.has[c] {
		before = a.values[c]
	}
	if v := b.values[c]; v >= before {
		return v - before
	}
	return b.values[c] // a reset: the counter began again at zero
}

// Labels returns the label values of family's series, sorted.
func (s *Sampler) Labels(family string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, name := range s.series {
		if v, ok := strings.CutPrefix(name, family+"/"); ok {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Series returns a match of exactly one series.
func Series(name string) func(string) bool {
	return func(s string) bool { return s == name }
}

// Family returns a match of every series of family.
func Family(family string) func(string) bool {
	return func(s string) bool { return s == family || strings.HasPrefix(s, family+"/") }
}
