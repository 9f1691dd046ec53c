package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCreateEmptyPool: the new pool page's second form creates a pool
// with Cognito's defaults and nothing else, with CreateUserPool (one
// audit record by the operator) and leads to its page; a bad region or
// name is refused with Cognito's error name and creates nothing.
func TestCreateEmptyPool(t *testing.T) {
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	_, page := e.get(t, b, "/console/pools/new")
	if !strings.Contains(page, `id="new-empty-pool"`) {
		t.Fatalf("the new pool page has no empty pool form: %s", page)
	}
	token := csrf(t, page)
	ctx := context.Background()

	n := len(e.allAudit(t))
	res, body := e.post(t, b, "/console/pools", e.ConsoleURL, url.Values{"csrf": {token}, "preset": {"empty"}, "name": {"Shop"}, "region": {"eu-central-1"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/pools/eu-central-1_") {
		t.Fatalf("create empty pool: %d to %q: %s", res.StatusCode, loc, body)
	}
	poolID := strings.TrimSuffix(strings.TrimPrefix(loc, "/console/pools/"), "?done=created")
	p, err := e.Admin.DescribeUserPool(ctx, poolID)
	if err != nil || p.Name != "Shop" {
		t.Fatalf("created pool %+v, %v", p, err)
	}
	if clients, _, err := e.Admin.ListUserPoolClients(ctx, p.ID, 60, ""); err != nil || len(clients) != 0 {
		t.Errorf("an empty pool has clients %+v, %v", clients, err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "CreateUserPool" {
		t.Errorf("records %q, want CreateUserPool", got)
	}
	if res, body := e.get(t, b, loc); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="done"`) {
		t.Errorf("the pool's page after creation: %d: %s", res.StatusCode, body)
	}

	for _, bad := range []url.Values{
		{"name": {"Shop"}, "region": {"not a region"}},
		{"name": {"<Shop>"}, "region": {"eu-central-1"}},
		{"name": {""}, "region": {"eu-central-1"}},
	} {
		n := len(e.allAudit(t))
		pools := len(e.pools(t))
		bad.Set("csrf", token)
		bad.Set("preset", "empty")
		res, body := e.post(t, b, "/console/pools", e.ConsoleURL, bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="empty-error"`) {
			t.Errorf("%v: %d: %s", bad, res.StatusCode, body)
		}
		if got := len(e.pools(t)); got != pools {
			t.Errorf("%v: a refused pool was created", bad)
		}
		if got := e.allAudit(t); len(got) != n {
			t.Errorf("%v: a refused pool wrote %v", bad, actions(got[:len(got)-n]))
		}
	}
}

// pools returns every pool of the server.
func (e *env) pools(t *testing.T) []string {
	t.Helper()
	ps, _, err := e.Admin.ListUserPools(context.Background(), 60, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}
