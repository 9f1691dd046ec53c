package hostedui_test

import (
	"context"
	"net/http"
	"testing"
)

// TestResetPageSameForUnknownUsers protects against user enumeration
// through /confirmForgotPassword: an unknown user, an existing user with
// no pending code and an existing user with a wrong code get the same
// status and message, and each costs the same password-hashing work.
func TestResetPageSameForUnknownUsers(t *testing.T) {
	e := newEnv(t, options{})
	e.createUser(t, "jan", "jan@example.com", goodPW)
	e.createUser(t, "ola", "ola@example.com", goodPW)
	if _, err := e.accounts.ForgotPassword(context.Background(), e.pool, "ola"); err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if e.mailbox.lastCode(t, "ola@example.com") == wrong {
		wrong = "111111"
	}
	b := e.browser()
	type answer struct {
		status int
		msg    string
		cost   int64
	}
	try := func(name string) answer {
		p := b.get("/confirmForgotPassword?username=" + name)
		before := e.hasher.Computations()
		p = b.submit(p, map[string]string{"code": wrong, "password": "N3w-password!", "confirm_password": "N3w-password!"})
		return answer{p.Status, p.fieldError("code"), e.hasher.Computations() - before}
	}
	unknown, noCode, wrongCode := try("kim"), try("jan"), try("ola")
	if unknown.status != http.StatusBadRequest || unknown.msg == "" || unknown.cost < 1 {
		t.Fatalf("unknown user: %+v", unknown)
	}
	if noCode != unknown || wrongCode != unknown {
		t.Errorf("answers differ: unknown user %+v, no pending code %+v, wrong code %+v", unknown, noCode, wrongCode)
	}
}
