package cli

import (
	"errors"
	"flag"
	"math"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/app"
)

// rateFlag is a flag holding an app.Rate, written RATE,BURST: RATE events
// per minute per key with bursts of BURST; 0 disables the limit.
type rateFlag app.Rate

var errRateFlag = errors.New("want RATE,BURST (events per minute, burst of at least 1), or 0 to disable")

func (f *rateFlag) String() string {
	if f.PerMinute <= 0 {
		return "0"
	}
	return strconv.FormatFloat(f.PerMinute, 'f', -1, 64) + "," + strconv.Itoa(f.Burst)
}

func (f *rateFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if s == "0" {
		*f = rateFlag{}
		return nil
	}
	rate, burst, ok := strings.Cut(s, ",")
	if !ok {
		return errRateFlag
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(rate), 64)
	if err != nil || r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return errRateFlag
	}
	b, err := strconv.Atoi(strings.TrimSpace(burst))
	if err != nil || b < 1 {
		return errRateFlag
	}
	*f = rateFlag{PerMinute: r, Burst: b}
	return nil
}

// registerUIRates registers the rate limits of the hosted pages, set to
// app.DefaultUIRates.
func registerUIRates(fs *flag.FlagSet, r *app.UIRates) {
	*r = app.DefaultUIRates
	fs.Var((*rateFlag)(&r.Login), "login-rate-limit", "hosted sign-in and new-password posts per minute per client address, and their burst: RATE,BURST; 0 disables the limit")
	fs.Var((*rateFlag)(&r.LoginUser), "login-user-rate-limit", "failed hosted sign-ins per minute per client address and username, and their burst: RATE,BURST; 0 disables the limit")
	fs.Var((*rateFlag)(&r.SignUp), "signup-rate-limit", "hosted sign-up, confirmation and code-resend posts per minute per client address, and their burst: RATE,BURST; 0 disables the limit")
	fs.Var((*rateFlag)(&r.ForgotPassword), "forgot-password-rate-limit", "hosted password-reset requests and posts per minute per client address, and their burst: RATE,BURST; 0 disables the limit")
}
