package transfer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/transfer"
)

// TestIDTokenOnRefreshTransfer: export and import carry a client's
// IDTokenOnRefresh both ways, and a client record written before the
// setting existed (no id_token_on_refresh) imports with the default, on.
func TestIDTokenOnRefreshTransfer(t *testing.T) {
	ctx := context.Background()
	box := testBox(t, masterKey)
	src := openSQLite(t)
	now := time.Now()
	p := pool.NewPool("us-east-1", "transfer", now)
	if err := src.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := token.NewKeys(src, box, token.KeysOptions{}).Ensure(ctx, p.ID, pool.AlgES256); err != nil {
		t.Fatal(err)
	}
	on := pool.NewClient(p.ID, "web", now)
	off := pool.NewClient(p.ID, "alexa", now)
	off.IDTokenOnRefresh = false
	for _, c := range []pool.Client{on, off} {
		if err := src.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := transfer.Export(ctx, src, &b); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), `"id_token_on_refresh":`); n != 2 {
		t.Fatalf("export holds %d id_token_on_refresh members, want 2:\n%s", n, b.String())
	}

	check := func(name, export string, want map[string]bool) {
		t.Helper()
		dst := openSQLite(t)
		if _, err := transfer.Import(ctx, dst, box, strings.NewReader(export), transfer.ImportOptions{}); err != nil {
			t.Fatalf("%s: import: %v", name, err)
		}
		for id, w := range want {
			c, err := dst.GetClient(ctx, id)
			if err != nil || c.IDTokenOnRefresh != w {
				t.Fatalf("%s: client %s IDTokenOnRefresh %v, %v; want %v", name, c.Name, c.IDTokenOnRefresh, err, w)
			}
		}
	}
	check("round trip", b.String(), map[string]bool{on.ID: true, off.ID: false})

	legacy := strings.ReplaceAll(b.String(), `,"id_token_on_refresh":false`, "")
	legacy = strings.ReplaceAll(legacy, `,"id_token_on_refresh":true`, "")
	if strings.Contains(legacy, "id_token_on_refresh") {
		t.Fatalf("could not remove the member:\n%s", legacy)
	}
	check("export without the member", legacy, map[string]bool{on.ID: true, off.ID: true})
}
