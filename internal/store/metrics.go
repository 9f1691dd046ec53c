package store

import (
	"context"
	"time"
)

// MetricRetention is how long the dashboard's counter history is kept:
// a day and an hour, so that a day's window always has the minute
// before it.
const MetricRetention = 25 * time.Hour

// MetricIncrease is how much one counter series grew in the minute that
// ends at Time (whole minutes, UTC). As AppendMetrics takes it, it is
// one instance's; as ListMetrics returns it, the sum of every
// instance's.
type MetricIncrease struct {
	Time   time.Time
	Series string
	Value  float64
}

// MetricStore is the history of the console dashboard's counters, part
// of Store: each instance appends the increases of its own counters once
// a minute, and any instance reads the deployment's sums.
type MetricStore interface {
	// AppendMetrics stores one sample's increases of instance in one
	// statement. An increase of a (time, series) the instance already
	// has adds to it.
	AppendMetrics(ctx context.Context, instance string, incs []MetricIncrease) error
	// ListMetrics returns the increases at or after since, summed over
	// the instances by time and series, ordered by time, then series.
	ListMetrics(ctx context.Context, since time.Time) ([]MetricIncrease, error)
	// PurgeMetrics deletes the increases older than before and returns
	// how many rows it deleted.
	PurgeMetrics(ctx context.Context, before time.Time) (int64, error)
}

// MergeMetricIncreases returns incs with the increases of one (time,
// series) added together, in the order first seen, so that a store can
// write them in one statement.
func MergeMetricIncreases(incs []MetricIncrease) []MetricIncrease {
	type key struct {
		t      int64
		series string
	}
	seen := make(map[key]int, len(incs))
	out := make([]MetricIncrease, 0, len(incs))
	for _, m := range incs {
		k := key{m.Time.UnixMicro(), m.Series}
		if i, ok := seen[k]; ok {
			out[i].Value += m.Value
			continue
		}
		seen[k] = len(out)
		out = append(out, m)
	}
	return out
}

// MetricSweep is the garbage collection of the counter history: the
// increases older than MetricRetention.
func MetricSweep(s MetricStore) Sweep {
	return Sweep{Name: "metric_increases", Run: func(ctx context.Context, now time.Time) (int64, error) {
		return s.PurgeMetrics(ctx, now.Add(-MetricRetention))
	}}
}
