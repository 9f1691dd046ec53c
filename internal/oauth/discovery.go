package oauth

import (
	"encoding/json"
	"net/http"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
)

// discovery is the OpenID Provider Metadata of a pool (OpenID Connect
// Discovery 1.0 §3). It carries Cognito's fields and values, plus the
// fields Cognito leaves out (grant types, PKCE methods, claims) because
// standard clients use them.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
}

// handleDiscovery serves GET /.well-known/openid-configuration. The issuer
// is always <public-url>/<poolId>; the endpoints use the base through
// which the document was fetched (the pool's domain or its path form).
func (s *Service) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	t := web.MustTarget(r)
	d := discovery{
		Issuer:                            t.Issuer,
		AuthorizationEndpoint:             t.Base + "/oauth2/authorize",
		TokenEndpoint:                     t.Base + "/oauth2/token",
		UserinfoEndpoint:                  t.Base + "/oauth2/userInfo",
		RevocationEndpoint:                t.Base + "/oauth2/revoke",
		EndSessionEndpoint:                t.Base + "/logout",
		JWKSURI:                           t.Issuer + "/.well-known/jwks.json",
		ResponseTypesSupported:            []string{"code", "token"},
		ScopesSupported:                   []string{pool.ScopeOpenID, pool.ScopeEmail, pool.ScopePhone, pool.ScopeProfile},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{t.Pool.SigningAlgorithm},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		GrantTypesSupported:               grantTypesSupported(),
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported: []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
			"token_use", "cognito:username", "cognito:groups", "email", "email_verified",
			"phone_number", "phone_number_verified", "name", "given_name", "family_name"},
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(d)
}

// handleJWKS serves GET /.well-known/jwks.json: every published key of the
// pool (next, active and retired keys), from a cache keyed by the key set
// version.
func (s *Service) handleJWKS(w http.ResponseWriter, r *http.Request) {
	t := web.MustTarget(r)
	body, err := s.keys.JWKS(r.Context(), t.Pool.ID)
	if err != nil {
		if web.Gone(r, s.log, "jwks", err) {
			return
		}
		s.log.ErrorContext(r.Context(), "jwks failed", "pool", t.Pool.ID, "error", err)
		writeJSONError(w, r, unavailable(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Short caching: verifiers refetch on an unknown kid anyway, and a
	// rotated key is published before it signs.
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}
