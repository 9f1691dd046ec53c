package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// benchServer runs the server on a loopback port with an auto-confirming
// pool and an Alexa client made by `init alexa`, and returns the bench
// flags that reach it.
func benchServer(t *testing.T) []string {
	t.Helper()
	h := newAdminHarness(t)
	setup := okJSON[alexaSetup](h, "init", "alexa", "--vendor-id", "M2BENCH", "--json")
	h.ok("pool", "update", "--pool", setup.PoolID, "--auto-confirm=true")
	st, err := sqlite.Open(context.Background(), filepath.Join(h.dir, "linkpool.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _, err := seal.LoadOrCreate(filepath.Join(h.dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	a, err := app.New(app.Config{
		Store: st, Box: box, PublicURL: "http://" + srv.Listener.Addr().String(), HashConcurrency: 2,
		PasswordParams: &password.Params{Memory: 64, Time: 1, Threads: 1}, UILimits: &hostedui.Limits{},
		TokenRatePerMinute: 1e9, TokenBurst: 1e6,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Server.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return []string{"--target", srv.URL, "--pool", setup.PoolID, "--client-id", setup.ClientID,
		"--client-secret", setup.ClientSecret, "--redirect-uri", setup.RedirectURLs[0]}
}

// TestBench runs a short benchmark against a real server: the text
// report lists every operation, the JSON report counts successes and no
// failures.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark command: -short")
	}
	flags := benchServer(t)
	h := newAdminHarness(t)
	common := append(flags, "--users", "2", "--concurrency", "2", "--duration", "700ms", "--mix", "refresh=8,code=1,signup=1")
	out := h.ok(append([]string{"bench"}, common...)...)
	for _, want := range []string{"prepared 2 users", "refresh", "code", "signup", "total", "p99"} {
		if !strings.Contains(out, want) {
			t.Fatalf("report lacks %q:\n%s", want, out)
		}
	}
	var rep loadtest.Report
	js := h.ok(append([]string{"bench", "--json"}, common...)...)
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, js)
	}
	if rep.Total.OK == 0 || rep.ErrorCount() != 0 || rep.Duration <= 0 || rep.Prepared != 2 {
		t.Fatalf("JSON report %+v", rep)
	}
}

// TestBenchUsage: bad flags are usage errors (exit 2) before any request.
func TestBenchUsage(t *testing.T) {
	h := newAdminHarness(t)
	base := []string{"bench", "--target", "http://127.0.0.1:1", "--pool", pool.NewPoolID("us-east-1"), "--client-id", "c", "--redirect-uri", "https://x.example/cb"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no target", args: []string{"bench", "--pool", "p"}, want: "--target is required"},
		{name: "bad target", args: append(base, "--target", "ftp://x"), want: "--target must be"},
		{name: "bad mix", args: append(base, "--mix", "refresh=x"), want: "--mix"},
		{name: "fewer users than workers", args: append(base, "--users", "1", "--concurrency", "4"), want: "--users at least --concurrency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { h.fails(2, tc.want, tc.args...) })
	}
}
