package sqlite

import "github.com/prometheus/client_golang/prometheus"

var (
	commitsDesc = prometheus.NewDesc("linkpool_sqlite_commits_total",
		"Transactions the SQLite group commit committed: one fsync each.", nil, nil)
	writesDesc = prometheus.NewDesc("linkpool_sqlite_writes_total",
		"Writes the SQLite group commit acknowledged; divided by the commits, the mean batch.", nil, nil)
)

func newBatchSizeHistogram() prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "linkpool_sqlite_commit_batch_size",
		Help:    "Writes per SQLite commit (group commit batch size).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, maxBatch},
	})
}

// Describe makes DB a prometheus.Collector of the group commit's metrics.
func (db *DB) Describe(ch chan<- *prometheus.Desc) {
	ch <- commitsDesc
	ch <- writesDesc
	db.batchSize.Describe(ch)
}

// Collect reports the group commit's metrics.
func (db *DB) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(commitsDesc, prometheus.CounterValue, float64(db.wr.commits.Load()))
	ch <- prometheus.MustNewConstMetric(writesDesc, prometheus.CounterValue, float64(db.wr.jobs.Load()))
	db.batchSize.Collect(ch)
}
