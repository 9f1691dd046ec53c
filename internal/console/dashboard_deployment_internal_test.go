package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/hostedui"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/testclock"
)

// TestDashboardDeployment: two instances on one database, each with its
// own registry and Sampler, and the dashboard of either shows the sum of
// both and that two instances report. After one restarts (a new
// registry, Sampler and console on the same store) its dashboard still
// shows the history; an instance that stopped sampling stops counting
// as reporting after five minutes, and once the store holds a whole
// hour the page no longer says since when it counts.
func TestDashboardDeployment(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testDashboardDeployment(t, sqlitetest.Open(t)) })
	t.Run("PostgreSQL", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testDashboardDeployment(t, st)
	})
}

// instanceCounters is one instance's registry with the counters the
// dashboard reads.
type instanceCounters struct {
	reg   *prometheus.Registry
	codes prometheus.Counter
	errs  *prometheus.CounterVec
}

func newInstanceCounters() instanceCounters {
	c := instanceCounters{
		reg:   prometheus.NewRegistry(),
		codes: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricCodesIssued, Help: "codes"}),
		errs:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricTokenErrors, Help: "errors"}, []string{"error"}),
	}
	c.reg.MustRegister(c.codes, c.errs)
	return c
}

func testDashboardDeployment(t *testing.T, st skillstore.Database) {
	ctx := context.Background()
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	box := sealtest.Box(t)
	params := apptest.CheapHashing
	a, err := app.New(app.Config{Store: st, Box: box, PublicURL: "http://127.0.0.1:1", NoMail: true,
		PasswordParams: &params, GenerateKey: apptest.KeyGenerator(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Shutdown(ctx) })
	// page renders the dashboard of a console of the instance s samples.
	page := func(s *Sampler, query string) string {
		t.Helper()
		c, err := New(Config{Admin: a.Admin, Store: st, Audit: a.Audit, Box: box, SignInPreview: hostedui.Preview, PublicURL: "http://127.0.0.1:1",
			URL: "http://127.0.0.1:9090", Now: clock.Now, Sampler: s})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		c.dashboard(rec, httptest.NewRequest(http.MethodGet, "/console/"+query, nil), operator{session: session{Sub: "s", Username: "viewer", CSRF: "x"}, Role: roleReadOnly})
		if rec.Code != http.StatusOK {
			t.Fatalf("dashboard: %d: %s", rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	wantTotals := func(body, name string, hour, day int) {
		t.Helper()
		if want := fmt.Sprintf(`<tr><th scope="row">%s</th><td class="n">%d</td><td class="n">%d</td></tr>`, name, hour, day); !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	wantReporting := func(body string, n int) {
		t.Helper()
		if want := fmt.Sprintf(`<p id="metrics-reporting">%d instances reporting in the last 5 minutes.</p>`, n); !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}

	ca, cb := newInstanceCounters(), newInstanceCounters()
	sa := NewStoreSampler(ca.reg, st, NewInstanceID(), clock.Now, nil)
	sb := NewStoreSampler(cb.reg, st, NewInstanceID(), clock.Now, nil)
	ca.codes.Add(100) // before the first samples: the baselines
	sa.Sample()
	sb.Sample()
	ca.codes.Add(3)
	cb.codes.Add(4)
	ca.errs.WithLabelValues("invalid_grant").Inc()
	cb.errs.WithLabelValues("invalid_grant").Add(2)
	cb.errs.WithLabelValues("invalid_client").Inc()
	clock.Advance(time.Minute)
	sa.Sample()
	sb.Sample()

	for _, s := range []*Sampler{sa, sb} {
		body := page(s, "")
		wantTotals(body, "Authorization codes issued", 7, 7)
		wantTotals(body, "Token errors", 4, 4)
		if !strings.Contains(body, `<code>invalid_grant</code></th><td class="n">3</td>`) || !strings.Contains(body, `<code>invalid_client</code></th><td class="n">1</td>`) {
			t.Error("the token errors by code are not the sum of both instances'")
		}
		wantReporting(body, 2)
		if !strings.Contains(body, `<p id="metrics-since">Counting since 2026-03-01 12:01 UTC`) {
			t.Error("the page does not say since when the deployment counts")
		}
	}

	// A restarts: its counters begin again from zero.
	ca2 := newInstanceCounters()
	sa2 := NewStoreSampler(ca2.reg, st, NewInstanceID(), clock.Now, nil)
	clock.Advance(time.Minute)
	sa2.Sample()
	sb.Sample()
	ca2.codes.Add(5)
	clock.Advance(time.Minute)
	sa2.Sample()
	sb.Sample()
	body := page(sa2, "")
	wantTotals(body, "Authorization codes issued", 12, 12)
	wantTotals(body, "Token errors", 4, 4)
	wantReporting(body, 3) // the old process sampled three minutes ago

	// An hour later, sampled every minute by the two running instances.
	for range 60 {
		clock.Advance(time.Minute)
		cb.codes.Inc()
		sa2.Sample()
		sb.Sample()
	}
	// Now 13:03:30: the hour is (12:05, 13:05], which the first of the
	// sixty minutes (12:05) is not in.
	body = page(sb, "")
	wantTotals(body, "Authorization codes issued", 59, 72)
	wantReporting(body, 2)
	if strings.Contains(body, `id="metrics-since"`) {
		t.Error("the hour is full, yet the page says since when it counts")
	}
	if body = page(sb, "?window=day"); !strings.Contains(body, `id="metrics-since"`) {
		t.Error("the day is not full, yet the page does not say since when it counts")
	}
}

// TestDashboardHistorySources: a Sampler without a store draws this
// instance's history from memory and says so; a store that cannot be
// read is said on the page, which still shows the counts and health.
func TestDashboardHistorySources(t *testing.T) {
	a := apptest.New(t)
	render := func(s *Sampler) string {
		t.Helper()
		c, err := New(Config{Admin: a.Admin, Store: a.DB, Audit: a.Audit, Box: a.Box, SignInPreview: hostedui.Preview, PublicURL: a.URL, URL: "http://127.0.0.1:1", Now: a.Clock.Now, Sampler: s})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		c.dashboard(rec, httptest.NewRequest(http.MethodGet, "/console/", nil), operator{session: session{Sub: "s", Username: "viewer", CSRF: "x"}, Role: roleReadOnly})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="health-store"`) {
			t.Fatalf("dashboard: %d: %s", rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}

	c := newInstanceCounters()
	mem := NewSampler(c.reg, a.Clock.Now, nil)
	mem.Sample()
	c.codes.Add(2)
	a.Clock.Advance(time.Minute)
	mem.Sample()
	body := render(mem)
	if !strings.Contains(body, "kept in memory for a day") || strings.Contains(body, `id="metrics-reporting"`) ||
		!strings.Contains(body, `<tr><th scope="row">Authorization codes issued</th><td class="n">2</td><td class="n">2</td></tr>`) {
		t.Errorf("in-memory history: %s", body)
	}

	closed, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	body = render(NewStoreSampler(c.reg, closed, NewInstanceID(), a.Clock.Now, nil))
	if !strings.Contains(body, `id="metrics-unavailable"`) || strings.Contains(body, "<svg") {
		t.Errorf("unreadable history: %s", body)
	}
}
