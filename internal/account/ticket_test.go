package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
)

// TestSignUpTicketIsNoPasswordOracle protects the owner of a taken name:
// the ticket of a concealed sign-up answers "not confirmed" for the
// signed-up password even when it is the owner's own, counts nothing
// against the owner, and is no pass for any other password or user.
func TestSignUpTicketIsNoPasswordOracle(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	gus := e.signUp(t, "gus", "gus@example.com", goodPW)
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{
		Username: "gus", Password: goodPW, Attributes: map[string]string{"email": "probe@example.com"}, ConcealExisting: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ticket := e.svc.SignUpTicket(e.pool, res.User.Sub, "gus", goodPW)

	before := e.hasher.Computations()
	_, err = e.svc.AuthenticateSignedUp(ctx, e.pool, ticket, "GUS", goodPW)
	wantErr(t, err, account.UserNotConfirmedException)
	if !errors.Is(err, account.ErrSignUpNotStored) {
		t.Errorf("error = %v, want ErrSignUpNotStored", err)
	}
	if n := e.hasher.Computations() - before; n != 1 {
		t.Errorf("argon2id computations = %d, want 1, as a sign-in", n)
	}
	if got := e.user(t, gus.Sub); got.FailedLogins != 0 {
		t.Errorf("FailedLogins = %d after the ticket's sign-in", got.FailedLogins)
	}

	// Another password, or a forged ticket, is an ordinary sign-in.
	_, err = e.svc.AuthenticateSignedUp(ctx, e.pool, ticket, "gus", "Wr0ng-guess!")
	wantErr(t, err, account.NotAuthorizedException)
	if got := e.user(t, gus.Sub); got.FailedLogins != 1 {
		t.Errorf("FailedLogins = %d after a wrong password, want 1", got.FailedLogins)
	}
	forged := account.TicketSub(ticket) + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, err := e.svc.AuthenticateSignedUp(ctx, e.pool, forged, "gus", goodPW); err != nil {
		t.Errorf("forged ticket, right password = %v, want the sign-in", err)
	}

	// The ticket of a stored sign-up is an ordinary sign-in too.
	hal, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "hal", Password: goodPW, Attributes: map[string]string{"email": "hal@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AuthenticateSignedUp(ctx, e.pool, e.svc.SignUpTicket(e.pool, hal.User.Sub, "hal", goodPW), "hal", goodPW)
	wantErr(t, err, account.UserNotConfirmedException)
	if errors.Is(err, account.ErrSignUpNotStored) {
		t.Error("a stored sign-up was taken for a concealed one")
	}
}
