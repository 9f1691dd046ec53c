package hostedui

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
)

// startFederated sends the browser to the identity provider the
// authorization request names (identity_provider or idp_identifier):
// the federation service resolves the provider for the client, and the
// sealed state it returns is set as a cookie for the callback, named
// for this round trip; a browser keeps at most maxFederationCookies of
// them (the oldest go).
func (u *UI) startFederated(c *call, req *oauth.AuthorizeRequest) error {
	if u.fed == nil {
		return c.federationFailed(req.Query, &federation.Error{Code: federation.CodeInvalidRequest, Description: "The identity provider does not exist."})
	}
	ctx := c.r.Context()
	idp, err := u.fed.Resolve(ctx, c.t.Pool, req.Client, req.IdentityProvider, req.IdpIdentifier)
	if err != nil {
		return c.federationFailed(req.Query, err)
	}
	st, err := u.fed.Begin(ctx, c.t.Pool, c.t.Base, idp, req.Query)
	if err != nil {
		return c.federationFailed(req.Query, err)
	}
	pending := c.federationCookies()
	for i := 0; i < len(pending)-(maxFederationCookies-1); i++ {
		c.setFederationCookie(pending[i].Name, "", time.Time{})
	}
	c.setFederationCookie(st.CookieName, st.Cookie, st.Expires)
	c.redirect(http.StatusFound, st.Location)
	return nil
}

// maxFederationCookies bounds the state cookies of pending sign-ins at
// providers a browser keeps (each up to 4 KB of every request's Cookie
// header).
const maxFederationCookies = 3

// federationCookies returns the browser's state cookies, oldest first
// (browsers send cookies of one path in creation order, RFC 6265
// §5.4).
func (c *call) federationCookies() []*http.Cookie {
	var out []*http.Cookie
	for _, ck := range c.r.Cookies() {
		if strings.HasPrefix(ck.Name, federation.StateCookiePrefix) {
			out = append(out, ck)
		}
	}
	return out
}

// setFederationCookie sets (or, with an empty value, clears) the state
// cookie of a sign-in at a provider. Over https it is SameSite=None:
// Apple's form_post and SAML's HTTP-POST binding come back as cross-site
// POSTs, which a Lax cookie would not accompany; the sealed state, single
// use and bound to the pool, is what protects the callback. Over plain
// http (development) browsers refuse SameSite=None without Secure, so it
// is Lax.
func (c *call) setFederationCookie(name, value string, expires time.Time) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: c.cookiePath(),
		HttpOnly: true, Secure: c.secure(), SameSite: http.SameSiteLaxMode,
	}
	if c.secure() {
		ck.SameSite = http.SameSiteNoneMode
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.MaxAge = int(time.Until(expires).Seconds())
		if ck.MaxAge <= 0 {
			ck.MaxAge = int(federation.StateTTL.Seconds())
		}
	}
	http.SetCookie(c.w, ck)
}

// oidcCallback is GET and POST /oauth2/idpresponse: an OAuth 2.0 or OIDC
// provider sends the browser back (Apple with response_mode=form_post).
func (u *UI) oidcCallback(c *call) error {
	return u.callback(c, federation.BindingOIDC)
}

// samlCallback is POST /saml2/idpresponse: a SAML IdP posts its
// response (HTTP-POST binding).
func (u *UI) samlCallback(c *call) error {
	return u.callback(c, federation.BindingSAML)
}

