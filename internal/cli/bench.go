package cli

import (
	"context"
	"fmt"
	"net/url"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
)

// runBench is `linkpool bench`: a load test of a running pool from
// outside, over HTTP (internal/loadtest).
func runBench(ctx context.Context, e *env, args []string) error {
	var (
		target, poolID, mix string
		asJSON              bool
		cfg                 loadtest.Config
		t                   loadtest.Target
	)
	fs := newFlagSet("bench", e.stderr)
	fs.StringVar(&target, "target", "", "public URL of the server (as its --public-url), or of a load balancer in front of several (required)")
	fs.StringVar(&poolID, "pool", "", "pool id; the pool must confirm sign-ups itself (--auto-confirm) (required)")
	fs.StringVar(&t.ClientID, "client-id", "", "app client id (required)")
	fs.StringVar(&t.ClientSecret, "client-secret", "", "app client secret (prefer LINKPOOL_CLIENT_SECRET)")
	fs.StringVar(&t.RedirectURI, "redirect-uri", "", "a callback URL registered for the client (required)")
	fs.IntVar(&cfg.Users, "users", 200, "users signed up and linked before the measured run; enough that each signs in at most a few times a minute, as the hosted pages limit sign-ins per user")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "workers sending requests at once")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "length of the measured run")
	fs.StringVar(&mix, "mix", loadtest.DefaultMix.String(), "weights of the operations: refresh (refresh_token grant), code (hosted sign-in and code grant), signup (sign-up and code grant)")
	fs.BoolVar(&cfg.ClientAddresses, "client-addresses", false, "give each user its own X-Forwarded-For address, for servers that trust this host as a proxy (--trusted-proxies), so that per-address limits apply per user")
	fs.StringVar(&cfg.Prefix, "prefix", "", "start of the usernames the run creates (default bench-<random>)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	for _, req := range [][2]string{{"target", target}, {"pool", poolID}, {"client-id", t.ClientID}, {"redirect-uri", t.RedirectURI}} {
		if req[1] == "" {
			return usagef("--%s is required", req[0])
		}
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--target must be an http:// or https:// URL")
	}
	if cfg.Mix, err = loadtest.ParseMix(mix); err != nil {
		return usagef("--mix: %v", err)
	}
	if cfg.Concurrency < 1 || cfg.Users < cfg.Concurrency || cfg.Duration <= 0 {
		return usagef("--concurrency must be at least 1, --users at least --concurrency, --duration positive")
	}
	t.Base = strings.TrimRight(target, "/") + "/" + poolID
	t.Transport = loadtest.NewTransport(2 * cfg.Concurrency)
	cfg.Target = &t
	cfg.Progress = func(line string) { fmt.Fprintln(e.stderr, line) }
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(e.stderr, "preparing %d users at %s\n", cfg.Users, t.Base)
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return rep.WriteJSON(e.stdout)
	}
	return rep.WriteText(e.stdout)
}
