package alexasim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

func postForm(t *testing.T, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestGatewayTokenEndpoint: grant codes are single use, the client is
// checked, tokens look like LWA's and refresh works.
func TestGatewayTokenEndpoint(t *testing.T) {
	clk := newClock()
	gw := alexasim.NewGateway(alexasim.GatewayConfig{ClientID: lwaClientID, ClientSecret: lwaSecret, Now: clk.Now})
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	tokenURL := srv.URL + "/auth/o2/token"
	code := gw.NewGrantCode("kitchen")
	creds := url.Values{"client_id": {lwaClientID}, "client_secret": {lwaSecret}}
	with := func(v url.Values) url.Values {
		out := url.Values{}
		for k, vs := range creds {
			out[k] = vs
		}
		for k, vs := range v {
			out[k] = vs
		}
		return out
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		error  string
	}{
		{"wrong secret", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {lwaClientID}, "client_secret": {"nope"}}, 401, "invalid_client"},
		{"unknown code", with(url.Values{"grant_type": {"authorization_code"}, "code": {"ANunknown"}}), 400, "invalid_grant"},
		{"code", with(url.Values{"grant_type": {"authorization_code"}, "code": {code}}), 200, ""},
		{"code again", with(url.Values{"grant_type": {"authorization_code"}, "code": {code}}), 400, "invalid_grant"},
		{"password grant", with(url.Values{"grant_type": {"password"}}), 400, "unsupported_grant_type"},
	}
	var tokens map[string]any
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := postForm(t, tokenURL, tc.form)
			if st != tc.status || tc.error != "" && body["error"] != tc.error {
				t.Fatalf("%d %v", st, body)
			}
			if st == 200 {
				tokens = body
			}
		})
	}
	at, _ := tokens["access_token"].(string)
	rt, _ := tokens["refresh_token"].(string)
	if !strings.HasPrefix(at, "Atza|") || !strings.HasPrefix(rt, "Atzr|") || tokens["expires_in"] != float64(3600) {
		t.Fatalf("tokens %v", tokens)
	}
	st, body := postForm(t, tokenURL, with(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}))
	if st != 200 || body["access_token"] == at || body["refresh_token"] != rt {
		t.Fatalf("refresh %d %v", st, body)
	}
	// Codes expire after five minutes.
	late := gw.NewGrantCode("kitchen")
	clk.Advance(alexasim.GatewayCodeTTL)
	if st, body := postForm(t, tokenURL, with(url.Values{"grant_type": {"authorization_code"}, "code": {late}})); st != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("expired code: %d %v", st, body)
	}
}

// TestGatewayEvents: events need a token the gateway issued, are checked
// against the schema and recorded with their link.
func TestGatewayEvents(t *testing.T) {
	schema := loadSchema(t)
	gw := alexasim.NewGateway(alexasim.GatewayConfig{ClientID: lwaClientID, ClientSecret: lwaSecret, Schema: schema})
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	_, tok := postForm(t, srv.URL+"/auth/o2/token", url.Values{"grant_type": {"authorization_code"}, "code": {gw.NewGrantCode("kitchen")},
		"client_id": {lwaClientID}, "client_secret": {lwaSecret}})
	at := tok["access_token"].(string)
	now := time.Now()
	good, _ := alexa.ChangeReport("lamp-1", alexa.Scope{Type: "BearerToken", Token: at}, alexa.CausePhysicalInteraction,
		[]alexa.Property{alexa.PowerState(true, now, 0)}, []alexa.Property{alexa.Brightness(50, now, 0)}).Marshal()
	bad := []byte(strings.Replace(string(good), `"PHYSICAL_INTERACTION"`, `"TELEPATHY"`, 1))
	tests := []struct {
		name   string
		token  string
		body   []byte
		status int
		code   string
	}{
		{"no token", "", good, 401, "INVALID_ACCESS_TOKEN_EXCEPTION"},
		{"unknown token", "Atza|forged", good, 401, "INVALID_ACCESS_TOKEN_EXCEPTION"},
		{"schema violation", at, bad, 400, "INVALID_REQUEST_EXCEPTION"},
		{"change report", at, good, 202, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v3/events", strings.NewReader(string(tc.body)))
			req.Header.Set("Content-Type", "application/json")
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct {
				Payload struct {
					Code string `json:"code"`
				} `json:"payload"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != tc.status || e.Payload.Code != tc.code {
				t.Fatalf("%d %q", resp.StatusCode, e.Payload.Code)
			}
		})
	}
	evs, err := alexasim.FetchEvents(context.Background(), nil, srv.URL, "kitchen")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Schema != alexasim.SchemaInvalid || evs[0].Status != 400 || evs[1].Schema != alexasim.SchemaValid || evs[1].Cause != "PHYSICAL_INTERACTION" {
		t.Fatalf("events %+v", evs)
	}
	if strings.Contains(string(evs[1].Event), at) || !strings.Contains(string(evs[1].Event), "[redacted]") {
		t.Fatal("the recorded event shows the bearer token")
	}
	if other, _ := alexasim.FetchEvents(context.Background(), nil, srv.URL, "garage"); len(other) != 0 {
		t.Fatalf("events of another link: %v", other)
	}
}
