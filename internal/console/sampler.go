package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/linkpool/linkpool/internal/store"
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

// MetricSampled is the family of the marker series: with each sample an
// instance records the increase 1 of MetricSampled/<instance id>, so
// that the history tells which instances sampled when, even summed over
// instances.
const MetricSampled = "linkpool_console_sampled"

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
	// SampleCapacity is how many samples' increases a Sampler without a
	// store keeps: a day of minutes and the sample before them.
	SampleCapacity = 24*60 + 1
	// maxSeries bounds the series a Sampler tracks, whatever labels the
	// counters grow; later series are not sampled.
	maxSeries = 64
	// storeTimeout bounds a sample's write to the store.
	storeTimeout = 10 * time.Second
)

// Sampler reads the server's own counters from a Prometheus registry
// once a minute when Run drives it, and records how much each grew since
// the sample before (store.MetricIncrease), stamped with the minute the
// sample falls in (rounded up to a whole minute, UTC), together with a
// marker that this instance sampled (MetricSampled).
//
// With a store (NewStoreSampler) it appends each sample's increases to
// the store under its instance id, so that the dashboard of every
// instance on one database shows the whole deployment and the history
// outlives restarts. Without one (NewSampler) it keeps the increases of
// the last SampleCapacity samples in memory: one instance, until it
// stops. Either way History returns the same list, and Counts draws
// buckets from it.
//
// Its memory is bounded: at most maxSeries series and, without a store,
// SampleCapacity samples' increases. A Sampler is safe for concurrent
// use.
type Sampler struct {
	gatherer prometheus.Gatherer
	now      func() time.Time
	log      *slog.Logger
	store    store.MetricStore // nil: in memory
	instance string

	mu      sync.Mutex
	tracked map[string]bool    // the series sampled, at most maxSeries
	last    map[string]float64 // the previous sample's values; nil before the first
	ring    [][]store.MetricIncrease
	head    int // where the next sample's increases go
	n       int // samples held
}

// NewSampler returns a Sampler of g's counters that keeps its history in
// memory, on the clock now (nil means time.Now), logging failures to log
// (nil discards them).
func NewSampler(g prometheus.Gatherer, now func() time.Time, log *slog.Logger) *Sampler {
	s := newSampler(g, now, log, NewInstanceID())
	s.ring = make([][]store.MetricIncrease, SampleCapacity)
	return s
}

// NewStoreSampler returns a Sampler of g's counters that appends its
// history to st as the instance named instance (NewInstanceID), on the
// clock now (nil means time.Now), logging failures to log (nil discards
// them).
func NewStoreSampler(g prometheus.Gatherer, st store.MetricStore, instance string, now func() time.Time, log *slog.Logger) *Sampler {
	s := newSampler(g, now, log, instance)
	s.store = st
	return s
}

func newSampler(g prometheus.Gatherer, now func() time.Time, log *slog.Logger, instance string) *Sampler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sampler{gatherer: g, now: now, log: log, instance: instance, tracked: map[string]bool{}}
}

// NewInstanceID returns a random id of a server process: 16 hex digits.
func NewInstanceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Instance returns the Sampler's instance id.
func (s *Sampler) Instance() string { return s.instance }

// Run samples at once and then every SampleInterval until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	s.sample(ctx)
	t := time.NewTicker(SampleInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sample(ctx)
		}
	}
}

// Sample reads the counters now and records their increases since the
// previous sample (none at the first, which is the baseline) and the
// marker. A store that fails is logged; the increases of that sample are
// then missing from the history.
func (s *Sampler) Sample() { s.sample(context.Background()) }

