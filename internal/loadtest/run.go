package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes a run.
type Config struct {
	Target *Target
	// Users are signed up and linked before the measured phase; each
	// worker refreshes and signs in its own share of them. At least
	// Concurrency.
	Users       int
	Concurrency int
	Duration    time.Duration
	Mix         Mix
	// Password of every user the run creates; empty means a generated
	// one that meets Cognito's default policy.
	Password string
	// Prefix starts every username the run creates; empty means
	// "bench-" and a random tag, so runs never collide.
	Prefix string
	// ClientAddresses sends each user's requests with an X-Forwarded-For
	// address of its own (10.0.0.0/8), so that a server that trusts the
	// load generator as a proxy (--trusted-proxies) applies its
	// per-address rate limits per user, as it would in production.
	ClientAddresses bool
	// Progress, when set, receives a line about each phase.
	Progress func(string)
}

// ErrNeedsAutoConfirm: the pool mails a code to confirm sign-ups, which a
// load generator cannot read.
var ErrNeedsAutoConfirm = errors.New("the pool confirms sign-ups with a mailed code; run the benchmark against a pool with auto-confirm (linkpool pool update --pool <id> --auto-confirm=true)")

// user is a virtual user: its credentials, address and the refresh
// token of its latest link.
type user struct {
	name, password, from string
	refresh              string
}

type runner struct {
	cfg   Config
	next  atomic.Int64 // user numbers
	users [][]*user    // per worker
}

// Run prepares cfg.Users linked users, then drives the mix with
// cfg.Concurrency workers for cfg.Duration and reports what it measured.
// Preparation failures end the run with an error; failures during the
// measured phase are counted in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Target == nil {
		return nil, errors.New("loadtest: no target")
	}
	if cfg.Concurrency <= 0 {
		return nil, errors.New("loadtest: concurrency must be positive")
	}
	if cfg.Users < cfg.Concurrency {
		return nil, fmt.Errorf("loadtest: need at least as many users (%d) as workers (%d)", cfg.Users, cfg.Concurrency)
	}
	if cfg.Mix.total() == 0 {
		cfg.Mix = DefaultMix
	}
	if cfg.Password == "" {
		cfg.Password = "Bench-" + random(9) + "7!"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "bench-" + strconv.FormatInt(time.Now().Unix()%1e6, 36) + random(3)
	}
	r := &runner{cfg: cfg, users: make([][]*user, cfg.Concurrency)}
	start := time.Now()
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	rep := &Report{Prepared: cfg.Users, PrepareTime: time.Since(start), Concurrency: cfg.Concurrency, Mix: cfg.Mix.String()}
	r.progress("prepared %d users in %s; running %s", cfg.Users, rep.PrepareTime.Round(time.Millisecond), cfg.Duration)
	r.drive(ctx, rep)
	return rep, ctx.Err()
}

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		r.cfg.Progress(fmt.Sprintf(format, args...))
	}
}

// newUser returns a user with a fresh name and address.
func (r *runner) newUser() *user {
	n := r.next.Add(1)
	u := &user{name: r.cfg.Prefix + "-" + strconv.FormatInt(n, 10), password: r.cfg.Password}
	if r.cfg.ClientAddresses {
		u.from = net.IPv4(10, byte(n>>16), byte(n>>8), byte(n)).String()
	}
	return u
}

