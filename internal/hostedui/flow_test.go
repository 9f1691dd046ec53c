package hostedui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestSignUpConfirmLoginFlow runs the Alexa account-linking journey a new
// user takes: authorization request with PKCE, sign-up, code from the
// mail, confirmation with automatic sign-in, redirect with code and
// state, and the code exchanged by a real OAuth 2.0 client. Then the
// session re-authorizes silently for each of the three Alexa redirect
// URLs, and both forms of /logout end it.
func TestSignUpConfirmLoginFlow(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	conf := &oauth2.Config{
		ClientID: e.client.ID, ClientSecret: e.secret, RedirectURL: alexaRedirects[0],
		Scopes:   []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
	}
	verifier := oauth2.GenerateVerifier()

	p := b.get(conf.AuthCodeURL("alexa-state-42", oauth2.S256ChallengeOption(verifier)))
	if p.Status != http.StatusFound {
		t.Fatalf("authorize: %d\n%s", p.Status, p.Body)
	}
	loc, _ := url.Parse(p.Location)
	if loc.Host != "" || loc.Path != "/"+e.pool.ID+"/login" || loc.Query().Get("code_challenge") == "" || loc.Query().Get("state") != "alexa-state-42" {
		t.Fatalf("authorize redirected to %s, want /login with the same query", p.Location)
	}
	p = b.get(p.Location)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="signInFormUsername"`) || !strings.Contains(p.Body, `id="signInSubmitButton"`) {
		t.Fatalf("login page: %d\n%s", p.Status, p.Body)
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://pitangui.amazon.com;") {
		t.Errorf("CSP %q does not let the form lead to the client", csp)
	}

	p = b.get(p.linkByID(t, "signUpLink"))
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="signUpFormPassword"`) {
		t.Fatalf("sign-up page: %d\n%s", p.Status, p.Body)
	}
	if !strings.Contains(p.Body, "at least 8 characters") {
		t.Error("the sign-up page does not show the password policy")
	}
	p = b.submit(p, map[string]string{"username": "tina", "email": "tina@example.com", "password": goodPW})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "t***@e***.com") || !strings.Contains(p.Body, `id="confirmFormCode"`) {
		t.Fatalf("after sign-up: %d\n%s", p.Status, p.Body)
	}
	code := e.mailbox.LastCode(t, "tina@example.com")
	p = b.submit(p, map[string]string{"code": code})
	authCode := codeFrom(t, p, alexaRedirects[0])

	tok, err := conf.Exchange(context.Background(), authCode, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Errorf("token response lacks tokens: %+v", tok)
	}
	if _, err := conf.Exchange(context.Background(), authCode, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("the code was accepted twice")
	}

	// Within the session, every Alexa redirect URL gets a code at once.
	for _, redirect := range alexaRedirects {
		p = b.get("/oauth2/authorize?" + e.authQuery(redirect).Encode())
		codeFrom(t, p, redirect)
	}

	// Sign-out with logout_uri.
	p = b.get("/logout?" + url.Values{"client_id": {e.client.ID}, "logout_uri": {logoutURL}}.Encode())
	if p.Status != http.StatusFound || p.Location != logoutURL {
		t.Fatalf("logout: %d %q", p.Status, p.Location)
	}
	if c := p.cookie("lp_session"); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout did not clear the session cookie: %+v", c)
	}
	p = b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[1]).Encode())
	if p.Status != http.StatusFound || !strings.Contains(p.Location, "/login?") {
		t.Fatalf("after logout authorize went to %q, want /login", p.Location)
	}

	// Sign in with the password, then sign out back to the sign-in page.
	codeFrom(t, b.login(alexaRedirects[1], "tina", goodPW), alexaRedirects[1])
	q := url.Values{"client_id": {e.client.ID}, "redirect_uri": {alexaRedirects[2]}, "response_type": {"code"}, "state": {"alexa-state-42"}, "scope": {"openid"}}
	p = b.get("/logout?" + q.Encode())
	loc, _ = url.Parse(p.Location)
	if p.Status != http.StatusFound || loc.Path != "/"+e.pool.ID+"/login" || loc.Query().Get("redirect_uri") != alexaRedirects[2] || loc.Query().Get("state") != "alexa-state-42" {
		t.Fatalf("logout with redirect_uri: %d %q", p.Status, p.Location)
	}
	p = b.get(p.Location)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="signInFormPassword"`) {
		t.Fatalf("sign-in page after logout: %d", p.Status)
	}
	codeFrom(t, b.submit(p, map[string]string{"username": "tina", "password": goodPW}), alexaRedirects[2])
}

func TestSessionEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(t *testing.T, e *env, b *browser)
	}{
		{name: "expiry", end: func(t *testing.T, e *env, b *browser) { e.clock.Advance(time.Hour) }},
		{name: "global sign-out", end: func(t *testing.T, e *env, b *browser) {
			if err := e.accounts.GlobalSignOut(context.Background(), e.pool, "ulla"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "disabled user", end: func(t *testing.T, e *env, b *browser) {
			if err := e.accounts.AdminDisableUser(context.Background(), e.pool, "ulla"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "tampered secret", end: func(t *testing.T, e *env, b *browser) {
			u, _ := url.Parse(e.base)
			for _, c := range b.c.Jar.Cookies(u) {
				if c.Name == "lp_session" {
					id, _, _ := strings.Cut(c.Value, ".")
					c.Value = id + "." + strings.Repeat("A", 43)
					c.Path = "/" + e.pool.ID
					b.c.Jar.SetCookies(u, []*http.Cookie{c})
				}
			}
		}},
		{name: "logout without client_id", end: func(t *testing.T, e *env, b *browser) {
			p := b.get("/logout")
			if p.Status != http.StatusBadRequest || !strings.Contains(p.errorText(), "client_id") {
				t.Fatalf("logout without client_id: %d %q", p.Status, p.errorText())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, options{})
			e.createUser(t, "ulla", "ulla@example.com", goodPW)
			b := e.browser()
			codeFrom(t, b.login(alexaRedirects[0], "ulla", goodPW), alexaRedirects[0])
			codeFrom(t, b.get("/oauth2/authorize?"+e.authQuery(alexaRedirects[0]).Encode()), alexaRedirects[0])
			tt.end(t, e, b)
			p := b.get("/oauth2/authorize?" + e.authQuery(alexaRedirects[0]).Encode())
			if p.Status != http.StatusFound || !strings.Contains(p.Location, "/login?") {
				t.Fatalf("authorize after the session ended: %d %q, want /login", p.Status, p.Location)
			}
		})
	}
}

func TestChangeTemporaryPassword(t *testing.T) {
	e := newEnv(t, options{})
	if _, err := e.accounts.AdminCreateUser(context.Background(), e.pool, accountInput("vera", "Temp0rary-pw!")); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	p := b.login(alexaRedirects[0], "vera", "Temp0rary-pw!")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="changePasswordForm"`) {
		t.Fatalf("sign-in with a temporary password: %d\n%s", p.Status, p.Body)
	}
	if p.cookie("lp_session") != nil {
		t.Fatal("a session was opened before the password change")
	}
	bad := b.submit(p, map[string]string{"current_password": "Temp0rary-pw!", "password": "N3w-password!", "confirm_password": "N3w-passw0rd!"})
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, "The passwords do not match.") {
		t.Fatalf("mismatched confirmation: %d\n%s", bad.Status, bad.Body)
	}
	weak := b.submit(bad, map[string]string{"current_password": "Temp0rary-pw!", "password": "weakpass", "confirm_password": "weakpass"})
	if weak.Status != http.StatusBadRequest || !strings.Contains(weak.Body, "uppercase") {
		t.Fatalf("weak password: %d\n%s", weak.Status, weak.Body)
	}
	wrong := b.submit(weak, map[string]string{"current_password": "Wr0ng-temp!", "password": "N3w-password!", "confirm_password": "N3w-password!"})
	if wrong.Status != http.StatusBadRequest || wrong.errorText() != "Incorrect username or password." {
		t.Fatalf("wrong temporary password: %d %q", wrong.Status, wrong.errorText())
	}
	p = b.submit(wrong, map[string]string{"current_password": "Temp0rary-pw!", "password": "N3w-password!", "confirm_password": "N3w-password!"})
	codeFrom(t, p, alexaRedirects[0])
	codeFrom(t, e.browser().login(alexaRedirects[0], "vera", "N3w-password!"), alexaRedirects[0])
}

