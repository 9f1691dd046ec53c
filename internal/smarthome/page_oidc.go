package smarthome

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// loginState is what the short-lived login cookie holds between the
// redirect to the pool and the callback: the state (CSRF protection of the
// redirect, RFC 6749 §10.12), the nonce (OpenID Connect Core §3.1.2.1) and
// the PKCE verifier (RFC 7636; RFC 9700 §2.1.1 requires PKCE for every
// client).
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
}

const loginTTL = 10 * time.Minute

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// startLogin redirects to the pool's authorization endpoint (code flow,
// S256 PKCE, state and nonce).
func (p *page) startLogin(w http.ResponseWriter, r *http.Request) {
	_, oc, err := p.client(r.Context())
	if err != nil {
		p.log.ErrorContext(r.Context(), "smarthome: the sign-in provider is unavailable", "error", err.Error())
		p.message(w, r, http.StatusServiceUnavailable, session{}, "page.error", "error.internal", "link.try_again")
		return
	}
	ls := loginState{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier()}
	if err := setCookie(p.cookies, w, loginCookie, ls, loginTTL); err != nil {
		p.message(w, r, http.StatusInternalServerError, session{}, "page.error", "error.internal", "link.try_again")
		return
	}
	http.Redirect(w, r, oc.AuthCodeURL(ls.State, oauth2.S256ChallengeOption(ls.Verifier), oidc.Nonce(ls.Nonce)), http.StatusFound)
}

// serveCallback completes the sign-in: it checks state, redeems the code
// with the PKCE verifier, verifies the ID token (signature, issuer,
// audience, expiry) and its nonce, then starts the session.
func (p *page) serveCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fail := func(status int, why string) {
		p.log.InfoContext(ctx, "smarthome: sign-in failed", "reason", why)
		p.message(w, r, status, session{}, "page.error", "lamps.sign_in_failed", "link.try_again")
	}
	// unavailable is a failure of the issuer or of the page, not of the
	// browser's request: 503, and trying again may well work.
	unavailable := func(why string) {
		p.log.WarnContext(ctx, "smarthome: sign-in unavailable", "reason", why)
		p.message(w, r, http.StatusServiceUnavailable, session{}, "page.error", "error.internal", "link.try_again")
	}
	ls, err := getCookie[loginState](p.cookies, r, loginCookie)
	if err != nil {
		fail(http.StatusBadRequest, "no login in progress or it expired")
		return
	}
	p.cookies.clear(w, loginCookie)
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(ls.State)) != 1 {
		fail(http.StatusBadRequest, "state mismatch")
		return
	}
	if e := q.Get("error"); e != "" {
		fail(http.StatusBadRequest, "the provider answered error "+quoteParam(e))
		return
	}
	code := q.Get("code")
	if code == "" {
		fail(http.StatusBadRequest, "no code")
		return
	}
	verifier, oc, err := p.client(ctx)
	if err != nil {
		unavailable(err.Error())
		return
	}
	octx := oidc.ClientContext(ctx, p.cfg.HTTPClient)
	tok, err := oc.Exchange(octx, code, oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		// A refused code (used, expired, or from another sign-in) is the
		// browser's stale request; anything else is the issuer's trouble
		// or the page's configuration.
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			fail(http.StatusBadRequest, "code exchange: "+oauthErrorSummary(err))
			return
		}
		unavailable("code exchange: " + oauthErrorSummary(err))
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		unavailable("no id_token in the token response")
		return
	}
	idt, err := verifier.Verify(octx, raw)
	if err != nil {
		fail(http.StatusBadRequest, "ID token: "+err.Error())
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(ls.Nonce)) != 1 {
		fail(http.StatusBadRequest, "nonce mismatch")
		return
	}
	var c struct {
		Name      string `json:"name"`
		Email     string `json:"email"`
		Username  string `json:"cognito:username"`
		OriginJTI string `json:"origin_jti"`
	}
	_ = idt.Claims(&c)
	u := SessionUser{Sub: idt.Subject, OriginJTI: c.OriginJTI, SignedInAt: idt.IssuedAt}
	if u.SignedInAt.IsZero() {
		u.SignedInAt = p.now()
	}
	// A sign-in replaces the browser's earlier session, if any.
	earlier, _ := getCookie[sessionRef](p.cookies, r, sessionCookie)
	if err := p.endSession(ctx, earlier.ID); err != nil {
		unavailable("ending the earlier session: " + err.Error())
		return
	}
	if err := p.startSession(ctx, w, u, firstNonEmpty(c.Name, c.Email, c.Username, idt.Subject), tok); err != nil {
		unavailable("starting the session: " + err.Error())
		return
	}
	http.Redirect(w, r, "/lamps", http.StatusSeeOther)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func quoteParam(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return "\"" + s + "\""
}
