package oidcflow

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// profile reads the user's attributes with the access token: the OpenID
// Connect user-info endpoint (GET or POST as attributes_request_method
// says), Login with Amazon's profile, or Facebook's Graph API /me.
func (c *Client) profile(ctx context.Context, cfg Config, ep endpoints, accessToken string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, upstream.CallTimeout)
	defer cancel()
	u, err := url.Parse(ep.profile)
	if err != nil {
		return nil, unavailable("the provider's user-info endpoint is not a URL", nil)
	}
	method := ep.profileMethod
	if method == "" || cfg.Type != pool.ProviderOIDC {
		method = http.MethodGet
	}
	if cfg.Type == pool.ProviderFacebook {
		q := u.Query()
		if q.Get("fields") == "" {
			q.Set("fields", facebookFields(Scopes(cfg.Details[pool.DetailAuthorizeScopes])))
		}
		// Graph API: prove the token was obtained with the app's secret.
		mac := hmac.New(sha256.New, []byte(cfg.Details[pool.DetailClientSecret]))
		mac.Write([]byte(accessToken))
		q.Set("appsecret_proof", hex.EncodeToString(mac.Sum(nil)))
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, unavailable("the provider's user-info endpoint is not a URL", nil)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	status, body, err := c.do(c.direct, req, "user-info endpoint")
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return nil, &upstream.Error{Kind: upstream.Invalid, Description: "the provider's user-info endpoint refused the access token (HTTP " + strconv.Itoa(status) + ")"}
		}
		return nil, endpointError(status, body, "user-info endpoint")
	}
	out := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, unavailable("the provider's user-info answer is not a JSON object", nil)
	}
	return out, nil
}

// facebookFields lists the Graph API fields to read for the scopes:
// the public profile always, the email with the email scope, and any
// other scope's field of the same name (user_birthday => birthday).
func facebookFields(scopes []string) string {
	fields := []string{"id", "name", "first_name", "last_name", "picture"}
	for _, s := range scopes {
		f := strings.TrimPrefix(s, "user_")
		if s == "public_profile" || f == "" || containsScope(fields, f) {
			continue
		}
		fields = append(fields, f)
	}
	return strings.Join(fields, ",")
}

// flatten renders every claim as a string: strings as they are, other
// values JSON-encoded (numbers as written, booleans, objects, arrays).
func flatten(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		switch v := v.(type) {
		case string:
			out[k] = v
		case json.Number:
			out[k] = v.String()
		case nil:
		default:
			b, err := json.Marshal(v)
			if err == nil {
				out[k] = string(b)
			}
		}
	}
	return out
}
