package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// Grant types of POST /oauth2/token.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// maxFormBytes bounds token, revocation and userInfo request bodies.
const maxFormBytes = 64 << 10

// tokenResponse is the JSON body of a successful token request
// (RFC 6749 §5.1, Cognito "Token endpoint").
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// handleToken serves POST /oauth2/token.
//
// Requests are rate-limited per client address, and beyond that budget
// per authenticated confidential client (tokenlimit.go).
//
// Alexa unlinks a user when this endpoint answers invalid_grant, so that
// code is returned only when the grant itself is invalid. Every store or
// signing failure is a 5xx (temporarily_unavailable or server_error).
func (s *Service) handleToken(w http.ResponseWriter, r *http.Request) {
	t := web.MustTarget(r)
	resp, grant, err := s.token(r, t)
	if err != nil {
		if web.Gone(r, s.log, "token endpoint", err) {
			return
		}
		e := AsError(err)
		s.metrics.tokenErrors.WithLabelValues(e.Code).Inc()
		if e.Status >= 500 {
			s.log.ErrorContext(r.Context(), "token endpoint failure", "request_id", web.RequestID(r.Context()), "pool", t.Pool.ID, "grant_type", grant, "error", e.Code, "cause", e.Cause)
		} else {
			s.log.InfoContext(r.Context(), "token request refused", "request_id", web.RequestID(r.Context()), "pool", t.Pool.ID, "grant_type", grant, "error", e.Code, "reason", e.Description)
		}
		writeJSONError(w, e)
		return
	}
	s.metrics.tokensIssued.WithLabelValues(grant).Inc()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(resp)
}

func (s *Service) token(r *http.Request, t web.Target) (*tokenResponse, string, error) {
	addrOK := s.limiter.Allow(web.ClientKey(r.Context()))
	form, err := parseForm(r)
	if !addrOK && (err != nil || form.Get("grant_type") == "" || !presentsSecret(r, form)) {
		return nil, "", tooManyRequests()
	}
	if err != nil {
		return nil, "", err
	}
	grant := form.Get("grant_type")
	if grant == "" {
		return nil, "", badRequest(ErrInvalidRequest, "Missing grant_type.")
	}
	handle, label := grantHandler(grant), grant
	if handle == nil {
		label = "other"
	}
	c, err := s.authenticateClient(r.Context(), r, form, t.Pool)
	if !addrOK {
		err = s.overAddressBudget(c, err)
	}
	if err != nil {
		return nil, label, err
	}
	if handle == nil {
		return nil, label, badRequest(ErrUnsupportedGrantType, "Unsupported grant_type.")
	}
	resp, err := handle(s, r.Context(), t, c, form)
	return resp, label, err
}

// parseForm reads an application/x-www-form-urlencoded body (required by
// Cognito and RFC 6749 §4.1.3) of bounded size and rejects repeated
// parameters (RFC 6749 §3.2).
func parseForm(r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, badRequest(ErrInvalidRequest, "Content-Type must be application/x-www-form-urlencoded.")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, badRequest(ErrInvalidRequest, "Malformed request body.")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, badRequest(ErrInvalidRequest, "Parameter "+k+" is repeated.")
		}
	}
	return r.PostForm, nil
}

// authenticateClient authenticates the client by HTTP Basic
// (client_secret_basic) or by body parameters (client_secret_post), the two
// "Client Authentication Schemes" of the Alexa console (RFC 6749 §2.3.1).
// Secrets are compared in constant time.
func (s *Service) authenticateClient(ctx context.Context, r *http.Request, form url.Values, p pool.Pool) (pool.Client, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return pool.Client{}, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized, Description: "Malformed client credentials.", BasicChallenge: true}
		}
		if form.Has("client_secret") {
			return pool.Client{}, badRequest(ErrInvalidRequest, "Use one client authentication method, not both.")
		}
		if bid := form.Get("client_id"); bid != "" && bid != id {
			return pool.Client{}, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized, Description: "client_id does not match the authenticated client.", BasicChallenge: true}
		}
	} else if auth := r.Header.Get("Authorization"); auth != "" {
		return pool.Client{}, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized, Description: "Unsupported client authentication.", BasicChallenge: true}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	fail := func(desc string) (pool.Client, error) {
		return pool.Client{}, &Error{Code: ErrInvalidClient, Status: http.StatusUnauthorized, Description: desc, BasicChallenge: basic}
	}
	if id == "" {
		return fail("Missing client credentials.")
	}
	if !pool.ValidClientID(id) {
		return fail("Client authentication failed.")
	}
	c, err := s.store.GetClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && c.PoolID != p.ID {
		return fail("Client authentication failed.")
	}
	if err != nil {
		return pool.Client{}, unavailable(fmt.Errorf("get client: %w", err))
	}
	if !c.HasSecret() {
		if secret != "" {
			return fail("Client authentication failed.")
		}
		return c, nil
	}
	if secret == "" {
		return fail("Client authentication failed.")
	}
	want, err := s.box.Open(c.SealedSecret, c.SecretAAD())
	if err != nil {
		return pool.Client{}, serverError(fmt.Errorf("open client secret: %w", err))
	}
	if subtle.ConstantTimeCompare(want, []byte(secret)) != 1 {
		return fail("Client authentication failed.")
	}
	return c, nil
}
