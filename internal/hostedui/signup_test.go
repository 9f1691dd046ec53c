package hostedui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestSignUpValidation(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(p *pool.Pool)
		fields    map[string]string
		wantField string // id of the inline error
		wantText  string
	}{
		{name: "short password", fields: map[string]string{"username": "fay", "email": "fay@example.com", "password": "Ab1!"},
			wantField: "passwordError", wantText: "at least 8 characters"},
		{name: "password without symbol", fields: map[string]string{"username": "fay", "email": "fay@example.com", "password": "Abcdefgh1"},
			wantField: "passwordError", wantText: "must contain a symbol"},
		{name: "username with space", fields: map[string]string{"username": "f a y", "email": "fay@example.com", "password": goodPW},
			wantField: "usernameError", wantText: "no spaces"},
		{name: "missing email", fields: map[string]string{"username": "fay", "email": "", "password": goodPW},
			wantField: "emailError", wantText: "Enter your email address"},
		{name: "malformed email", fields: map[string]string{"username": "fay", "email": "fay-at-example", "password": goodPW},
			wantField: "emailError", wantText: "valid email address"},
		{name: "email as username in an alias pool", edit: func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} },
			fields:    map[string]string{"username": "fay@example.com", "email": "fay@example.com", "password": goodPW},
			wantField: "usernameError", wantText: "cannot be an email address"},
		{name: "malformed address in an email pool", edit: func(p *pool.Pool) { p.UsernameAttributes = []string{pool.AttrEmail} },
			fields:    map[string]string{"email": "not-an-address", "password": goodPW},
			wantField: "emailError", wantText: "valid email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{editPool: tt.edit})
			b := e.browser()
			p := b.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
			p = b.submit(p, tt.fields)
			if p.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400\n%s", p.Status, p.Body)
			}
			m := regexp.MustCompile(`id="` + tt.wantField + `">([^<]*)<`).FindStringSubmatch(p.Body)
			if m == nil || !strings.Contains(m[1], tt.wantText) {
				t.Fatalf("inline error #%s = %v, want %q\n%s", tt.wantField, m, tt.wantText, p.Body)
			}
			if !strings.Contains(p.Body, `aria-invalid="true"`) {
				t.Error("the field is not marked invalid")
			}
			if strings.Contains(p.Body, tt.fields["password"]) && tt.fields["password"] != "" {
				t.Error("the password was echoed")
			}
			if v := tt.fields["username"]; v != "" && !strings.Contains(p.Body, `value="`+v+`"`) {
				t.Error("the username was not kept in the form")
			}
			if len(e.mailbox.Messages()) != 0 {
				t.Error("a rejected sign-up sent mail")
			}
		})
	}
}

// TestDuplicateSignUpIndistinguishable signs up a fresh name and a taken
// one: the pages match byte for byte once the typed values are masked, and
// the owner of the taken name gets a notice instead of a code.
func TestDuplicateSignUpIndistinguishable(t *testing.T) {
	e := newEnv(t, options{})
	e.createUser(t, "gus", "gus@example.com", goodPW)
	b := e.browser()
	form := b.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
	fresh := b.submit(form, map[string]string{"username": "hal", "email": "hal@example.com", "password": goodPW})
	taken := b.submit(form, map[string]string{"username": "GUS", "email": "hugo@example.com", "password": goodPW})
	if fresh.Status != http.StatusOK || taken.Status != http.StatusOK {
		t.Fatalf("statuses %d and %d", fresh.Status, taken.Status)
	}
	mask := func(s string, pairs ...string) string {
		return strings.NewReplacer(pairs...).Replace(s)
	}
	a := mask(fresh.Body, "username=hal", "username=X", `value="hal"`, `value="X"`)
	c := mask(taken.Body, "username=GUS", "username=X", `value="GUS"`, `value="X"`)
	if a != c {
		t.Errorf("pages differ:\n%s\n----\n%s", a, c)
	}
	if !strings.Contains(a, "h***@e***.com") {
		t.Error("the page does not show where the code went")
	}
	for _, p := range []*page{fresh, taken} {
		if c := p.cookie("lp_pending"); c == nil || len(c.Value) != 36+1+43 {
			t.Errorf("pending cookie = %+v", c)
		}
	}
	mails := e.mailbox.Messages()
	if len(mails) != 2 || mails[0].To != "hal@example.com" || mails[1].To != "gus@example.com" || !strings.Contains(mails[1].Text, "already belongs to your account") {
		t.Fatalf("mails = %+v", mails)
	}
	// A code typed for the taken name gets the ordinary wrong-code answer.
	p := b.submit(taken, map[string]string{"code": "123456"})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Invalid verification code provided") {
		t.Errorf("confirming the taken name: %d\n%s", p.Status, p.Body)
	}
}

