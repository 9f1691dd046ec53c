package sqlite

import (
	"context"
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
		q.WriteString("(?, ?, ?, ?)")
		args = append(args, m.Time.UnixMicro(), m.Series, instance, m.Value)
	}
	q.WriteString(` ON CONFLICT (time, series, instance) DO UPDATE SET value = value + excluded.value`)
	_, err := db.exec(ctx, "append metrics", q.String(), args...)
	return err
}

// ListMetrics returns the increases at or after since, summed over the
// instances.
func (db *DB) ListMetrics(ctx context.Context, since time.Time) ([]store.MetricIncrease, error) {
	const op = "list metrics"
	rows, err := db.r.QueryContext(ctx, `SELECT time, series, sum(value) FROM metric_increases WHERE time >= ?
		GROUP BY time, series ORDER BY time, series`, since.UnixMicro())
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []store.MetricIncrease
	for rows.Next() {
		var m store.MetricIncrease
		var t int64
		if err := rows.Scan(&t, &m.Series, &m.Value); err != nil {
			return nil, wrap(op, err)
		}
		m.Time = time.UnixMicro(t).UTC()
		out = append(out, m)
	}
	return out, wrap(op, rows.Err())
}

// PurgeMetrics deletes the increases older than before.
func (db *DB) PurgeMetrics(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.exec(ctx, "purge metrics", `DELETE FROM metric_increases WHERE time < ?`, before.UnixMicro())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, wrap("purge metrics", err)
}
