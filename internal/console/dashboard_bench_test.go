package console_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/store"
)

// BenchmarkDashboardPage: the whole dashboard of a deployment with a
// day of history from three instances in the server's SQLite store
// (every minute: codes, exchanges, refreshes, three token error codes,
// two sign-in failure reasons, lockouts, and each instance's marker):
// the counts of pools, clients and users, the store's ping, one read of
// the day's history and the charts drawn from it, through the console's
// HTTP listener with a signed-in operator.
func BenchmarkDashboardPage(b *testing.B) {
	e := newEnv(b)
	e.operator(b, "root", false)
	browser := e.signedIn(b, "root")
	ctx := context.Background()
	end := e.Clock.Now().UTC().Truncate(time.Minute)
	series := []string{
		console.MetricCodesIssued, console.MetricTokenGrants + "/authorization_code", console.MetricTokenGrants + "/refresh_token",
		console.MetricTokenErrors + "/invalid_grant", console.MetricTokenErrors + "/invalid_client", console.MetricTokenErrors + "/invalid_request",
		console.MetricSignInFailures + "/wrong_password", console.MetricSignInFailures + "/unknown_user", console.MetricLockouts,
	}
	for _, instance := range []string{"0000000000000001", "0000000000000002", "0000000000000003"} {
		for m := 24 * 60; m >= 0; m-- {
			at := end.Add(-time.Duration(m) * time.Minute)
			incs := []store.MetricIncrease{{Time: at, Series: console.MetricSampled + "/" + instance, Value: 1}}
			for i, s := range series {
				incs = append(incs, store.MetricIncrease{Time: at, Series: s, Value: float64(i + 1)})
			}
			if err := e.DB.AppendMetrics(ctx, instance, incs); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, window := range []string{"hour", "day"} {
		b.Run(window, func(b *testing.B) {
			for b.Loop() {
				res, err := browser.Get(e.ConsoleURL + "/console/?window=" + window)
				if err != nil {
					b.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("dashboard: %d", res.StatusCode)
				}
			}
		})
	}
}
