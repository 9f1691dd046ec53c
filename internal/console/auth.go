package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/store"
)

// Roles of a signed-in operator, from their groups in the system pool.
const (
	roleAdmin    = "admin"
	roleReadOnly = "read-only"
)

// operator is the signed-in operator of a request.
type operator struct {
	session
	Role string
}

// CanWrite reports whether the operator may change things.
func (o operator) CanWrite() bool { return o.Role == roleAdmin }

// handlerFunc is a console page with its operator.
type handlerFunc func(w http.ResponseWriter, r *http.Request, op operator)

// roleOf returns the console role of a member of groups: admin before
// read-only, "" for neither.
func roleOf(groups []string) string {
	switch {
	case slices.Contains(groups, GroupAdmin):
		return roleAdmin
	case slices.Contains(groups, GroupReadOnly):
		return roleReadOnly
	}
	return ""
}

// authorized wraps a page: an anonymous request is sent to sign in (a
// GET) or refused 401 (anything else); an operator who is no longer
// enabled, was signed out everywhere or is in neither console group is
// refused 403. A POST must come from the console's origin and carry the
// session's CSRF token (403 otherwise), and write pages (write) refuse
// read-only operators 403. The operator's actions are recorded in the
// audit log as the console actor with their sub.
func (c *Console) authorized(write bool, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.readSession(r)
		if !ok {
			c.anonymous(w, r)
			return
		}
		role, err := c.currentRole(r.Context(), s)
		if err != nil {
			c.failure(w, r, err)
			return
		}
		if role == "" {
			c.setCookie(w, c.sessionCookie(), "", -1)
			c.forbidden(w, r, "console.error.not_operator")
			return
		}
		op := operator{session: s, Role: role}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !c.sameOrigin(r) || !c.validCSRF(w, r, s) {
				c.forbidden(w, r, "console.error.csrf")
				return
			}
		}
		if write && !op.CanWrite() {
			c.forbidden(w, r, "console.error.read_only")
			return
		}
		ctx := audit.WithActor(r.Context(), audit.Actor{Kind: audit.KindConsole, ID: s.Sub})
		h(w, r.WithContext(ctx), op)
	}
}

// currentRole reads the operator of s again: "" when they are gone,
// disabled, signed out everywhere since s began (in a later second, the
// rule the token endpoints apply to tokens), or in neither group.
func (c *Console) currentRole(ctx context.Context, s session) (string, error) {
	u, err := c.cfg.Store.GetUser(ctx, SystemPoolID, s.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !u.Enabled || (!u.TokensValidAfter.IsZero() && u.TokensValidAfter.Unix() > s.IssuedAt) {
		return "", nil
	}
	groups, err := c.cfg.Store.ListGroupsForUser(ctx, SystemPoolID, s.Sub)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(groups))
	for _, g := range groups {
		names = append(names, g.Name)
	}
	return roleOf(names), nil
}

// anonymous answers a request without a session: a GET is sent to sign
// in and come back, anything else is refused 401.
func (c *Console) anonymous(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		c.errorPage(w, r, http.StatusUnauthorized, "console.error.signed_out")
		return
	}
	http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// sameOrigin checks a POST's Origin header, which browsers send with
// every form post: it must be the console's. Without one (an old
// browser), Sec-Fetch-Site must not say cross-site.
func (c *Console) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		return o == c.origin
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin" || site == "none"
}

// maxForm is the size of a form post, unless the route allows more
// (withBodyLimit).
const maxForm = 64 << 10

type bodyLimitKey struct{}

// withBodyLimit lets the posts of h carry up to n bytes instead of
// maxForm (a SAML metadata file pasted into a form).
func withBodyLimit(n int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyLimitKey{}, n)))
	})
}

// validCSRF checks the posted csrf field against the session's token.
func (c *Console) validCSRF(w http.ResponseWriter, r *http.Request, s session) bool {
	limit := int64(maxForm)
	if n, ok := r.Context().Value(bodyLimitKey{}).(int64); ok {
		limit = n
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) == 1
}

// safeNext returns next when it is a path of the console, else the
// dashboard: the sign-in never sends the browser elsewhere.
func safeNext(next string) string {
	if next == "/console" || (strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "/console/signin") &&
		!strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, "//")) {
		return next
	}
	return "/console/"
}

// signIn starts the sign-in at the system pool's hosted pages: the
// authorization-code grant with PKCE (S256), a state and a nonce, kept in
// a sealed cookie until the callback.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	st := signin{
		State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(r.URL.Query().Get("next")), Expires: c.now().Add(signinTTL).Unix(),
	}
	c.setCookie(w, c.signinCookie(), c.seal(st, signinPurpose), int(signinTTL.Seconds()))
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce)}
	if l := c.catalog(r).Lang(); l != "en" {
		opts = append(opts, oauth2.SetAuthURLParam("lang", l))
	}
	http.Redirect(w, r, c.oauth.AuthCodeURL(st.State, opts...), http.StatusSeeOther)
}

// callback finishes the sign-in: it checks the state, exchanges the code
// with the PKCE verifier, verifies the ID token (signature by the system
// pool's keys, issuer, audience, expiry, nonce), requires membership of
// a console group, and starts the session.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	var st signin
	ok := c.open(r, c.signinCookie(), signinPurpose, &st)
	c.setCookie(w, c.signinCookie(), "", -1)
	q := r.URL.Query()
	if !ok || c.now().Unix() >= st.Expires || q.Get("state") == "" ||
		subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.signin_expired")
		return
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.signin_failed")
		return
	}
	ctx := oidc.ClientContext(r.Context(), c.cfg.HTTPClient)
	tok, err := c.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		c.cfg.Log.WarnContext(r.Context(), "console sign-in: token exchange failed", "error", err)
		c.errorPage(w, r, http.StatusBadGateway, "console.error.signin_failed")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := c.idTokenVerifier().Verify(ctx, raw)
	if err != nil || idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		c.cfg.Log.WarnContext(r.Context(), "console sign-in: ID token refused", "error", err)
		c.errorPage(w, r, http.StatusBadGateway, "console.error.signin_failed")
		return
	}
	var claims struct {
		Username string   `json:"cognito:username"`
		Groups   []string `json:"cognito:groups"`
	}
	if err := idt.Claims(&claims); err != nil {
		c.errorPage(w, r, http.StatusBadGateway, "console.error.signin_failed")
		return
	}
	if roleOf(claims.Groups) == "" {
		c.cfg.Log.InfoContext(r.Context(), "console sign-in refused: not in a console group", "sub", idt.Subject)
		c.forbidden(w, r, "console.error.not_operator")
		return
	}
	now := c.now()
	s := session{Sub: idt.Subject, Username: claims.Username, IssuedAt: now.Unix(),
		Expires: now.Add(c.cfg.SessionTTL).Unix(), CSRF: randomToken()}
	c.setCookie(w, c.sessionCookie(), c.seal(s, sessionPurpose), int(c.cfg.SessionTTL.Seconds()))
	c.cfg.Log.InfoContext(r.Context(), "console sign-in", "sub", s.Sub)
	http.Redirect(w, r, safeNext(st.Next), http.StatusSeeOther)
}

// signOut ends the console session and the system pool's sign-in
// session, whose logout endpoint sends the browser back to the
// signed-out page.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, _ operator) {
	c.setCookie(w, c.sessionCookie(), "", -1)
	q := url.Values{"client_id": {SystemClientID}, "logout_uri": {c.origin + SignedOutPath}}
	http.Redirect(w, r, c.issuer+"/logout?"+q.Encode(), http.StatusSeeOther)
}
