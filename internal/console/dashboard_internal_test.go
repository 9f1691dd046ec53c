package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/hostedui"
)

// TestDashboardWithoutSampler: a console without a Sampler says that
// the server samples no metrics, draws no chart, and still shows the
// counts and health.
func TestDashboardWithoutSampler(t *testing.T) {
	a := apptest.New(t)
	c, err := New(Config{Admin: a.Admin, Store: a.DB, Audit: a.Audit, Box: a.Box, SignInPreview: hostedui.Preview, PublicURL: a.URL, URL: "http://127.0.0.1:1", Now: a.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	c.dashboard(rec, httptest.NewRequest(http.MethodGet, "/console/", nil), operator{session: session{Sub: "s", Username: "viewer", CSRF: "x"}, Role: roleReadOnly})
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `id="no-metrics"`) || strings.Contains(body, "<svg") || !strings.Contains(body, `id="health-store"`) {
		t.Errorf("dashboard without a sampler: %d: %s", rec.Code, body)
	}
}
