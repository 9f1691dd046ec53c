package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestIDTokenOnRefreshColumnDefault: a clients row written without
// id_token_on_refresh, as every row stored before migration 0010, reads
// back with the setting on (Cognito's behaviour).
func TestIDTokenOnRefreshColumnDefault(t *testing.T) {
	db, _ := openInternal(t)
	ctx := t.Context()
	now := time.Now()
	p := pool.NewPool("us-east-1", "defaults", now)
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := pool.NewClient(p.ID, "off", now)
	c.IDTokenOnRefresh = false
	if err := db.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Copy the row without the column.
	cols := strings.ReplaceAll(clientColumns, "id_token_on_refresh,", "")
	if cols == clientColumns {
		t.Fatal("clientColumns lacks id_token_on_refresh")
	}
	copyID := pool.NewClientID()
	if _, err := db.exec(ctx, "copy client", `INSERT INTO clients (`+cols+`) SELECT ?, `+strings.TrimPrefix(cols, "id, ")+` FROM clients WHERE id = ?`, copyID, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetClient(ctx, copyID)
	if err != nil || !got.IDTokenOnRefresh {
		t.Fatalf("row without the column: IDTokenOnRefresh %v, %v; want true", got.IDTokenOnRefresh, err)
	}
	if orig, err := db.GetClient(ctx, c.ID); err != nil || orig.IDTokenOnRefresh {
		t.Fatalf("stored off: %v, %v", orig.IDTokenOnRefresh, err)
	}
}
