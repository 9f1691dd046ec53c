package account

import "github.com/prometheus/client_golang/prometheus"

// Sign-in failure reasons, the reason label of
// linkpool_sign_in_failures_total.
const (
	// FailureUnknownUser: no user has the name signed in with.
	FailureUnknownUser = "unknown_user"
	// FailureWrongPassword: a wrong password or SRP proof.
	FailureWrongPassword = "wrong_password"
	// FailureWrongCode: a wrong one-time code of a second factor
	// (email or authenticator app).
	FailureWrongCode = "wrong_code"
	// FailureLockedOut: a sign-in of a user who is locked out.
	FailureLockedOut = "locked_out"
)

// metrics are the sign-in counters of a Service.
type metrics struct {
	failures *prometheus.CounterVec
	lockouts prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkpool_sign_in_failures_total",
			Help: "Failed sign-ins by reason (unknown_user, wrong_password, wrong_code, locked_out).",
		}, []string{"reason"}),
		lockouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "linkpool_lockouts_total", Help: "Users locked out after too many failed sign-ins.",
		}),
	}
	for _, r := range []string{FailureUnknownUser, FailureWrongPassword, FailureWrongCode, FailureLockedOut} {
		m.failures.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.failures, m.lockouts)
	}
	return m
}

// failed counts a failed sign-in for reason.
func (s *Service) failed(reason string) { s.metrics.failures.WithLabelValues(reason).Inc() }

// countCodeOutcome counts the outcome of a second factor's code: refused (the
// user is locked out) or missed (a wrong code).
func (s *Service) countCodeOutcome(refused, missed bool) {
	switch {
	case refused:
		s.failed(FailureLockedOut)
	case missed:
		s.failed(FailureWrongCode)
	}
}