func (s *Sampler) sample(ctx context.Context) {
	families, err := s.gatherer.Gather()
	if err != nil {
		// Gather returns what it could collect with the error.
		s.log.Warn("console: gather metrics", "error", err)
	}
	at := s.now()
	minute := sampleMinute(at)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := make(map[string]float64, len(s.tracked))
	var names []string
	for _, f := range families {
		label, ok := sampledFamilies[f.GetName()]
		if !ok || f.GetType() != dto.MetricType_COUNTER {
			continue
		}
		for _, m := range f.GetMetric() {
			name := seriesName(f.GetName(), label, m)
			if !s.tracked[name] {
				if len(s.tracked) == maxSeries {
					continue
				}
				s.tracked[name] = true
			}
			if _, dup := cur[name]; !dup {
				names = append(names, name)
			}
			cur[name] = m.GetCounter().GetValue()
		}
	}
	var incs []store.MetricIncrease
	if s.last != nil {
		for _, name := range names {
			before, had := s.last[name]
			if d := increase(before, had, cur[name]); d != 0 {
				incs = append(incs, store.MetricIncrease{Time: minute, Series: name, Value: d})
			}
		}
	}
	incs = append(incs, store.MetricIncrease{Time: minute, Series: MetricSampled + "/" + s.instance, Value: 1})
	s.last = cur

	if s.store == nil {
		s.ring[s.head] = incs
		s.head = (s.head + 1) % len(s.ring)
		if s.n < len(s.ring) {
			s.n++
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := s.store.AppendMetrics(ctx, s.instance, incs); err != nil {
		s.log.Warn("console: store the sampled metrics", "instance", s.instance, "error", err)
	}
}

// sampleMinute is the minute a sample at t is stamped with: t rounded up
// to a whole minute, in UTC, so that the samples of every instance in
// one minute add up and a sample falls in the bucket that holds it.
func sampleMinute(t time.Time) time.Time {
	t = t.UTC()
	m := t.Truncate(time.Minute)
	if m.Before(t) {
		m = m.Add(time.Minute)
	}
	return m
}

// increase is how much a counter grew to v from before (had false: the
// series did not exist then, so it was zero). A value lower than before
// is a counter reset: the counter started again from zero, so it grew by
// its new value.
func increase(before float64, had bool, v float64) float64 {
	if !had {
		before = 0
	}
	if v >= before {
		return v - before
	}
	return v
}

// History returns the increases recorded at or after since: from the
// store, summed over every instance, or from memory.
func (s *Sampler) History(ctx context.Context, since time.Time) ([]store.MetricIncrease, error) {
	if s.store != nil {
		return s.store.ListMetrics(ctx, since)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.MetricIncrease
	for k := range s.n {
		for _, m := range s.ring[(s.head-s.n+k+len(s.ring))%len(s.ring)] {
			if !m.Time.Before(since) {
				out = append(out, m)
			}
		}
	}
	return out, nil
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

// Counts returns, for each bucket of b, the sum of the increases of the
// series match selects whose time falls in it: a bucket is the half-open
// interval (start, end].
func Counts(incs []store.MetricIncrease, b Buckets, match func(series string) bool) []float64 {
	counts := make([]float64, b.N)
	for _, m := range incs {
		if !m.Time.After(b.Start) || m.Time.After(b.End) || !match(m.Series) {
			continue
		}
		d := m.Time.Sub(b.Start)
		i := int(d / b.Step)
		if d%b.Step == 0 {
			i-- // the end of bucket i-1
		}
		counts[i] += m.Value
	}
	return counts
}

// Total returns the sum of the increases of the series match selects in
// b's buckets.
func Total(incs []store.MetricIncrease, b Buckets, match func(series string) bool) float64 {
	n := 0.0
	for _, x := range Counts(incs, b, match) {
		n += x
	}
	return n
}

// Since returns the earliest minute any instance sampled in incs (the
// zero time when none did): the history counts from then on.
func Since(incs []store.MetricIncrease) time.Time {
	var since time.Time
	for _, m := range incs {
		if strings.HasPrefix(m.Series, MetricSampled+"/") && (since.IsZero() || m.Time.Before(since)) {
			since = m.Time
		}
	}
	return since
}

// Reporting returns the ids of the instances that sampled after after,
// sorted.
func Reporting(incs []store.MetricIncrease, after time.Time) []string {
	var out []string
	for _, m := range incs {
		if id, ok := strings.CutPrefix(m.Series, MetricSampled+"/"); ok && m.Time.After(after) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Labels returns the label values of family's series that grew in incs,
// sorted.
func Labels(incs []store.MetricIncrease, family string) []string {
	var out []string
	for _, m := range incs {
		if v, ok := strings.CutPrefix(m.Series, family+"/"); ok && m.Value != 0 && !slices.Contains(out, v) {
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