func TestConfirmErrorsAndResend(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	p := b.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
	confirm := b.submit(p, map[string]string{"username": "ida", "email": "ida@example.com", "password": goodPW})
	code := e.mailbox.LastCode(t, "ida@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p = b.submit(confirm, map[string]string{"code": wrong})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="codeError">Invalid verification code provided, please try again or request a new code.<`) {
		t.Fatalf("wrong code: %d\n%s", p.Status, p.Body)
	}
	for range account.MaxCodeAttempts - 1 {
		p = b.submit(p, map[string]string{"code": wrong})
	}
	if p.fieldError("code") != "Invalid verification code provided, please try again or request a new code." {
		t.Fatalf("after %d wrong codes:\n%s", account.MaxCodeAttempts, p.Body)
	}
	e.clock.Advance(account.DefaultCodeInterval)
	resend := b.get(p.linkByID(t, "resendCodeLink"))
	if !strings.Contains(resend.Body, `value="ida"`) {
		t.Fatalf("resend page does not carry the username:\n%s", resend.Body)
	}
	p = b.submit(resend, map[string]string{})
	if p.Status != http.StatusOK || !strings.Contains(p.noticeText(), "we sent a new code") {
		t.Fatalf("resend: %d\n%s", p.Status, p.Body)
	}
	fresh := e.mailbox.LastCode(t, "ida@example.com")
	codeFrom(t, b.submit(p, map[string]string{"code": fresh}), alexaRedirects[0])

	// Resending for an unknown or confirmed user looks the same.
	for _, name := range []string{"nobody", "ida"} {
		r := b.get("/resendcode?username=" + name)
		r = b.submit(r, map[string]string{})
		if r.Status != http.StatusOK || !strings.Contains(r.noticeText(), "we sent a new code") {
			t.Errorf("resend for %s: %d %q", name, r.Status, r.noticeText())
		}
	}
}

func TestForgotPasswordFlow(t *testing.T) {
	e := newEnv(t, options{})
	u := e.createUser(t, "jan", "jan@example.com", goodPW)
	for range e.pool.LockoutPolicy.MaxFailedAttempts {
		_, _ = e.accounts.Authenticate(context.Background(), e.pool, "jan", "Wr0ng-guess!")
	}
	b := e.browser()
	login := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	forgot := b.get(login.linkByID(t, "forgotPasswordLink"))
	if !strings.Contains(forgot.Body, `id="forgotPasswordUsername"`) {
		t.Fatalf("forgot page:\n%s", forgot.Body)
	}
	known := b.submit(forgot, map[string]string{"username": "jan"})
	unknown := b.submit(forgot, map[string]string{"username": "kim"})
	if known.Status != http.StatusOK || unknown.Status != known.Status {
		t.Fatalf("statuses %d and %d", known.Status, unknown.Status)
	}
	a := strings.NewReplacer("username=jan", "username=X", `value="jan"`, `value="X"`).Replace(known.Body)
	c := strings.NewReplacer("username=kim", "username=X", `value="kim"`, `value="X"`).Replace(unknown.Body)
	if a != c {
		t.Errorf("known and unknown users get different pages:\n%s\n----\n%s", a, c)
	}
	if !strings.Contains(known.noticeText(), "If an account exists") {
		t.Errorf("notice = %q", known.noticeText())
	}
	code := e.mailbox.LastCode(t, "jan@example.com")
	if len(e.mailbox.Messages()) != 1 {
		t.Errorf("mails = %+v, want one reset code", e.mailbox.Messages())
	}

	p := b.submit(known, map[string]string{"code": code, "password": "N3w-password!", "confirm_password": "N3w-password?"})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "The passwords do not match.") {
		t.Fatalf("mismatched confirmation: %d\n%s", p.Status, p.Body)
	}
	p = b.submit(p, map[string]string{"code": code, "password": "short", "confirm_password": "short"})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="passwordError"`) {
		t.Fatalf("weak password: %d\n%s", p.Status, p.Body)
	}
	p = b.submit(p, map[string]string{"code": code, "password": "N3w-password!", "confirm_password": "N3w-password!"})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/login?") || !strings.Contains(p.Location, "notice=password_reset") || !strings.Contains(p.Location, "client_id="+e.client.ID) {
		t.Fatalf("reset: %d %q", p.Status, p.Location)
	}
	p = b.get(p.Location)
	if !strings.Contains(p.noticeText(), "Your password has been changed.") {
		t.Errorf("notice = %q", p.noticeText())
	}
	codeFrom(t, b.submit(p, map[string]string{"username": "jan", "password": "N3w-password!"}), alexaRedirects[0])
	if got := e.user(t, u.Sub); got.FailedLogins != 0 {
		t.Errorf("failed logins after reset = %d", got.FailedLogins)
	}

	// A reset for an unknown user fails like a wrong code.
	r := b.get("/confirmForgotPassword?username=kim")
	r = b.submit(r, map[string]string{"code": "123456", "password": "N3w-password!", "confirm_password": "N3w-password!"})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Invalid verification code provided") {
		t.Errorf("reset for an unknown user: %d\n%s", r.Status, r.Body)
	}
}

func TestSignUpDisabled(t *testing.T) {
	e := newEnv(t, options{editPool: func(p *pool.Pool) { p.AllowAdminCreateUserOnly = true }})
	b := e.browser()
	login := b.get("/login?" + e.authQuery(alexaRedirects[0]).Encode())
	if strings.Contains(login.Body, `id="signUpLink"`) {
		t.Error("the sign-in page links to a disabled sign-up")
	}
	p := b.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
	if p.Status != http.StatusForbidden || !strings.Contains(p.errorText(), "Sign-up is not available") {
		t.Fatalf("sign-up page: %d %q", p.Status, p.errorText())
	}
	form := url.Values{"_csrf": {login.csrf(t)}, "username": {"lea"}, "email": {"lea@example.com"}, "password": {goodPW}}
	p = b.post("/signup?"+e.authQuery(alexaRedirects[0]).Encode(), form)
	if p.Status != http.StatusForbidden {
		t.Fatalf("sign-up post: %d", p.Status)
	}
	if _, err := e.accounts.Lookup(context.Background(), e.pool, "lea"); account.TypeOf(err) != account.UserNotFoundException {
		t.Errorf("a user was created: %v", err)
	}
}
