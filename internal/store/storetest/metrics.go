package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// testMetricHistory: the increases two instances append are listed
// summed by time and series, in time then series order, from a time on;
// an instance's second increase of one (time, series), in one sample or
// the next, adds to its first; a purge deletes what is older than a time.
func testMetricHistory(t *testing.T, s store.Store) {
	ctx := t.Context()
	m0 := base().Truncate(time.Minute)
	at := func(i int) time.Time { return m0.Add(time.Duration(i) * time.Minute) }
	list, err := s.ListMetrics(ctx, at(0))
	mustOK(t, err, "ListMetrics of an empty history")
	if len(list) != 0 {
		t.Fatalf("an empty history lists %v", list)
	}
	mustOK(t, s.AppendMetrics(ctx, "a", nil), "AppendMetrics of nothing")

	inc := func(i int, series string, v float64) store.MetricIncrease {
		return store.MetricIncrease{Time: at(i), Series: series, Value: v}
	}
	mustOK(t, s.AppendMetrics(ctx, "a", []store.MetricIncrease{inc(0, "codes", 1), inc(0, "sampled/a", 1)}), "AppendMetrics a 0")
	mustOK(t, s.AppendMetrics(ctx, "b", []store.MetricIncrease{inc(0, "codes", 2), inc(0, "sampled/b", 1)}), "AppendMetrics b 0")
	mustOK(t, s.AppendMetrics(ctx, "a", []store.MetricIncrease{inc(1, "errors/invalid_grant", 3), inc(1, "codes", 0.5), inc(1, "codes", 0.5), inc(1, "sampled/a", 1)}), "AppendMetrics a 1")
	mustOK(t, s.AppendMetrics(ctx, "a", []store.MetricIncrease{inc(1, "codes", 4)}), "AppendMetrics a 1 again")
	mustOK(t, s.AppendMetrics(ctx, "b", []store.MetricIncrease{inc(2, "codes", 5), inc(2, "sampled/b", 1)}), "AppendMetrics b 2")

	want := []store.MetricIncrease{
		{Time: at(0).UTC(), Series: "codes", Value: 3},
		{Time: at(0).UTC(), Series: "sampled/a", Value: 1},
		{Time: at(0).UTC(), Series: "sampled/b", Value: 1},
		{Time: at(1).UTC(), Series: "codes", Value: 5},
		{Time: at(1).UTC(), Series: "errors/invalid_grant", Value: 3},
		{Time: at(1).UTC(), Series: "sampled/a", Value: 1},
		{Time: at(2).UTC(), Series: "codes", Value: 5},
		{Time: at(2).UTC(), Series: "sampled/b", Value: 1},
	}
	list, err = s.ListMetrics(ctx, at(0))
	mustOK(t, err, "ListMetrics")
	if !reflect.DeepEqual(list, want) {
		t.Fatalf("ListMetrics:\n got %v\nwant %v", list, want)
	}
	list, err = s.ListMetrics(ctx, at(1))
	mustOK(t, err, "ListMetrics from the second minute")
	if !reflect.DeepEqual(list, want[3:]) {
		t.Fatalf("ListMetrics from the second minute:\n got %v\nwant %v", list, want[3:])
	}

	n, err := s.PurgeMetrics(ctx, at(1))
	mustOK(t, err, "PurgeMetrics")
	if n != 4 {
		t.Fatalf("PurgeMetrics removed %d rows, want 4", n)
	}
	list, err = s.ListMetrics(ctx, at(-60))
	mustOK(t, err, "ListMetrics after the purge")
	if !reflect.DeepEqual(list, want[3:]) {
		t.Fatalf("ListMetrics after the purge:\n got %v\nwant %v", list, want[3:])
	}
	n, err = s.PurgeMetrics(ctx, at(1))
	mustOK(t, err, "PurgeMetrics again")
	if n != 0 {
		t.Fatalf("second PurgeMetrics removed %d rows, want 0", n)
	}

	// The sweep keeps MetricRetention.
	n, err = store.MetricSweep(s).Run(ctx, at(2).Add(store.MetricRetention))
	mustOK(t, err, "MetricSweep")
	if n != 3 {
		t.Fatalf("MetricSweep removed %d rows, want the 3 of the second minute", n)
	}
}
