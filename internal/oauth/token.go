package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/tracing"
	"github.com/linkpool/linkpool/internal/web"
)

// Grant types of POST /oauth2/token.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// formType is the media type of token, revocation and userInfo request
// bodies.
const formType = "application/x-www-form-urlencoded"

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
			s.log.ErrorContext(r.Context(), "token endpoint failure", "pool", t.Pool.ID, "grant_type", grant, "error", e.Code, "cause", e.Cause)
		} else {
			s.log.InfoContext(r.Context(), "token request refused", "pool", t.Pool.ID, "grant_type", grant, "error", e.Code, "reason", e.Description)
		}
		writeJSONError(w, r, e)
		return
	}
	s.metrics.granted[grant].Inc()
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	_, _ = w.Write(resp.appendJSON(make([]byte, 0, resp.jsonSize())))
}

// appendJSON appends r as encoding/json would encode it, with a newline:
// the tokens are JWS compact serializations and base64url strings, which
// need no escaping, so it is written without reflection; a value that
// would need escaping goes through encoding/json.
func (r *tokenResponse) appendJSON(b []byte) []byte {
	str := func(b []byte, name, v string) []byte {
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
		if !plainJSON(v) {
			q, _ := json.Marshal(v)
			return append(b, q...)
		}
		b = append(b, '"')
		b = append(b, v...)
		return append(b, '"')
	}
	b = append(b, '{')
	b = str(b, "access_token", r.AccessToken)
	if r.IDToken != "" {
		b = str(append(b, ','), "id_token", r.IDToken)
	}
	if r.RefreshToken != "" {
		b = str(append(b, ','), "refresh_token", r.RefreshToken)
	}
	b = str(append(b, ','), "token_type", r.TokenType)
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, int64(r.ExpiresIn), 10)
	return append(b, "}\n"...)
}

// jsonSize is the length of appendJSON's output for plain values.
func (r *tokenResponse) jsonSize() int {
	return 96 + len(r.AccessToken) + len(r.IDToken) + len(r.RefreshToken) + len(r.TokenType)
}

// plainJSON reports whether s is a JSON string body as it is: printable
// ASCII without '"', '\\' or the characters encoding/json escapes for HTML.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
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
	tracing.SetAttr(r.Context(), tracing.ClientID, c.ID)
	tracing.SetAttr(r.Context(), "oauth.grant_type", label)
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
	if ct := r.Header.Get("Content-Type"); ct != formType { // the usual header needs no parsing
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != formType {
			return nil, badRequest(ErrInvalidRequest, "Content-Type must be application/x-www-form-urlencoded.")
		}
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
	ac, found, err := s.authClients.Get(ctx, id)
	if !found && err == nil || err == nil && ac.c.PoolID != p.ID {
		return fail("Client authentication failed.")
	}
	var sealed *sealedSecretError
	if errors.As(err, &sealed) {
		return pool.Client{}, serverError(err)
	}
	if err != nil {
		return pool.Client{}, unavailable(err)
	}
	c := ac.c
	if !c.HasSecret() {
		if secret != "" {
			return fail("Client authentication failed.")
		}
		return c, nil
	}
	if secret == "" {
		return fail("Client authentication failed.")
	}
	// Both sides are SHA-256 sums, compared in constant time.
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(ac.secretSum[:], got[:]) != 1 {
		return fail("Client authentication failed.")
	}
	return c, nil
}
