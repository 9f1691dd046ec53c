package fedtest

import (
	"net/http"
	"testing"
)

// NewAmazon starts a Login with Amazon stand-in: /ap/oa (authorization,
// PKCE S256 honoured), /auth/o2/token (client_id and client_secret in the
// form) and /user/profile (user_id, name, email; postal_code with the
// postal_code scope), as https://developer.amazon.com/docs/login-with-amazon
// describes them.
func NewAmazon(t testing.TB, redirectURI string) *Provider {
	return newProvider(t, "LoginWithAmazon", redirectURI, func(p *Provider, mux *http.ServeMux) {
		mux.HandleFunc("GET /ap/oa", func(w http.ResponseWriter, r *http.Request) { p.authorize(w, r, " ", nil) })
		mux.HandleFunc("POST /auth/o2/token", func(w http.ResponseWriter, r *http.Request) {
			if !p.clientSecretOK(r) {
				oauthError(w, http.StatusUnauthorized, "invalid_client")
				return
			}
			if g, _, ok := p.redeem(w, r); ok {
				p.issue(w, g, "")
			}
		})
		mux.HandleFunc("GET /user/profile", func(w http.ResponseWriter, r *http.Request) {
			g := p.bearer(r)
			if g == nil {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
				return
			}
			prof := map[string]any{"user_id": g.user.Subject}
			if g.has("profile") {
				put(prof, "name", g.user.Name)
				put(prof, "email", g.user.Email)
			}
			if g.has("postal_code") {
				put(prof, "postal_code", g.user.PostalCode)
			}
			writeJSON(w, http.StatusOK, prof)
		})
	})
}

// Details are the ProviderDetails of a LoginWithAmazon provider that
// signs in here (for Google, Facebook and Apple see their files).
func (p *Provider) Details() map[string]string {
	d := map[string]string{"client_id": p.ClientID}
	switch p.Type {
	case "LoginWithAmazon":
		d["client_secret"] = p.ClientSecret
		d["authorize_scopes"] = "profile postal_code"
		d["authorize_url"] = p.URL + "/ap/oa"
		d["token_url"] = p.URL + "/auth/o2/token"
		d["attributes_url"] = p.URL + "/user/profile"
	case "Google":
		d["client_secret"] = p.ClientSecret
		d["authorize_scopes"] = "openid email profile"
		d["oidc_issuer"] = p.URL
	case "Facebook":
		d["client_secret"] = p.ClientSecret
		d["authorize_scopes"] = "public_profile,email"
		d["api_version"] = FacebookVersion
		d["authorize_url"] = p.URL + "/" + FacebookVersion + "/dialog/oauth"
		d["token_url"] = p.URL + "/" + FacebookVersion + "/oauth/access_token"
		d["attributes_url"] = p.URL + "/" + FacebookVersion + "/me"
	case "SignInWithApple":
		d["team_id"] = p.apple.teamID
		d["key_id"] = p.apple.keyID
		d["private_key"] = p.apple.privatePEM
		d["authorize_scopes"] = "name email"
		d["oidc_issuer"] = p.URL
		d["authorize_url"] = p.URL + "/auth/authorize"
		d["token_url"] = p.URL + "/auth/token"
		d["jwks_uri"] = p.URL + "/auth/keys"
	}
	return d
}
