package fedtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// appleKeys is the Sign in with Apple developer account of a stand-in:
// team, key id and the .p8 key (PEM PKCS#8 P-256) whose public half the
// token endpoint checks client secrets against.
type appleKeys struct {
	teamID, keyID, privatePEM string
	public                    *ecdsa.PublicKey
}

// NewApple starts a Sign in with Apple stand-in: /auth/authorize
// (response_mode=form_post required with the name or email scope; the
// form carries code, state and, on a user's first sign-in only, the user
// field with the name), /auth/token (the client secret must be an ES256
// JWT signed with the configured key: kid=key_id, iss=team_id,
// sub=client_id, aud=https://appleid.apple.com, not expired) and the key
// set /auth/keys, as https://developer.apple.com/documentation/signinwithapplerestapi
// describes them. ClientID is the Services ID; Details carries team_id,
// key_id and private_key.
func NewApple(t testing.TB, redirectURI string) *Provider {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	keys := &appleKeys{
		teamID: "TEAM" + randomString(4), keyID: "KEY" + randomString(5),
		privatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), public: &k.PublicKey,
	}
	p := newProvider(t, "SignInWithApple", redirectURI, func(p *Provider, mux *http.ServeMux) {
		p.apple = keys
		mux.HandleFunc("GET /auth/authorize", func(w http.ResponseWriter, r *http.Request) {
			scope := r.URL.Query().Get("scope")
			if scope != "" && r.URL.Query().Get("response_mode") != "form_post" {
				http.Error(w, "response_mode must be form_post when name or email scope is requested", http.StatusBadRequest)
				return
			}
			p.authorize(w, r, " ", func(g *grant) url.Values {
				p.mu.Lock()
				first := !p.seen[g.user.Subject]
				p.seen[g.user.Subject] = true
				p.mu.Unlock()
				if !first || (!g.has("name") && !g.has("email")) {
					return nil
				}
				u := map[string]any{}
				if g.has("name") {
					u["name"] = map[string]string{"firstName": g.user.GivenName, "lastName": g.user.FamilyName}
				}
				if g.has("email") {
					u["email"] = g.user.Email
				}
				b, _ := json.Marshal(u)
				return url.Values{"user": {string(b)}}
			})
		})
		mux.HandleFunc("GET /auth/keys", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, jwks()) })
		mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
			if r.PostFormValue("client_id") != p.ClientID || !p.apple.clientSecretOK(r.PostFormValue("client_secret"), p.ClientID) {
				oauthError(w, http.StatusBadRequest, "invalid_client")
				return
			}
			g, knobs, ok := p.redeem(w, r)
			if !ok {
				return
			}
			c := idClaims(p.URL, g.user.Subject, g.clientID, g.nonce, knobs)
			c["nonce_supported"] = true
			c["c_hash"] = randomString(16)
			if g.has("email") && g.user.Email != "" {
				c["email"] = g.user.Email
				c["email_verified"] = "true" // Apple sends these as strings
				c["is_private_email"] = "false"
			}
			p.issue(w, g, signIDToken(c, knobs))
		})
	})
	p.ClientSecret = ""
	return p
}

// clientSecretOK verifies a client-secret JWT against the developer key.
func (a *appleKeys) clientSecretOK(secret, clientID string) bool {
	tok, err := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(tok.Headers) != 1 || tok.Headers[0].KeyID != a.keyID {
		return false
	}
	var c jwt.Claims
	if err := tok.Claims(a.public, &c); err != nil {
		return false
	}
	if c.Expiry == nil || c.IssuedAt == nil || c.IssuedAt.Time().After(time.Now().Add(time.Minute)) {
		return false
	}
	return c.ValidateWithLeeway(jwt.Expected{
		Issuer: a.teamID, Subject: clientID, AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: time.Now(),
	}, 0) == nil
}
