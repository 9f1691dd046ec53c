package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

func list(t *testing.T, st store.Store) []store.AuditRecord {
	t.Helper()
	page, err := st.ListAudit(context.Background(), store.AuditFilter{}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestRecordActorsAndResults(t *testing.T) {
	st := sqlitetest.Open(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)
	rec := audit.New(audit.Config{Store: st, Now: func() time.Time { return now }})
	ctx := context.Background()
	alice := audit.WithActor(ctx, audit.Actor{Kind: audit.KindCLI, ID: "alice"})

	rec.Record(alice, audit.Entry{Action: "DeleteGroup", PoolID: "eu-west-1_a", Target: "admins"}, nil)
	rec.Record(ctx, audit.Entry{Action: "CreateUserPool", PoolID: "eu-west-1_b"}, nil)
	rec.Record(alice, audit.Entry{Action: "AdminDisableUser", PoolID: "eu-west-1_a"},
		&account.Error{Type: account.UserNotFoundException, Message: "User does not exist."})
	rec.Record(alice, audit.Entry{Action: "RotateSigningKeys", PoolID: "eu-west-1_a"}, errors.New("disk full"))
	// Shared with self-service: recorded only under an actor.
	rec.RecordActor(ctx, audit.Entry{Action: "AdminSetUserMFAPreference", PoolID: "eu-west-1_a"}, nil)
	rec.RecordActor(alice, audit.Entry{Action: "AdminUserGlobalSignOut", PoolID: "eu-west-1_a"}, nil)
	var none *audit.Recorder
	none.Record(alice, audit.Entry{Action: "DeleteUserPool"}, nil) // a nil Recorder records nothing

	got := list(t, st)
	want := []struct{ action, kind, id, result string }{
		{"AdminUserGlobalSignOut", "cli", "alice", "ok"},
		{"RotateSigningKeys", "cli", "alice", "InternalErrorException"},
		{"AdminDisableUser", "cli", "alice", "UserNotFoundException"},
		{"CreateUserPool", "system", "", "ok"},
		{"DeleteGroup", "cli", "alice", "ok"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		r := got[i]
		if r.Action != w.action || r.ActorKind != w.kind || r.ActorID != w.id || r.Result != w.result {
			t.Errorf("record %d: %+v, want %+v", i, r, w)
		}
		if !r.Time.Equal(now.Truncate(time.Microsecond)) || r.ID == "" {
			t.Errorf("record %d: time %v, id %q", i, r.Time, r.ID)
		}
	}
}

func TestFailedWriteIsLoggedAndCounted(t *testing.T) {
	st := sqlitetest.Open(t)
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	rec := audit.New(audit.Config{Store: st, Log: slog.New(slog.NewTextHandler(&logs, nil)), Metrics: reg})
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.KindAPI, ID: "AKIAEXAMPLE"})
	rec.Record(ctx, audit.Entry{Action: "CreateGroup", PoolID: "p"}, nil)
	if n := failures(t, reg); n != 0 {
		t.Fatalf("failures after a good write: %v", n)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	rec.Record(ctx, audit.Entry{Action: "DeleteGroup", PoolID: "p", Target: "admins"}, nil)
	if n := failures(t, reg); n != 1 {
		t.Errorf("failures after a failed write: %v, want 1", n)
	}
	if out := logs.String(); !strings.Contains(out, "audit record not written") || !strings.Contains(out, "DeleteGroup") {
		t.Errorf("failed write not logged: %q", out)
	}
}

// failures reads linkpool_audit_write_failures_total from reg.
func failures(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "linkpool_audit_write_failures_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("linkpool_audit_write_failures_total is not registered")
	return 0
}

func TestPurge(t *testing.T) {
	st := sqlitetest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	rec := audit.New(audit.Config{Store: st, Now: func() time.Time { return clock }})
	for _, age := range []time.Duration{500 * 24 * time.Hour, 30 * 24 * time.Hour, time.Hour} {
		clock = now.Add(-age)
		rec.Record(ctx, audit.Entry{Action: "UpdateUserPool"}, nil)
	}
	if n, err := rec.Purge(ctx, now, 0); err != nil || n != 0 || len(list(t, st)) != 3 {
		t.Fatalf("retention 0 purged %d, %v", n, err)
	}
	sweep := rec.Sweep(400 * 24 * time.Hour)
	if n, err := sweep.Run(ctx, now); err != nil || n != 1 {
		t.Fatalf("400 days purged %d, %v; want 1", n, err)
	}
	if n, err := rec.Purge(ctx, now, 7*24*time.Hour); err != nil || n != 1 {
		t.Fatalf("7 days purged %d, %v; want 1", n, err)
	}
	if got := list(t, st); len(got) != 1 || !got[0].Time.Equal(now.Add(-time.Hour)) {
		t.Fatalf("left %+v", got)
	}
}

func TestChangedWithholdsAllButTheAllowList(t *testing.T) {
	before := pool.Client{Name: "web", SealedSecret: []byte("old-sealed"), CallbackURLs: []string{"https://a.example/cb"}}
	after := before
	after.SealedSecret = []byte("new-sealed")
	after.CallbackURLs = []string{"https://b.example/cb"}
	after.UpdatedAt = time.Now()
	got := audit.Diff(before, after)
	want := []store.AuditChange{{Field: "SealedSecret", Withheld: true}, {Field: "CallbackURLs", Value: `["https://b.example/cb"]`}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Diff = %+v, want %+v", got, want)
	}
	fields := audit.Fields(map[string]any{"email": "a@example.com", "email_verified": "true", "password": "pw", "Enabled": false})
	wantFields := []store.AuditChange{{Field: "Enabled", Value: "false"}, {Field: "email", Withheld: true},
		{Field: "email_verified", Value: "true"}, {Field: "password", Withheld: true}}
	if len(fields) != len(wantFields) {
		t.Fatalf("Fields = %+v", fields)
	}
	for i := range wantFields {
		if fields[i] != wantFields[i] {
			t.Errorf("Fields[%d] = %+v, want %+v", i, fields[i], wantFields[i])
		}
	}
	if a := audit.CLIActor(); a.Kind != audit.KindCLI || a.ID == "" {
		t.Errorf("CLIActor = %+v", a)
	}
}
