package fedtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// FacebookVersion is the Graph API version the Facebook stand-in serves.
const FacebookVersion = "v21.0"

// NewFacebook starts a Facebook stand-in: /<version>/dialog/oauth
// (comma-separated scopes, no PKCE), /<version>/oauth/access_token
// (client_id and client_secret as parameters) and the Graph API
// /<version>/me?fields=... with appsecret_proof checked when sent, as
// https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
// describes them. Errors use the Graph API's shape
// ({"error":{"message","type","code"}}).
func NewFacebook(t testing.TB, redirectURI string) *Provider {
	v := "/" + FacebookVersion
	return newProvider(t, "Facebook", redirectURI, func(p *Provider, mux *http.ServeMux) {
		mux.HandleFunc("GET "+v+"/dialog/oauth", func(w http.ResponseWriter, r *http.Request) { p.authorize(w, r, ",", nil) })
		token := func(w http.ResponseWriter, r *http.Request) {
			if !p.clientSecretOK(r) {
				graphError(w, http.StatusBadRequest, "Error validating client secret.")
				return
			}
			if r.FormValue("grant_type") == "" && r.Method == http.MethodPost {
				r.PostForm.Set("grant_type", "authorization_code") // Facebook does not require it
			}
			if g, _, ok := p.redeem(w, r); ok {
				p.issue(w, g, "")
			}
		}
		mux.HandleFunc("POST "+v+"/oauth/access_token", token)
		mux.HandleFunc("GET "+v+"/me", func(w http.ResponseWriter, r *http.Request) {
			g := p.bearer(r)
			if g == nil {
				graphError(w, http.StatusBadRequest, "Invalid OAuth access token.")
				return
			}
			if proof := r.URL.Query().Get("appsecret_proof"); proof != "" {
				tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				if tok == "" {
					tok = r.URL.Query().Get("access_token")
				}
				mac := hmac.New(sha256.New, []byte(p.ClientSecret))
				mac.Write([]byte(tok))
				if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(proof)) {
					graphError(w, http.StatusBadRequest, "Invalid appsecret_proof provided in the API argument")
					return
				}
			}
			all := map[string]any{
				"id": g.user.Subject, "name": g.user.Name, "first_name": g.user.GivenName, "last_name": g.user.FamilyName,
				"picture": map[string]any{"data": map[string]any{"height": 50, "width": 50, "is_silhouette": false, "url": "https://example.com/ada.png"}},
			}
			if g.has("email") && g.user.Email != "" {
				all["email"] = g.user.Email
			}
			out := map[string]any{"id": g.user.Subject}
			for _, f := range strings.Split(r.URL.Query().Get("fields"), ",") {
				if val, ok := all[f]; ok && val != "" {
					out[f] = val
				}
			}
			writeJSON(w, http.StatusOK, out)
		})
	})
}

func graphError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": 190}})
}
