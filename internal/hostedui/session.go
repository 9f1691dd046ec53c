package hostedui

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// Session cookie: "<id>.<secret>", the id to find the session, the
// secret proven by its hash (oauth.HashSecret), so a database leak yields
// no usable cookie. HttpOnly, SameSite=Lax (the cookie must arrive on the
// top-level navigation from the client to /oauth2/authorize), Secure over
// https, scoped to the pool base.
const sessionCookie = "lp_session"

var sessionPattern = regexp.MustCompile(`^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$`)

// startSession opens a session for u, signed in through provider
// (pool.ProviderCognito or the identity provider's name) and, when
// second is set, that second factor, and sets its cookie, ending the
// browser's previous session first.
func (c *call) startSession(u pool.User, provider, second string) error {
	c.endSession()
	now := c.u.now()
	id, secret := randomToken(16), randomToken(32)
	s := store.Session{
		ID: id, SecretHash: oauth.HashSecret(secret), PoolID: c.t.Pool.ID, Sub: u.Sub, IdentityProvider: provider,
		SecondFactor: second, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(c.u.sessionTTL),
	}
	if err := c.u.store.CreateSession(c.r.Context(), s); err != nil {
		return fmt.Errorf("hostedui: create session: %w", err)
	}
	http.SetCookie(c.w, &http.Cookie{
		Name: sessionCookie, Value: id + "." + secret, Path: c.cookiePath(),
		MaxAge: int(c.u.sessionTTL.Seconds()), HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// session returns the browser's valid session and its user. A session is
// valid when its secret matches, it belongs to this pool and has not
// expired, and its user still exists, is enabled and confirmed (or was
// created by an identity provider), and has
// not signed out globally since (TokensValidAfter). ok is false
// otherwise; err reports store failures only.
func (c *call) session() (store.Session, pool.User, bool, error) {
	ck, err := c.r.Cookie(sessionCookie)
	if err != nil {
		return store.Session{}, pool.User{}, false, nil
	}
	m := sessionPattern.FindStringSubmatch(ck.Value)
	if m == nil {
		return store.Session{}, pool.User{}, false, nil
	}
	ctx := c.r.Context()
	s, err := c.u.store.GetSession(ctx, m[1])
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, pool.User{}, false, nil
	}
	if err != nil {
		return store.Session{}, pool.User{}, false, fmt.Errorf("hostedui: get session: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(s.SecretHash), []byte(oauth.HashSecret(m[2]))) != 1 ||
		s.PoolID != c.t.Pool.ID || !c.u.now().Before(s.ExpiresAt) {
		return store.Session{}, pool.User{}, false, nil
	}
	u, err := c.u.store.GetUser(ctx, s.PoolID, s.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, pool.User{}, false, nil
	}
	if err != nil {
		return store.Session{}, pool.User{}, false, fmt.Errorf("hostedui: get session user: %w", err)
	}
	if !u.Enabled || (u.Status != pool.StatusConfirmed && u.Status != pool.StatusExternalProvider) || s.AuthTime.Before(u.TokensValidAfter) {
		return store.Session{}, pool.User{}, false, nil
	}
	return s, u, true, nil
}

// endSession deletes the browser's session, if any, and clears the
// cookie. A store failure is logged only: the cookie goes regardless.
func (c *call) endSession() {
	ck, err := c.r.Cookie(sessionCookie)
	if err != nil {
		return
	}
	if m := sessionPattern.FindStringSubmatch(ck.Value); m != nil {
		s, err := c.u.store.GetSession(c.r.Context(), m[1])
		if err == nil && subtle.ConstantTimeCompare([]byte(s.SecretHash), []byte(oauth.HashSecret(m[2]))) == 1 {
			if err := c.u.store.DeleteSession(c.r.Context(), s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				c.u.log.ErrorContext(c.r.Context(), "hostedui: delete session", "error", err)
			}
		}
	}
	http.SetCookie(c.w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: c.cookiePath(), MaxAge: -1,
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// The pending cookie remembers, for this browser only, which account it
// just signed up (or tried to sign in to unconfirmed), as an
// account.SignUpTicket: after the code is confirmed in the same browser,
// the user is signed in at once, as Cognito's hosted UI does, and a
// sign-in with the signed-up name and password is answered as for a
// fresh, unconfirmed sign-up even when the sign-up was concealed
// (account.Service.AuthenticateSignedUp). A code confirmed elsewhere
// leads to the sign-in page instead.
const pendingCookie = "lp_pending"

var ticketPattern = regexp.MustCompile(`^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$`)

func (c *call) setPending(ticket string) {
	http.SetCookie(c.w, &http.Cookie{
		Name: pendingCookie, Value: ticket, Path: c.cookiePath(), MaxAge: int(c.u.accounts.SignUpCodeTTL().Seconds()),
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	})
}

// pendingTicket returns the browser's sign-up ticket, or "".
func (c *call) pendingTicket() string {
	ck, err := c.r.Cookie(pendingCookie)
	if err != nil || !ticketPattern.MatchString(ck.Value) {
		return ""
	}
	return ck.Value
}

// pendingFor reports whether the browser signed up sub, and clears the
// cookie.
func (c *call) pendingFor(sub string) bool {
	ticket := c.pendingTicket()
	if ticket == "" {
		return false
	}
	http.SetCookie(c.w, &http.Cookie{
		Name: pendingCookie, Value: "", Path: c.cookiePath(), MaxAge: -1,
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	})
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(account.TicketSub(ticket))), []byte(sub)) == 1
}

// signInWith finishes a sign-in whose first factor proved u: the step
// account.NextStep decides (a second factor, its set-up), or, when none
// is due, signIn. Every hosted sign-in goes through it, so none reaches
// the client without the factors the pool and the user require. A step
// to take sets the MFA cookie and sends the browser to /mfa; no session
// exists until the step is done. A first factor the pool refuses (a
// passwordless one where MFA is required, or no factor the user could
// set up) is the sign-in page's error.
func (c *call) signInWith(u pool.User, provider string, first account.FirstFactor) error {
	step, err := account.NextStep(c.t.Pool, u, first)
	if account.TypeOf(err) == account.NotAuthorizedException {
		return c.renderLogin(http.StatusBadRequest, "", "error.mfa_unavailable")
	}
	if err != nil {
		return err
	}
	if step.Done() {
		second := ""
		if first == account.ByPasskeyVerified && c.t.Pool.MFA.WebAuthn.PasskeyIsMultiFactor() {
			second = pool.FactorWebAuthn
		}
		return c.signIn(u, provider, second)
	}
	now := c.u.now()
	st := mfaState{
		ID: randomToken(16), Kind: mfaSignIn, Pool: c.t.Pool.ID, Sub: u.Sub, Provider: provider, First: first,
		Challenge: step.Challenge, Options: step.Options,
		AuthTime: now.UnixMicro(), Expires: now.Add(mfaTTL).UnixMicro(),
	}
	if c.auth != nil {
		st.Query = c.auth.Query
	}
	if err := c.setMFA(st); err != nil {
		return err
	}
	page := "/mfa"
	if step.Challenge == account.ChallengeMFASetup {
		page = "/mfa/setup"
	}
	c.redirect(http.StatusSeeOther, c.local(page, nil))
	return nil
}

// signIn opens a session for u, signed in through provider
// (pool.ProviderCognito or the identity provider's name) and the second
// factor second ("" for none), and completes the authorization request:
// the sign-in is complete, so a user of the pool's own runs the post
// authentication trigger first (its refusal is the sign-in page's);
// a redirect to the client with the code (RFC 6749 §4.1.2). Without an
// authorization request it shows that the user is signed in. A client
// that does not list provider gets unauthorized_client from
// oauth.Complete, and no session is opened.
func (c *call) signIn(u pool.User, provider, second string) error {
	if provider == pool.ProviderCognito {
		err := c.u.accounts.PostAuthentication(c.r.Context(), c.t.Pool, u)
		if account.IsTriggerFailure(err) {
			return c.renderLogin(http.StatusBadRequest, "", "error.refused")
		}
		if err != nil {
			return err
		}
	}
	if c.auth == nil {
		if err := c.startSession(u, provider, second); err != nil {
			return err
		}
		v := c.view("page.signed_in", "", "")
		v.Notice = c.cat.T("signed_in.body", "pool", c.t.Pool.Name)
		if c.passkeysEnabled() && c.passkeyOrigin() {
			v.Back, v.BackLabel = v.Links["passkeys"], "signed_in.passkeys"
		}
		return c.render(http.StatusOK, "message", v)
	}
	now := c.u.now()
	loc, err := c.u.oauth.Complete(c.r.Context(), c.auth, u, now, provider)
	if err != nil {
		return err
	}
	if err := c.startSession(u, provider, second); err != nil {
		return err
	}
	c.redirect(http.StatusFound, loc)
	return nil
}
