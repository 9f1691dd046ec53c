package hostedui

import (
	"net/http"
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// authorize is GET /oauth2/authorize (Cognito "Authorize endpoint"). A
// request that names an unknown client or an unregistered redirect_uri
// goes to /error and is never redirected to the client (RFC 6749
// §4.1.2.1); other invalid requests are redirected to the client with the
// error. With a valid session the authorization completes at once, as
// Cognito's hosted UI does within its one-hour session, when the client
// lists how the session signed in (COGNITO or the provider) in its
// SupportedIdentityProviders; otherwise the browser goes to /login with
// the same query, as without a session. identity_provider naming a
// provider (or idp_identifier) sends the browser straight to that
// provider (startFederated); identity_provider=COGNITO is the sign-in
// page. A session is reused only while it satisfies the pool's and the
// user's factors now (sessionSatisfies).
func (u *UI) authorize(c *call) error {
	req, err := u.oauth.ParseAuthorize(c.r.Context(), c.t.Pool, c.r.URL.Query())
	if err != nil {
		return err
	}
	c.setAuth(req)
	if (req.IdentityProvider != "" && req.IdentityProvider != pool.ProviderCognito) || (req.IdentityProvider == "" && req.IdpIdentifier != "") {
		return u.startFederated(c, req)
	}
	s, user, ok, err := c.session()
	if err != nil {
		return err
	}
	if ok && slices.Contains(req.Client.SupportedIdentityProviders, s.IdentityProvider) && sessionSatisfies(c.t.Pool, s, user) {
		loc, err := u.oauth.Complete(c.r.Context(), req, user, s.AuthTime, s.IdentityProvider)
		if err != nil {
			return err
		}
		c.redirect(http.StatusFound, loc)
		return nil
	}
	c.redirect(http.StatusFound, c.t.BasePath+"/login?"+c.r.URL.RawQuery)
	return nil
}

// sessionSatisfies reports whether session s of user u may complete an
// authorization in pool p as it is now: when account.NextStep, for the
// session's first factor, asks nothing more, or the session's second
// factor is one the step asks for. A pool switched to MFA ON (or a user
// who turned a factor on) after the session began sends the browser to
// sign in again. Sessions do not record their first factor: a
// federated one is taken as account.ByFederation, any other as a
// password, the strictest reading (a passwordless session counts as no
// more than a password).
func sessionSatisfies(p pool.Pool, s store.Session, u pool.User) bool {
	first := account.ByPassword
	if s.IdentityProvider != pool.ProviderCognito {
		first = account.ByFederation
	}
	step, err := account.NextStep(p, u, first)
	if err != nil {
		return false
	}
	if step.Done() {
		return true
	}
	switch {
	case s.SecondFactor == "":
		return false
	case s.SecondFactor == pool.FactorWebAuthn:
		return p.MFA.WebAuthn.PasskeyIsMultiFactor()
	case step.Challenge == account.ChallengeMFASetup:
		return false
	}
	return slices.Contains(u.MFAFactors(p.MFA), s.SecondFactor)
}
