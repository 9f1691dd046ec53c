package alexasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/tracing"
)

// Tokens are what Alexa keeps for a link after the token exchange.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	// ExpiresIn is the lifetime Alexa applies: the response's expires_in,
	// or the console's default when the response had none.
	ExpiresIn  int       `json:"expires_in"`
	ObtainedAt time.Time `json:"obtained_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// tokenResult is the outcome of one request to the access token URI.
type tokenResult struct {
	tokens    Tokens
	diags     Diagnoses
	status    int
	elapsed   time.Duration
	errorCode string // RFC 6749 §5.2 error, when the server sent one
	transient bool   // worth retrying: 5xx, timeout, connection failure
	idToken   bool   // a 200 answer carried an id_token, which Alexa ignores
}

// ok reports whether the request produced usable tokens.
func (r *tokenResult) ok() bool { return r.tokens.AccessToken != "" && !r.diags.Failed() }

// tokenRequest posts form to the console's access token URI with the
// console's client authentication (SMAPI accessTokenScheme) within the
// token deadline, and checks the response against Alexa's rules
// (RFC 6749 §5.1 and the account linking FAQ). refresh selects the rules of
// a refresh response (RFC 6749 §6), where refresh_token is optional.
func tokenRequest(ctx context.Context, env *Env, c *Console, form url.Values, refresh bool) tokenResult {
	var res tokenResult
	scheme := c.scheme()
	if scheme == SchemeRequestBody {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.ClientSecret)
	}
	ctx, span := tracing.StartKind(ctx, trace.SpanKindClient, "alexasim.token", attribute.Bool("alexasim.refresh", refresh))
	defer span.End()
	ctx, cancel := context.WithTimeout(ctx, env.tokenTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.AccessTokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		res.diags = append(res.diags, newDiagnosis(CodeAccessTokenURIInvalid, "the access token URI cannot be requested: "+err.Error()))
		return res
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	tracing.Inject(ctx, req.Header)
	if scheme == SchemeHTTPBasic {
		// RFC 6749 §2.3.1: the id and secret are form-encoded before
		// Base64; Amazon does not say whether Alexa does, so servers should
		// accept both and choose URL-safe secrets.
		req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	}
	// Alexa does not follow redirects of the access token URI; a 3xx is
	// reported as it is (RFC 6749 §5.1: the answer is the token response).
	client := *env.client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	began := time.Now()
	resp, err := client.Do(req)
	res.elapsed = time.Since(began)
	if err != nil {
		res.transient = true
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			res.diags = append(res.diags, newDiagnosis(CodeTokenEndpointTimeout,
				fmt.Sprintf("no answer from %s within %s", redactURL(c.AccessTokenURI), env.tokenTimeout())))
			return res
		}
		res.diags = append(res.diags, newDiagnosis(CodeTokenEndpointUnreachable,
			fmt.Sprintf("POST %s failed: %s", redactURL(c.AccessTokenURI), transportError(err))))
		return res
	}
	defer resp.Body.Close()
	res.status = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplySize))
	if err != nil {
		res.transient = true
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			res.diags = append(res.diags, newDiagnosis(CodeTokenEndpointTimeout,
				fmt.Sprintf("the response of %s did not arrive within %s", redactURL(c.AccessTokenURI), env.tokenTimeout())))
		} else {
			res.diags = append(res.diags, newDiagnosis(CodeTokenEndpointUnreachable, "reading the token response failed: "+transportError(err)))
		}
		return res
	}
	if resp.StatusCode != http.StatusOK {
		res.diags = append(res.diags, tokenErrorDiagnosis(&res, resp, body, scheme))
		return res
	}
	res.tokens, res.diags = checkTokenResponse(resp.Header.Get("Content-Type"), body, c, refresh)
	var idt struct {
		IDToken json.RawMessage `json:"id_token"`
	}
	res.idToken = json.Unmarshal(body, &idt) == nil && len(idt.IDToken) > 0 && string(idt.IDToken) != "null"
	return res
}

// tokenErrorDiagnosis explains a non-200 token response (RFC 6749 §5.2).
func tokenErrorDiagnosis(res *tokenResult, resp *http.Response, body []byte, scheme Scheme) Diagnosis {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &e)
	res.errorCode = e.Error
	what := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		what += " redirecting to " + redactURL(loc)
	}
	if e.Error != "" {
		what += " " + e.Error
		if e.Description != "" {
			what += " (" + clip(e.Description, 160) + ")"
		}
	}
	switch {
	case e.Error == "invalid_client" || resp.StatusCode == http.StatusUnauthorized:
		other := SchemeRequestBody
		if scheme == SchemeRequestBody {
			other = SchemeHTTPBasic
		}
		return newDiagnosis(CodeTokenInvalidClient, fmt.Sprintf(
			"the access token URI answered %s to client authentication with %q; check Your Client ID, Your Secret and Your Authentication Scheme (the server may expect %q)",
			what, scheme.String(), other.String()))
	case e.Error == "invalid_grant":
		return newDiagnosis(CodeTokenInvalidGrant, "the access token URI answered "+what)
	case resp.StatusCode >= 500:
		res.transient = true
		return newDiagnosis(CodeTokenHTTPError, "the access token URI answered "+what)
	default:
		return newDiagnosis(CodeTokenHTTPError, "the access token URI answered "+what)
	}
}

// checkTokenResponse applies Alexa's rules to a 200 token response.
func checkTokenResponse(contentType string, body []byte, c *Console, refresh bool) (Tokens, Diagnoses) {
	var ds Diagnoses
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		ct := contentType
		if ct == "" {
			ct = "none"
		}
		// The body is not quoted: it may hold tokens.
		return Tokens{}, append(ds, newDiagnosis(CodeTokenNotJSON, "the token response has Content-Type "+ct+", not application/json"))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return Tokens{}, append(ds, newDiagnosis(CodeTokenNotJSON, "the token response is not a JSON object"))
	}
	str := func(k string) (string, bool) {
		v, ok := raw[k]
		if !ok {
			return "", false
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	}
	var t Tokens
	t.AccessToken, _ = str("access_token")
	if t.AccessToken == "" {
		ds = append(ds, newDiagnosis(CodeAccessTokenMissing, "the token response has no access_token string"))
	}
	t.TokenType, _ = str("token_type")
	if !strings.EqualFold(t.TokenType, "bearer") {
		got := "no token_type"
		if _, ok := raw["token_type"]; ok {
			got = fmt.Sprintf("token_type %s", clip(string(raw["token_type"]), 40))
		}
		ds = append(ds, newDiagnosis(CodeTokenTypeInvalid, "the token response has "+got+", Alexa sends the access token as a Bearer token"))
	}
	t.RefreshToken, _ = str("refresh_token")
	if t.RefreshToken == "" && !refresh {
		ds = append(ds, newDiagnosis(CodeRefreshTokenMissing, "the token response has no refresh_token"))
	}
	t.Scope, _ = str("scope")
	expires, present, valid := expiresIn(raw["expires_in"])
	switch {
	case !present || !valid:
		what := "has no expires_in"
		if present {
			what = "has an expires_in that is not a number of seconds"
		}
		d := newDiagnosis(CodeExpiresInMissing, "the token response "+what)
		if c.DefaultTokenExpiration > 0 {
			d.Severity = Warning
			d.Detail += fmt.Sprintf("; Alexa uses the console's default of %d seconds", c.DefaultTokenExpiration)
			expires = c.DefaultTokenExpiration
			if expires < MinExpiresIn {
				ds = append(ds, newDiagnosis(CodeExpiresInTooShort, fmt.Sprintf("the console's default access token expiration time is %d seconds", expires)))
			}
		} else {
			d.Detail += " and the console has no Default Access Token Expiration Time"
		}
		ds = append(ds, d)
	case expires < MinExpiresIn:
		ds = append(ds, newDiagnosis(CodeExpiresInTooShort, fmt.Sprintf("expires_in is %d seconds", expires)))
	}
	t.ExpiresIn = expires
	for _, tok := range []struct{ name, v string }{{"access token", t.AccessToken}, {"refresh token", t.RefreshToken}} {
		if len(tok.v) > MaxTokenSize {
			ds = append(ds, newDiagnosis(CodeTokenTooLarge, fmt.Sprintf("the %s is %d bytes", tok.name, len(tok.v))))
		}
	}
	return t, ds
}

// expiresIn reads expires_in as a JSON number, or a string of digits as
// some servers send it.
func expiresIn(v json.RawMessage) (n int, present, valid bool) {
	if len(v) == 0 || string(v) == "null" {
		return 0, false, false
	}
	var f float64
	if err := json.Unmarshal(v, &f); err == nil {
		return int(f), true, f == float64(int(f)) && f >= 0
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		if i, err := strconv.Atoi(s); err == nil && i >= 0 {
			return i, true, true
		}
	}
	return 0, true, false
}

// redactURL drops the query and user info of a URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the URL"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// transportError describes a client error without repeating the request
// (url.Error's message repeats the method and URL).
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
