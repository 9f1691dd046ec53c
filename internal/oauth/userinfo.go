package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/web"
	"github.com/linkpool/linkpool/verify"
)

// userInfoClaims are the access-token claims /oauth2/userInfo relies on.
type userInfoClaims struct {
	Sub       string `json:"sub"`
	Issuer    string `json:"iss"`
	TokenUse  string `json:"token_use"`
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	OriginJTI string `json:"origin_jti"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	Nbf       int64  `json:"nbf"`
}

// handleUserInfo serves GET|POST /oauth2/userInfo (OpenID Connect Core
// §5.3, Cognito "userInfo endpoint"). The access token must carry openid
// or, as Cognito's API tokens do, aws.cognito.signin.user.admin (then every
// attribute the client can read is released); it is rejected before it is valid (iat or nbf more than
// verify.DefaultLeeway ahead, the rule of the verify package), once
// expired, once its grant is revoked, once the user is
// disabled or deleted, or after the user signed out globally. As in
// Cognito, email_verified and phone_number_verified are the strings "true"
// and "false", and username is included.
func (s *Service) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	t := web.MustTarget(r)
	// Any origin may call it with a bearer token (no cookies), errors
	// included, so that browser applications can read why a token failed.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
	body, err := s.userInfo(r.Context(), r, t)
	if err != nil {
		if web.Gone(r, s.log, "userInfo", err) {
			return
		}
		e := AsError(err)
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		switch {
		case e.Status >= 500:
			s.log.ErrorContext(r.Context(), "userInfo failure", "cause", e.Cause)
			writeJSONError(w, r, e)
		case e.Code == ErrInvalidToken:
			h.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out."`)
			writeJSONError(w, r, e)
		default:
			h.Set("WWW-Authenticate", `Bearer error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"`)
			writeJSONError(w, r, e)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// handleUserInfoPreflight answers the CORS preflight of userInfo (Fetch
// standard, "CORS protocol"): any origin, GET or POST, with the
// Authorization header.
func (s *Service) handleUserInfoPreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) userInfo(ctx context.Context, r *http.Request, t web.Target) ([]byte, error) {
	if !s.limiter.Allow(web.ClientKey(ctx)) {
		return nil, tooManyRequests()
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, badRequest(ErrInvalidRequest, "Missing bearer token.")
	}
	invalid := &Error{Code: ErrInvalidToken, Status: http.StatusUnauthorized, Description: "Access token is expired, disabled, or deleted, or the user has globally signed out."}
	raw, err := s.keys.Verify(ctx, t.Pool.ID, "access", strings.TrimSpace(tok))
	if err != nil {
		if isKeyStoreError(err) {
			return nil, unavailable(err)
		}
		return nil, invalid
	}
	var cl userInfoClaims
	if err := json.Unmarshal(raw, &cl); err != nil {
		return nil, invalid
	}
	now := s.now()
	if cl.Issuer != t.Issuer || cl.TokenUse != "access" || cl.Iat == 0 || now.Unix() >= cl.Exp {
		return nil, invalid
	}
	var nbf time.Time
	if cl.Nbf != 0 {
		nbf = time.Unix(cl.Nbf, 0)
	}
	if verify.CheckValidFrom(now, time.Unix(cl.Iat, 0), nbf, verify.DefaultLeeway) != nil {
		return nil, invalid
	}
	scopes := strings.Fields(cl.Scope)
	if !slices.Contains(scopes, pool.ScopeOpenID) && !slices.Contains(scopes, pool.ScopeCognitoAPI) {
		return nil, invalid
	}
	u, err := s.CheckAccess(ctx, t.Pool.ID, cl.Sub, cl.OriginJTI, time.Unix(cl.Iat, 0))
	if errors.Is(err, ErrAccessRevoked) {
		return nil, invalid
	}
	if err != nil {
		return nil, unavailable(err)
	}
	c, found, err := s.client(ctx, cl.ClientID)
	if err != nil {
		return nil, unavailable(err)
	}
	if !found {
		return nil, invalid
	}
	out := map[string]any{"sub": u.Sub, "username": u.Username}
	for k, v := range releasedAttributes(&c, scopes, u.Attributes) {
		out[k] = v
	}
	if len(u.Identities) > 0 {
		// Cognito's userInfo gives the linked identities as the
		// "identities" attribute: a JSON array in a string.
		out["identities"] = pool.IdentitiesJSON(u.Identities)
	}
	return json.Marshal(out)
}