// prepare signs up and links cfg.Users users, cfg.Concurrency at a time.
func (r *runner) prepare(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for w := range r.cfg.Concurrency {
		share := r.cfg.Users / r.cfg.Concurrency
		if w < r.cfg.Users%r.cfg.Concurrency {
			share++
		}
		wg.Go(func() {
			for range share {
				u := r.newUser()
				if err := r.signUp(ctx, u); err != nil {
					cancel(fmt.Errorf("loadtest: prepare user %s: %w", u.name, err))
					return
				}
				r.users[w] = append(r.users[w], u)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// signUp registers u through the hosted sign-up form and links it: the
// authorization code it ends with is exchanged for tokens.
func (r *runner) signUp(ctx context.Context, u *user) error {
	t := r.cfg.Target
	p, a, err := t.Browser(u.from).SignUp(ctx, u.name, u.name+"@bench.linkpool.test", u.password)
	if err != nil {
		return err
	}
	if p.Location == "" {
		return ErrNeedsAutoConfirm
	}
	code, err := a.Code(t, p, "sign-up")
	if err != nil {
		return err
	}
	tok, err := t.Exchange(ctx, code, a.Verifier, u.from)
	if err != nil {
		return err
	}
	if tok.RefreshToken == "" {
		return errors.New("the code exchange returned no refresh token")
	}
	u.refresh = tok.RefreshToken
	return nil
}

// signIn links u again: a fresh browser signs in and the code is
// exchanged. The new grant's refresh token replaces the old one.
func (r *runner) signIn(ctx context.Context, u *user) error {
	t := r.cfg.Target
	code, verifier, err := t.Browser(u.from).SignIn(ctx, u.name, u.password)
	if err != nil {
		return err
	}
	tok, err := t.Exchange(ctx, code, verifier, u.from)
	if err != nil {
		return err
	}
	if tok.RefreshToken != "" {
		u.refresh = tok.RefreshToken
	}
	return nil
}

// refresh redeems u's refresh token, keeping the new one a rotating
// client returns.
func (r *runner) refresh(ctx context.Context, u *user) error {
	tok, err := r.cfg.Target.Refresh(ctx, u.refresh, u.from)
	if err != nil {
		return err
	}
	if tok.RefreshToken != "" {
		u.refresh = tok.RefreshToken
	}
	return nil
}

// drive runs the measured phase.
func (r *runner) drive(ctx context.Context, rep *Report) {
	ops := []string{OpRefresh, OpCode, OpSignUp}
	per := make([]map[string]*samples, r.cfg.Concurrency)
	start := time.Now()
	deadline := start.Add(r.cfg.Duration)
	var end atomic.Int64
	var wg sync.WaitGroup
	for w := range r.cfg.Concurrency {
		per[w] = map[string]*samples{}
		for _, op := range ops {
			per[w][op] = &samples{}
		}
		wg.Go(func() {
			mine := r.users[w]
			turn := 0
			for ctx.Err() == nil && time.Now().Before(deadline) {
				op := r.cfg.Mix.pick(rand.IntN(r.cfg.Mix.total()))
				var u *user
				if op == OpSignUp {
					u = r.newUser()
				} else {
					u = mine[turn%len(mine)]
					turn++
				}
				t0 := time.Now()
				var err error
				switch op {
				case OpRefresh:
					err = r.refresh(ctx, u)
				case OpCode:
					err = r.signIn(ctx, u)
				case OpSignUp:
					if err = r.signUp(ctx, u); err == nil {
						mine = append(mine, u)
					}
				}
				done := time.Now()
				if ctx.Err() != nil {
					return // cancelled: the operation was cut short, not failed
				}
				s := per[w][op]
				s.count++
				if err != nil {
					if s.errors == nil {
						s.errors = map[string]int{}
					}
					s.errors[classify(err)]++
				} else {
					s.lat = append(s.lat, done.Sub(t0))
				}
				for {
					cur := end.Load()
					if done.UnixNano() <= cur || end.CompareAndSwap(cur, done.UnixNano()) {
						break
					}
				}
			}
		})
	}
	wg.Wait()
	rep.Duration = time.Unix(0, end.Load()).Sub(start)
	if rep.Duration <= 0 {
		rep.Duration = time.Since(start)
	}
	all := &samples{}
	for _, op := range ops {
		s := &samples{}
		for w := range per {
			s.merge(per[w][op])
		}
		if s.count == 0 && r.weight(op) == 0 {
			continue
		}
		all.merge(s)
		rep.Ops = append(rep.Ops, s.report(op, rep.Duration))
	}
	rep.Total = all.report("total", rep.Duration)
}

func (r *runner) weight(op string) int {
	switch op {
	case OpRefresh:
		return r.cfg.Mix.Refresh
	case OpCode:
		return r.cfg.Mix.Code
	}
	return r.cfg.Mix.SignUp
}

// classify names an error for the report: the OAuth error code and HTTP
// status (temporarily_unavailable is 429 when rate limited, 503 when the
// database fails), the status of an unexpected page, or the kind of
// transport failure.
func classify(err error) string {
	var te *TokenError
	var pe *PageError
	var ne net.Error
	switch {
	case errors.As(err, &te):
		return te.Code + "/" + strconv.Itoa(te.Status)
	case errors.As(err, &pe):
		return "page_" + strconv.Itoa(pe.Status)
	case errors.Is(err, ErrNeedsAutoConfirm):
		return "needs_confirmation"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "transport"
}
