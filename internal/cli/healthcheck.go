package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// DefaultHealthcheckURL is what `linkpool healthcheck` asks when no --url
// is given: /healthz of the admin listener at its container address
// (the image's `serve --admin-addr :9090`).
const DefaultHealthcheckURL = "http://127.0.0.1:9090/healthz"

// runHealthcheck asks a running server's health endpoint and succeeds
// only on 200. It is the HEALTHCHECK of the container image, which has
// no shell or curl to do it.
func runHealthcheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("healthcheck", e.stderr)
	target := fs.String("url", DefaultHealthcheckURL, "health endpoint to ask (http or https); exit 0 when it answers 200, 1 otherwise")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer (the image's HEALTHCHECK gives the command 5s)")
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	if u, err := url.Parse(*target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q must be an absolute http(s) URL", *target)
	}
	if *timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return usagef("--url: %v", err)
	}
	// No proxy from the environment: the endpoint is the local server.
	c := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s answered %s", *target, resp.Status)
	}
	fmt.Fprintln(e.stdout, "healthy")
	return nil
}
