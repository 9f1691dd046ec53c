package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestUserRowWithoutIdentities: a users row written without the
// identities column, as every row stored before migration 0012 is, reads
// back with no identities, and linking one later indexes it.
func TestUserRowWithoutIdentities(t *testing.T) {
	db := openFilterDB(t)
	ctx := t.Context()
	now := time.Now()
	p := pool.NewPool("eu-west-1", "old", now)
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	u := pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: "old", UsernameKey: "old", Status: pool.StatusConfirmed,
		Enabled: true, CreatedAt: now, UpdatedAt: now}
	args, err := userArgs(&u)
	if err != nil {
		t.Fatal(err)
	}
	columns := strings.TrimSuffix(userColumns, ", identities, mfa")
	if columns == userColumns {
		t.Fatal("userColumns does not end with identities")
	}
	values := strings.TrimSuffix(userValues, ", $19, $20)") + ")"
	if _, err := db.pool.Exec(ctx, `INSERT INTO users (`+columns+`) VALUES `+values, args[:len(args)-2]...); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetUser(ctx, p.ID, u.Sub)
	if err != nil || got.Identities != nil {
		t.Fatalf("GetUser = identities %#v, %v; want none", got.Identities, err)
	}
	id := pool.Identity{UserID: "s1", ProviderName: "Corp", ProviderType: pool.ProviderOIDC, Primary: "false", CreatedAt: now.UnixMilli()}
	if err := db.UpdateUser(ctx, p.ID, u.Sub, func(u pool.User) (pool.User, error) {
		u.Identities = []pool.Identity{id}
		return u, nil
	}); err != nil {
		t.Fatalf("UpdateUser linking an identity: %v", err)
	}
	got, err = db.GetUserByIdentity(ctx, p.ID, "Corp", "s1")
	if err != nil || got.Sub != u.Sub || len(got.Identities) != 1 || got.Identities[0] != id {
		t.Fatalf("GetUserByIdentity = %s %#v, %v", got.Sub, got.Identities, err)
	}
}