func TestAutoConfirmSignUpCompletes(t *testing.T) {
	e := newEnv(t, options{editPool: func(p *poolT) { p.AutoConfirmSignUp = true }})
	b := e.browser()
	p := b.get("/signup?" + e.authQuery(alexaRedirects[1]).Encode())
	p = b.submit(p, map[string]string{"username": "walt", "email": "walt@example.com", "password": goodPW})
	codeFrom(t, p, alexaRedirects[1])
	if len(e.mailbox.Messages()) != 0 {
		t.Error("an auto-confirming pool mailed a code")
	}
}

// TestStandalonePages signs up and resets a password without an
// authorization request: the pages end at the sign-in page with notices.
func TestStandalonePages(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	p := b.get("/signup")
	p = b.submit(p, map[string]string{"username": "xia", "email": "xia@example.com", "password": goodPW})
	p = b.submit(p, map[string]string{"code": e.mailbox.LastCode(t, "xia@example.com")})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/login?notice=confirmed") {
		t.Fatalf("confirm without an authorization request: %d %q", p.Status, p.Location)
	}
	p = b.get(p.Location)
	if p.noticeText() != "Your account is confirmed. Sign in to continue." {
		t.Errorf("notice = %q", p.noticeText())
	}
	p = b.submit(p, map[string]string{"username": "xia", "password": goodPW})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "You are signed in to SmartLamp.") || p.cookie("lp_session") == nil {
		t.Fatalf("standalone sign-in: %d\n%s", p.Status, p.Body)
	}
}

