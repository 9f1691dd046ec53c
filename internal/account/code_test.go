package account_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestStoredResetCodeNeedsMasterKey protects pending codes against an
// attacker who reads the database: trying every six-digit code against the
// stored value with any keyless hash must not find the code, and a service
// with another master key (the same database, a different CodeKey) cannot
// check it.
func TestStoredResetCodeNeedsMasterKey(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	u := e.signUp(t, "rita", "rita@example.com", goodPW)
	if _, err := e.svc.ForgotPassword(ctx, e.pool, "rita"); err != nil {
		t.Fatal(err)
	}
	code := e.box.LastCode(t, "rita@example.com")
	stored := e.user(t, u.Sub).Code
	if stored == nil {
		t.Fatal("no pending code stored")
	}
	// The attack that recovered codes before: SHA-256 over the code with
	// its user and purpose, for all one million codes.
	for n := range 1_000_000 {
		guess := fmt.Sprintf("%06d", n)
		h := sha256.Sum256([]byte("linkpool/account/code\x00" + pool.CodeResetPassword + "\x00" + u.Sub + "\x00" + guess))
		if hex.EncodeToString(h[:]) == stored.Hash {
			t.Fatalf("the stored hash gives the code away without a key: %s", guess)
		}
	}

	otherKey := make([]byte, 32)
	otherKey[0] = 1
	other := account.New(account.Config{
		Store: e.db, Hasher: password.NewHasher(apptest.CheapHashing, 0), Mailer: mail.NewLog(slog.New(slog.DiscardHandler)),
		CodeKey: otherKey, Box: masterBox, Log: slog.New(slog.DiscardHandler), Now: e.clock.Now,
	})
	err := other.ConfirmForgotPassword(ctx, e.pool, "rita", code, "N3w-password!")
	wantErr(t, err, account.CodeMismatchException)
	if err := e.svc.ConfirmForgotPassword(ctx, e.pool, "rita", code, "N3w-password!"); err != nil {
		t.Fatalf("ConfirmForgotPassword with the right key: %v", err)
	}
}

func TestNewRequiresCodeKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("account.New without a CodeKey did not panic")
		}
	}()
	account.New(account.Config{})
}
