package fedtest

import (
	"net/http"
	"testing"
)

// NewGoogle starts a Google stand-in: OpenID Connect discovery at
// /.well-known/openid-configuration (the issuer is the server's URL),
// /o/oauth2/v2/auth (nonce and PKCE S256 honoured), /token
// (client_secret_post or client_secret_basic), /v1/userinfo and the key
// set /oauth2/v3/certs, as https://developers.google.com/identity/openid-connect/openid-connect
// describes them.
func NewGoogle(t testing.TB, redirectURI string) *Provider {
	return newProvider(t, "Google", redirectURI, func(p *Provider, mux *http.ServeMux) {
		mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{
				"issuer":                                p.URL,
				"authorization_endpoint":                p.URL + "/o/oauth2/v2/auth",
				"token_endpoint":                        p.URL + "/token",
				"userinfo_endpoint":                     p.URL + "/v1/userinfo",
				"jwks_uri":                              p.URL + "/oauth2/v3/certs",
				"response_types_supported":              []string{"code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token", "none"},
				"subject_types_supported":               []string{"public"},
				"id_token_signing_alg_values_supported": []string{"RS256"},
				"scopes_supported":                      []string{"openid", "email", "profile"},
				"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
				"code_challenge_methods_supported":      []string{"plain", "S256"},
			})
		})
		mux.HandleFunc("GET /o/oauth2/v2/auth", func(w http.ResponseWriter, r *http.Request) { p.authorize(w, r, " ", nil) })
		mux.HandleFunc("GET /oauth2/v3/certs", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, jwks()) })
		mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
			if !p.clientSecretOK(r) {
				oauthError(w, http.StatusUnauthorized, "invalid_client")
				return
			}
			g, knobs, ok := p.redeem(w, r)
			if !ok {
				return
			}
			c := idClaims(p.URL, g.user.Subject, g.clientID, g.nonce, knobs)
			c["azp"] = g.clientID
			if g.has("email") {
				put(c, "email", g.user.Email)
				c["email_verified"] = g.user.Email != ""
			}
			if g.has("profile") {
				put(c, "name", g.user.Name)
				put(c, "given_name", g.user.GivenName)
				put(c, "family_name", g.user.FamilyName)
			}
			p.issue(w, g, signIDToken(c, knobs))
		})
		mux.HandleFunc("/v1/userinfo", func(w http.ResponseWriter, r *http.Request) {
			g := p.bearer(r)
			if g == nil {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
				return
			}
			info := map[string]any{"sub": g.user.Subject, "locale": "en"}
			if _, knobs := p.state(); knobs.UserInfoSubject != "" {
				info["sub"] = knobs.UserInfoSubject
			}
			if g.has("email") {
				put(info, "email", g.user.Email)
				info["email_verified"] = g.user.Email != ""
			}
			if g.has("profile") {
				put(info, "name", g.user.Name)
				put(info, "given_name", g.user.GivenName)
				put(info, "family_name", g.user.FamilyName)
				info["picture"] = "https://example.com/ada.png"
			}
			writeJSON(w, http.StatusOK, info)
		})
	})
}
