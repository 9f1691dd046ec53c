package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    loadtest.Mix
		wantErr string
	}{
		{name: "all", in: "refresh=80,code=15,signup=5", want: loadtest.Mix{Refresh: 80, Code: 15, SignUp: 5}},
		{name: "spaces and order", in: " signup=1 , refresh=9 ", want: loadtest.Mix{Refresh: 9, SignUp: 1}},
		{name: "refresh only", in: "refresh=1", want: loadtest.Mix{Refresh: 1}},
		{name: "unknown op", in: "refresh=1,logout=2", wantErr: "unknown operation"},
		{name: "not op=weight", in: "refresh", wantErr: "not op=weight"},
		{name: "negative", in: "refresh=-1", wantErr: "non-negative"},
		{name: "not a number", in: "refresh=lots", wantErr: "non-negative"},
		{name: "all zero", in: "refresh=0,code=0", wantErr: "no operation"},
		{name: "empty", in: "", wantErr: "no operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadtest.ParseMix(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseMix(%q) = %v, %v; want an error about %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseMix(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestRun drives a real server with every operation: the report counts
// what happened, with no failures, and the users it created exist.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: -short")
	}
	tests := []struct {
		name     string
		rotation bool
		mix      loadtest.Mix
	}{
		{name: "rotation off", mix: loadtest.Mix{Refresh: 6, Code: 2, SignUp: 2}},
		{name: "rotation on", rotation: true, mix: loadtest.Mix{Refresh: 8, Code: 1, SignUp: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, options{autoConfirm: true, rotation: tc.rotation, proxies: "127.0.0.1"})
			var progress []string
			rep, err := loadtest.Run(context.Background(), loadtest.Config{
				Target: s.target, Users: 4, Concurrency: 2, Duration: 1500 * time.Millisecond, Mix: tc.mix,
				Prefix: "lt", ClientAddresses: true,
				Progress: func(line string) { progress = append(progress, line) },
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep.Prepared != 4 || rep.Concurrency != 2 || rep.Mix != tc.mix.String() {
				t.Errorf("report header %+v", rep)
			}
			if rep.ErrorCount() != 0 {
				var b bytes.Buffer
				_ = rep.WriteText(&b)
				t.Fatalf("%d operations failed:\n%s", rep.ErrorCount(), b.String())
			}
			byOp := map[string]loadtest.OpReport{}
			total := 0
			for _, o := range rep.Ops {
				byOp[o.Op] = o
				total += o.OK
				if o.OK > 0 && (o.P50 <= 0 || o.P50 > o.P95 || o.P95 > o.P99 || o.P99 > o.Max || o.PerSecond <= 0) {
					t.Errorf("%s: inconsistent figures %+v", o.Op, o)
				}
			}
			if byOp[loadtest.OpRefresh].OK == 0 {
				t.Fatalf("no refresh succeeded: %+v", rep.Ops)
			}
			if rep.Total.OK != total || rep.Total.Count != total {
				t.Errorf("total %+v does not add up to %d", rep.Total, total)
			}
			// Every user the run signed up exists: prepared ones and
			// those of signup operations.
			users, err := s.app.Store.ListUsers(context.Background(), s.pool.ID, storeAll)
			if err != nil {
				t.Fatal(err)
			}
			if want := 4 + byOp[loadtest.OpSignUp].OK; len(users.Items) != want {
				t.Errorf("%d users in the pool, want %d", len(users.Items), want)
			}
			if len(progress) == 0 {
				t.Error("no progress reported")
			}
			var text, js bytes.Buffer
			if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "refresh") || !strings.Contains(text.String(), "p99") {
				t.Errorf("text report %q, %v", text.String(), err)
			}
			var back loadtest.Report
			if err := rep.WriteJSON(&js); err != nil || json.Unmarshal(js.Bytes(), &back) != nil || back.Total.OK != rep.Total.OK {
				t.Errorf("JSON report does not round-trip: %v\n%s", err, js.String())
			}
		})
	}
}

// TestRunNeedsAutoConfirm: a pool that mails confirmation codes cannot
// be prepared; the run says how to fix it.
func TestRunNeedsAutoConfirm(t *testing.T) {
	s := newServer(t, options{})
	_, err := loadtest.Run(context.Background(), loadtest.Config{Target: s.target, Users: 1, Concurrency: 1, Duration: time.Second})
	if !errors.Is(err, loadtest.ErrNeedsAutoConfirm) || !strings.Contains(err.Error(), "--auto-confirm") {
		t.Fatalf("Run = %v, want ErrNeedsAutoConfirm", err)
	}
}

// TestRunConfig: a run that cannot work is refused before any request.
func TestRunConfig(t *testing.T) {
	target := &loadtest.Target{Base: "http://127.0.0.1:1/none"}
	tests := []struct {
		name string
		cfg  loadtest.Config
		want string
	}{
		{name: "no target", cfg: loadtest.Config{Users: 1, Concurrency: 1}, want: "no target"},
		{name: "no workers", cfg: loadtest.Config{Target: target, Users: 1}, want: "concurrency"},
		{name: "fewer users than workers", cfg: loadtest.Config{Target: target, Users: 1, Concurrency: 2}, want: "at least as many users"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := loadtest.Run(context.Background(), tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// TestTokenErrors: token endpoint failures come back as *TokenError with
// the OAuth code, including a rate limit and a proxy's bare status.
func TestTokenErrors(t *testing.T) {
	s := newServer(t, options{autoConfirm: true})
	ctx := context.Background()
	tests := []struct {
		name string
		do   func() error
		code string
	}{
		{name: "unknown refresh token", code: "invalid_grant", do: func() error {
			_, err := s.target.Refresh(ctx, strings.Repeat("a", 22)+"."+strings.Repeat("b", 43), "")
			return err
		}},
		{name: "unknown code", code: "invalid_grant", do: func() error {
			_, err := s.target.Exchange(ctx, "no-such-code", "", "")
			return err
		}},
		{name: "wrong secret", code: "invalid_client", do: func() error {
			bad := *s.target
			bad.ClientSecret = "wrong"
			_, err := bad.Refresh(ctx, "x", "")
			return err
		}},
		{name: "no JSON body", code: "http_404", do: func() error {
			bad := *s.target
			bad.Base += "/nowhere"
			_, err := bad.Refresh(ctx, "x", "")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var te *loadtest.TokenError
			if err := tc.do(); !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("error %v, want a TokenError %s", err, tc.code)
			}
		})
	}
	t.Run("rate limited", func(t *testing.T) {
		// One request per address and minute. The loadtest client
		// authenticates a confidential client, so once the address
		// budget is spent its requests are served on the client's own
		// budget of the same size; once that too is spent the third is
		// refused with 429, which the report tells apart from an
		// outage's 503.
		s := newServer(t, options{tokenRate: 1})
		var te *loadtest.TokenError
		for _, n := range []string{"first", "second"} {
			if _, err := s.target.Refresh(ctx, "x", ""); !errors.As(err, &te) || te.Code != "invalid_grant" {
				t.Fatalf("%s request: %v, want invalid_grant", n, err)
			}
		}
		_, err := s.target.Refresh(ctx, "x", "")
		if !errors.As(err, &te) || te.Code != "temporarily_unavailable" || te.Status != 429 {
			t.Fatalf("third request: %v, want temporarily_unavailable with 429", err)
		}
	})
}