// TestConfirmInAnotherBrowser checks that a code confirmed in a browser
// that did not sign up leads to the sign-in page, not into the account.
func TestConfirmInAnotherBrowser(t *testing.T) {
	e := newEnv(t, options{})
	b1 := e.browser()
	p := b1.get("/signup?" + e.authQuery(alexaRedirects[0]).Encode())
	b1.submit(p, map[string]string{"username": "yves", "email": "yves@example.com", "password": goodPW})
	b2 := e.browser()
	p = b2.get("/confirm?" + e.authQuery(alexaRedirects[0], "username", "yves").Encode())
	p = b2.submit(p, map[string]string{"code": e.mailbox.LastCode(t, "yves@example.com")})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/login?") || !strings.Contains(p.Location, "notice=confirmed") {
		t.Fatalf("confirmation elsewhere: %d %q", p.Status, p.Location)
	}
	if p.cookie("lp_session") != nil {
		t.Error("a session was opened in the other browser")
	}
}

// TestConfirmationLink follows a Cognito-style confirmation link: the link
// fills the form and confirms nothing until the user posts it.
func TestConfirmationLink(t *testing.T) {
	e := newEnv(t, options{})
	b := e.browser()
	p := b.get("/signup")
	b.submit(p, map[string]string{"username": "nina", "email": "nina@example.com", "password": goodPW})
	code := e.mailbox.LastCode(t, "nina@example.com")
	other := e.browser()
	p = other.get("/confirmUser?" + url.Values{"client_id": {e.client.ID}, "user_name": {"nina"}, "confirmation_code": {code}}.Encode())
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `value="`+code+`"`) || !strings.Contains(p.Body, `name="username" value="nina"`) {
		t.Fatalf("confirmation link page: %d\n%s", p.Status, p.Body)
	}
	u, err := e.accounts.Lookup(context.Background(), e.pool, "nina")
	if err != nil || u.Status != "UNCONFIRMED" {
		t.Fatalf("following the link changed the user: %v %v", u.Status, err)
	}
	p = other.submit(p, map[string]string{})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "notice=confirmed") {
		t.Fatalf("posting the link's form: %d %q", p.Status, p.Location)
	}
}
