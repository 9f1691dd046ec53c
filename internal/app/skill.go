package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/verify"
)

// SkillOptions runs the SmartLamp skill in the same process as the pool
// that links its users: POST /alexa/smart-home and, when a lamps client is
// given, the /lamps page.
type SkillOptions struct {
	PoolID string
	// ClientIDs are the app clients whose access tokens the skill accepts
	// (the Alexa client).
	ClientIDs []string
	// Options are the skill's settings, as everywhere it runs: the LWA
	// client and event gateway, required scopes, and the lamps page
	// client (an ordinary OIDC client of the pool; empty LampsClientID
	// disables the page). The page's sessions are checked against the
	// pool on every request, so LampsRecheckInterval does not apply.
	smarthome.Options
	// LampsRedirectURL is the page's callback, <public-url>/lamps/callback.
	LampsRedirectURL string
	// Now is the skill's clock for token expiry (default: the app's
	// Config.Now, else time.Now).
	Now func() time.Time
}

// MountSkill builds the SmartLamp skill over the app's store and returns
// the route registration for the top-level mux. The skill verifies tokens
// against the pool's JWKS fetched in-process (no network round trip) and
// asks the store whether the user and the grant are still valid, so a
// revoked link or a disabled user gets INVALID_AUTHORIZATION_CREDENTIAL.
// The /lamps page applies the same check to its sessions on every request.
func (a *App) MountSkill(publicURL string, o SkillOptions) (*smarthome.Skill, func(*http.ServeMux), error) {
	issuer := strings.TrimRight(publicURL, "/") + "/" + o.PoolID
	if o.Now == nil {
		o.Now = a.now
	}
	v, err := verify.New(verify.Config{
		Now:            o.Now,
		Issuer:         issuer,
		ClientIDs:      o.ClientIDs,
		RequiredScopes: o.RequiredScopes,
		HTTPClient:     &http.Client{Transport: inProcess{a}},
		// Every instance serves a new key for token.PublishFor before
		// it signs, so an unknown kid in a token issued soon after a
		// fetch is forged, without waiting for the next fetch.
		PublishLead: token.PublishFor,
	})
	if err != nil {
		return nil, nil, err
	}
	// Skill events carry Alexa's last access token, often expired by
	// then: a second verifier with a long leeway finds the grant anyway.
	ev, err := verify.New(verify.Config{
		Now: o.Now, Issuer: issuer, ClientIDs: o.ClientIDs, HTTPClient: &http.Client{Transport: inProcess{a}},
		PublishLead: token.PublishFor, Leeway: smarthome.SkillEventLeeway,
	})
	if err != nil {
		return nil, nil, err
	}
	cfg := o.SkillConfig()
	cfg.Store, cfg.Verifier, cfg.CheckIdentity, cfg.Logger = a.Store, v, a.checkIdentity(o.PoolID), a.Log
	cfg.RevokeGrant, cfg.EventVerifier, cfg.Now = a.revokeGrant(o.PoolID), ev, o.Now
	cfg.Seal = func(aad, b []byte) ([]byte, error) { return a.Box.Seal(b, aad), nil }
	cfg.Open = func(aad, b []byte) ([]byte, error) { return a.Box.Open(b, aad) }
	sk, err := smarthome.NewSkill(cfg)
	if err != nil {
		return nil, nil, err
	}
	var page http.Handler
	if o.LampsClientID != "" {
		lc := o.LampsConfig()
		lc.Skill, lc.Issuer, lc.RedirectURL = sk, issuer, o.LampsRedirectURL
		lc.LogoutURL = issuer + "/logout?client_id=" + o.LampsClientID + "&logout_uri=" + strings.TrimSuffix(o.LampsRedirectURL, "/callback")
		lc.CookieKey = a.Box.DeriveKey("lamps-cookie/" + o.PoolID)
		lc.CheckUser = a.checkLampsUser(o.PoolID)
		lc.HTTPClient = &http.Client{Transport: inProcess{a}}
		lc.Logger = a.Log
		page, err = smarthome.NewLampsPage(lc)
		if err != nil {
			_ = sk.Close(context.Background())
			return nil, nil, err
		}
	}
	mount := func(mux *http.ServeMux) {
		mux.Handle("/alexa/smart-home", sk.Handler())
		if page != nil {
			mux.Handle("/lamps", page)
			mux.Handle("/lamps/", page)
		}
	}
	return sk, mount, nil
}

// checkIdentity confirms, for a co-located skill, that a verified token
// still stands by the same rules as /oauth2/userInfo (oauth.CheckAccess).
// A revoked grant or a deleted, disabled or signed-out user is a credential
// error; store failures are returned as they are (INTERNAL_ERROR).
func (a *App) checkIdentity(poolID string) func(ctx context.Context, id verify.Identity) error {
	return func(ctx context.Context, id verify.Identity) error {
		_, err := a.OAuth.CheckAccess(ctx, poolID, id.Sub, id.OriginJTI, id.IssuedAt)
		if errors.Is(err, oauth.ErrAccessRevoked) {
			return fmt.Errorf("%w: %w", verify.ErrRevoked, err)
		}
		return err
	}
}

// revokeGrant revokes, for a co-located skill, the grant behind a
// verified access token (its origin_jti) when the user disables the skill.
func (a *App) revokeGrant(poolID string) func(ctx context.Context, id verify.Identity) error {
	return func(ctx context.Context, id verify.Identity) error {
		return a.OAuth.RevokeGrant(ctx, poolID, id.Sub, id.OriginJTI)
	}
}

// checkLampsUser confirms, on every /lamps request of a co-located page,
// that the sign-in still stands by the same rules as a token
// (oauth.CheckAccess): the page's grant is not revoked and the user is not
// deleted, disabled or signed out everywhere since the sign-in.
func (a *App) checkLampsUser(poolID string) func(ctx context.Context, u smarthome.SessionUser) error {
	return func(ctx context.Context, u smarthome.SessionUser) error {
		_, err := a.OAuth.CheckAccess(ctx, poolID, u.Sub, u.OriginJTI, u.SignedInAt)
		if errors.Is(err, oauth.ErrAccessRevoked) {
			return fmt.Errorf("%w: %w", smarthome.ErrSignedOut, err)
		}
		return err
	}
}

// inProcess is an http.RoundTripper that serves requests with the app's
// own handler, so the co-located skill and lamps page reach the pool's
// JWKS, discovery and token endpoints without leaving the process.
type inProcess struct{ a *App }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	rec := httptest.NewRecorder()
	r2 := r.Clone(r.Context())
	r2.RemoteAddr = "127.0.0.1:0"
	r2.RequestURI = r.URL.RequestURI()
	t.a.Server.Handler().ServeHTTP(rec, r2)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
