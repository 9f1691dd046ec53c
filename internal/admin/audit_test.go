package admin_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
)

// TestAuditOneRecordPerChange: each change through the service, however
// it is composed inside (MFA settings and trigger secrets are pool
// updates), writes exactly one record with its own action name, the
// fields it changed and their non-secret values; refused changes record
// their error type; reads record nothing.
func TestAuditOneRecordPerChange(t *testing.T) {
	st := sqlitetest.Open(t)
	box := sealtest.Box(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.New(audit.Config{Store: st})
	accounts := account.New(account.Config{
		Store: st, Hasher: password.NewHasher(apptest.CheapHashing, 0),
		Mailer: mail.NewLog(quiet), CodeKey: box.DeriveKey(account.CodeKeyPurpose), Box: box, Log: quiet, Audit: rec,
	})
	svc := admin.New(admin.Config{Store: st, Box: box, Keys: apptest.NewKeys(st, box, nil), Accounts: accounts, Audit: rec})
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.KindConsole, ID: "sub-of-an-operator"})

	p, err := svc.CreateUserPool(ctx, pool.NewPool("us-east-1", "Audited", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	c, secret, err := svc.CreateUserPoolClient(ctx, pool.NewClient(p.ID, "web", time.Now()), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateUserPoolClient(ctx, p.ID, c.ID, func(c *pool.Client) { c.Name = "web2" }); err != nil {
		t.Fatal(err)
	}
	rotated, err := svc.RotateUserPoolClientSecret(ctx, p.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetMFAConfig(ctx, p.ID, pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLambdaConfig(ctx, p.ID, pool.LambdaConfig{PreSignUp: "https://hooks.example.com/pre"}); err != nil {
		t.Fatal(err)
	}
	trig, err := svc.RotateTriggerSecret(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateGroup(ctx, p.ID, "missing", func(*pool.Group) {}); err == nil {
		t.Fatal("UpdateGroup of a missing group succeeded")
	}
	// Reads.
	if _, err := svc.DescribeUserPoolClient(ctx, p.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ListUserPools(ctx, 10, ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteUserPoolClient(ctx, "", c.ID); err != nil {
		t.Fatal(err)
	}

	page, err := st.ListAudit(context.Background(), store.AuditFilter{}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action, target, result, changed string
	}{
		{"DeleteUserPoolClient", c.ID, "ok", ""},
		{"UpdateGroup", "missing", "ResourceNotFoundException", ""},
		{"RotateTriggerSecret", p.ID, "ok", "TriggerSecret=***"},
		{"SetLambdaConfig", p.ID, "ok", `LambdaConfig={"PreSignUp":"https://hooks.example.com/pre"} TriggerSecret=***`},
		{"SetUserPoolMfaConfig", p.ID, "ok", `MFA={"MfaConfiguration":"OPTIONAL","SoftwareTokenEnabled":true,"WebAuthn":{}}`},
		{"RotateUserPoolClientSecret", c.ID, "ok", "SealedSecret=***"},
		{"UpdateUserPoolClient", c.ID, "ok", "Name=web2"},
		{"CreateUserPoolClient", c.ID, "ok", ""},
		{"CreateUserPool", p.ID, "ok", ""},
	}
	if len(page.Items) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(page.Items), len(want), page.Items)
	}
	for i, w := range want {
		r := page.Items[i]
		if r.Action != w.action || r.Target != w.target || r.Result != w.result || r.PoolID != p.ID ||
			r.ActorKind != audit.KindConsole || r.ActorID != "sub-of-an-operator" {
			t.Errorf("record %d: %+v, want %s on %s: %s", i, r, w.action, w.target, w.result)
		}
		if w.changed != "" {
			var parts []string
			for _, ch := range r.Changed {
				v := ch.Value
				if ch.Withheld {
					v = "***"
				}
				parts = append(parts, ch.Field+"="+v)
			}
			if got := strings.Join(parts, " "); got != w.changed {
				t.Errorf("%s changed %s, want %s", r.Action, got, w.changed)
			}
		}
	}
	raw := ""
	for _, r := range page.Items {
		for _, ch := range r.Changed {
			raw += ch.Value + "\n"
		}
	}
	for what, s := range map[string]string{"client secret": secret, "rotated secret": rotated, "trigger secret": trig} {
		if s == "" || strings.Contains(raw, s) {
			t.Errorf("the audit log holds the %s", what)
		}
	}
}
