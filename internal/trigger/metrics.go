package trigger

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	latency  *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "linkpool_trigger_duration_seconds",
			Help:    "Latency of trigger invocations by trigger and target kind (lambda, webhook), failures included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"trigger", "kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_trigger_errors_total",
			Help: "Failed trigger invocations by trigger, target kind and outcome (function_error, timeout, canceled, transport, malformed, budget, config).",
		}, []string{"trigger", "kind", "outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "linkpool_trigger_in_flight",
			Help: "Trigger invocations running now (at most the worker budget).",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.latency, m.errors, m.inFlight} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
