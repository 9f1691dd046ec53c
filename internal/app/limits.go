package app

import (
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/web"
)

// Rate is a rate limit per key: PerMinute events a minute with bursts of
// Burst. A zero PerMinute disables the limit.
type Rate struct {
	PerMinute float64
	Burst     int
}

// limiter returns the Limiter of r, nil when r is disabled.
func (r Rate) limiter() *web.Limiter {
	if r.PerMinute <= 0 {
		return nil
	}
	return web.NewLimiter(r.PerMinute, max(1, r.Burst))
}

// UIRates are the rate limits of the hosted pages (see hostedui.Limits).
type UIRates struct {
	Login          Rate
	LoginUser      Rate
	SignUp         Rate
	ForgotPassword Rate
}

// DefaultUIRates are the default rate limits of the hosted pages:
// generous for people, tight for scripts. Lockout per user, shared by all
// instances, is separate (pool.LockoutPolicy).
var DefaultUIRates = UIRates{
	Login:          Rate{PerMinute: 60, Burst: 20},
	LoginUser:      Rate{PerMinute: 12, Burst: 6},
	SignUp:         Rate{PerMinute: 20, Burst: 10},
	ForgotPassword: Rate{PerMinute: 10, Burst: 5},
}

// Limits returns new limiters for the rates.
func (r UIRates) Limits() hostedui.Limits {
	return hostedui.Limits{
		Login:          r.Login.limiter(),
		LoginUser:      r.LoginUser.limiter(),
		SignUp:         r.SignUp.limiter(),
		ForgotPassword: r.ForgotPassword.limiter(),
	}
}
