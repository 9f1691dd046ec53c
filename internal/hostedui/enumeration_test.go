package hostedui_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
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
	if e.mailbox.LastCode(t, "ola@example.com") == wrong {
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

// TestSignInAfterConcealedSignUp protects the concealment of a taken name
// against its two-step probe: the browser that signed up a taken name and
// then signs in with the same name and password gets the confirmation
// page a fresh, unconfirmed sign-up gets, and the owner's account is not
// touched: no failed sign-in is counted towards its lockout.
func TestSignInAfterConcealedSignUp(t *testing.T) {
	e := newEnv(t, options{})
	gus := e.createUser(t, "gus", "gus@example.com", goodPW)
	const probePW = "Pr0be-passw0rd!"
	browsers := map[string]*browser{}
	for _, name := range []string{"hal", "gus"} {
		b := e.browser()
		form := b.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
		if p := b.submit(form, map[string]string{"username": name, "email": "probe@example.com", "password": probePW}); p.Status != http.StatusOK {
			t.Fatalf("sign-up of %s: %d", name, p.Status)
		}
		browsers[name] = b
	}
	owner := e.user(t, gus.Sub) // with the notice of the concealed sign-up counted
	e.clock.Advance(time.Minute)
	answers := map[string]*page{}
	for name, b := range browsers {
		login := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
		answers[name] = b.submit(login, map[string]string{"username": name, "password": probePW})
	}
	fresh, taken := answers["hal"], answers["gus"]
	if fresh.Status != http.StatusOK || !strings.Contains(fresh.Body, `id="confirmForm"`) {
		t.Fatalf("sign-in after a fresh sign-up: %d\n%s", fresh.Status, fresh.Body)
	}
	mask := func(p *page, name string) string { // the typed name and each browser's CSRF token
		return strings.NewReplacer("username="+name, "username=X", `value="`+name+`"`, `value="X"`, p.csrf(t), "CSRF").Replace(p.Body)
	}
	if taken.Status != fresh.Status || mask(taken, "gus") != mask(fresh, "hal") {
		t.Errorf("sign-in after a taken sign-up: %d, after a fresh one: %d; pages:\n%s\n----\n%s", taken.Status, fresh.Status, mask(taken, "gus"), mask(fresh, "hal"))
	}
	if c, f := taken.cookie("lp_pending"), fresh.cookie("lp_pending"); (c == nil) != (f == nil) || c != nil && len(c.Value) != len(f.Value) {
		t.Errorf("pending cookies differ: %+v and %+v", c, f)
	}
	if got := e.user(t, gus.Sub); !reflect.DeepEqual(got, owner) || got.FailedLogins != 0 {
		t.Errorf("the sign-in touched the owner's account:\n%+v\nwas\n%+v", got, owner)
	}
}
