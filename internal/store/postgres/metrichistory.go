package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

// AppendMetrics stores one sample's increases of instance in one
// statement, adding to the increases it already has.
func (db *DB) AppendMetrics(ctx context.Context, instance string, incs []store.MetricIncrease) error {
	incs = store.MergeMetricIncreases(incs)
	if len(incs) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO metric_increases (time, series, instance, value) VALUES `)
	args := make([]any, 0, 4*len(incs))
	for i, m := range incs {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		q.WriteString("($" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + ", $" + strconv.Itoa(n+3) + ", $" + strconv.Itoa(n+4) + ")")
		args = append(args, ts(m.Time), m.Series, instance, m.Value)
	}
	q.WriteString(` ON CONFLICT (time, series, instance) DO UPDATE SET value = metric_increases.value + excluded.value`)
	_, err := db.pool.Exec(ctx, q.String(), args...)
	return wrap("append metrics", err)
}

// ListMetrics returns the increases at or after since, summed over the
// instances.
func (db *DB) ListMetrics(ctx context.Context, since time.Time) ([]store.MetricIncrease, error) {
	const op = "list metrics"
	rows, err := db.pool.Query(ctx, `SELECT time, series, sum(value) FROM metric_increases WHERE time >= $1
		GROUP BY time, series ORDER BY time, series`, ts(since))
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []store.MetricIncrease
	for rows.Next() {
		var m store.MetricIncrease
		if err := rows.Scan((*utcTime)(&m.Time), &m.Series, &m.Value); err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, m)
	}
	return out, wrap(op, rows.Err())
}

// PurgeMetrics deletes the increases older than before.
func (db *DB) PurgeMetrics(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM metric_increases WHERE time < $1`, ts(before))
	if err != nil {
		return 0, wrap("purge metrics", err)
	}
	return tag.RowsAffected(), nil
}