// callback completes a sign-in at a provider: no CSRF token (the
// provider's page posts here), the sealed state cookie binds the answer
// to this browser; rate limited as sign-in is. A client that no longer
// lists the provider gets invalid_request.
func (u *UI) callback(c *call, b federation.Binding) error {
	if err := c.limit(u.limits.Login, ""); err != nil {
		return err
	}
	if u.fed == nil {
		return badRequest("error.federation_state")
	}
	params := c.r.URL.Query()
	if c.r.Method == http.MethodPost {
		c.r.Body = http.MaxBytesReader(c.w, c.r.Body, maxCallbackBytes)
		if err := c.r.ParseForm(); err != nil {
			return badRequest("error.invalid_input")
		}
		params = c.r.PostForm
	}
	// The state cookie is the one named for the callback's state or
	// RelayState; a callback without one (or a forged one) uses the
	// browser's only pending sign-in, if it has just one, so that its
	// failure still reaches the client.
	var ck *http.Cookie
	if name := federation.CallbackCookieName(b, params); name != "" {
		ck, _ = c.r.Cookie(name)
	}
	if pending := c.federationCookies(); ck == nil && len(pending) == 1 {
		ck = pending[0]
	}
	cookie := ""
	if ck != nil {
		cookie = ck.Value
		c.setFederationCookie(ck.Name, "", time.Time{})
	}
	done, err := u.fed.Finish(c.r.Context(), c.t.Pool, c.t.Base, b, params, cookie)
	if err != nil {
		var q url.Values
		if fe := federation.AsError(err); fe != nil {
			q = fe.Query
		}
		return c.federationFailed(q, err)
	}
	req, err := u.oauth.ParseAuthorize(c.r.Context(), c.t.Pool, done.Query)
	if err != nil {
		return err
	}
	// The client may have dropped the provider while the browser was at
	// it (up to federation.StateTTL ago).
	if !slices.Contains(req.Client.SupportedIdentityProviders, done.Provider) {
		c.redirect(http.StatusFound, oauth.ErrorRedirect(req, oauth.ErrInvalidRequest, "The client does not support the identity provider "+done.Provider+"."))
		return nil
	}
	c.auth = req
	c.carry = carried(done.Query)
	return c.signInWith(done.User, done.Provider, account.ByFederation)
}

// maxCallbackBytes bounds a callback's form: a SAML response with its
// signatures and certificates is some kilobytes, far from this.
const maxCallbackBytes = 512 << 10

// federationFailed renders a failed federated sign-in: with the verified
// authorization request q, a redirect to the client's redirect_uri with
// Cognito's error and error_description; without one (or when the
// request no longer parses), the error page. Anything but a
// *federation.Error is an internal failure.
func (c *call) federationFailed(q url.Values, err error) error {
	fe := federation.AsError(err)
	if fe == nil {
		return err
	}
	if q != nil {
		req, perr := c.u.oauth.ParseAuthorize(c.r.Context(), c.t.Pool, q)
		if perr == nil {
			c.redirect(http.StatusFound, oauth.ErrorRedirect(req, fe.Code, fe.Description))
			return nil
		}
		var oe *oauth.Error
		if !errors.As(perr, &oe) {
			return perr
		}
	}
	return badRequest("error.federation_state")
}

// samlMetadata is GET /saml2/metadata: the pool's SAML service-provider
// metadata (entity id urn:amazon:cognito:sp:<poolId>, the assertion
// consumer service /saml2/idpresponse), for IdP administrators.
func (u *UI) samlMetadata(c *call) error {
	if u.fed == nil {
		return &pageError{status: http.StatusNotFound, title: "page.error", message: "error.not_found"}
	}
	b, err := u.fed.Metadata(c.r.Context(), c.t.Pool, c.t.Base)
	if err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/samlmetadata+xml")
	h.Set("Cache-Control", "public, max-age=300")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(b)
	return nil
}

// providerButton is one "Continue with ..." link of the sign-in page.
type providerButton struct {
	Name  string
	Label string
	URL   template.URL
}

// providerButtons returns the sign-in page's provider links: each goes
// to /oauth2/authorize with the page's authorization query and
// identity_provider, in the client's order.
func (c *call) providerButtons() ([]providerButton, error) {
	if c.auth == nil || c.u.fed == nil {
		return nil, nil
	}
	idps, err := c.u.fed.Providers(c.r.Context(), c.t.Pool, c.auth.Client)
	if err != nil {
		return nil, err
	}
	var out []providerButton
	for _, idp := range idps {
		q := url.Values{}
		for k, v := range c.carry {
			q[k] = v
		}
		q.Del("idp_identifier")
		q.Set("identity_provider", idp.ProviderName)
		label := c.cat.T("login.continue_with", "provider", idp.ProviderName)
		switch idp.ProviderType {
		case pool.ProviderLoginWithAmazon:
			label = c.cat.T("login.continue_with", "provider", "Amazon")
		case pool.ProviderSignInWithApple:
			label = c.cat.T("login.continue_with", "provider", "Apple")
		}
		out = append(out, providerButton{
			Name: idp.ProviderName, Label: label,
			URL: template.URL(c.t.BasePath + "/oauth2/authorize?" + q.Encode()),
		})
	}
	return out, nil
}
