package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/internal/store/postgres/pgtest"
)

// The skill settings' Lambda variables, as the docs name them.
const (
	envRequiredScopes = "SMARTLAMP_REQUIRED_SCOPES"
	envLWAClientID    = "SMARTLAMP_LWA_CLIENT_ID"
	envLWASecret      = "SMARTLAMP_LWA_CLIENT_SECRET"
)

func TestLoadConfig(t *testing.T) {
	full := map[string]string{
		envIssuer:         "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc",
		envClientIDs:      "client-a, client-b",
		envDatabase:       "postgres://db/smartlamp",
		envRequiredScopes: "lamp/control openid",
		envLWAClientID:    "amzn1.application-oa2-client.x",
		envLWASecret:      "secret",
	}
	tests := []struct {
		name    string
		unset   []string
		set     map[string]string
		wantErr string
	}{
		{name: "complete"},
		{name: "no issuer", unset: []string{envIssuer}, wantErr: envIssuer},
		{name: "no clients", unset: []string{envClientIDs}, wantErr: envClientIDs},
		{name: "no database", unset: []string{envDatabase}, wantErr: envDatabase},
		{name: "nothing", unset: []string{envIssuer, envClientIDs, envDatabase}, wantErr: envClientIDs + ", " + envDatabase + ", " + envIssuer},
		{name: "LWA id without secret", unset: []string{envLWASecret}, wantErr: envLWASecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			for _, k := range tc.unset {
				delete(env, k)
			}
			c, err := loadConfig(func(k string) string { return env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "secret") && tc.name != "LWA id without secret" {
					t.Errorf("error mentions a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.verify.ClientIDs) != 2 || c.verify.ClientIDs[1] != "client-b" || len(c.verify.RequiredScopes) != 2 {
				t.Errorf("config %+v", c)
			}
		})
	}
}

// TestHandler runs the function main passes to lambda.Start on real
// directive JSON, against a real PostgreSQL database.
func TestHandler(t *testing.T) {
	iss := smarthometest.NewIssuer(t)
	env := map[string]string{
		envIssuer:    iss.URL,
		envClientIDs: smarthometest.ClientID,
		envDatabase:  pgtest.URL(t),
		envMasterKey: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	}
	ctx := context.Background()
	handler, release, err := setup(ctx, func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	tok := iss.Token(t, "lambda-user")
	sample := func(path string) json.RawMessage {
		raw, err := os.ReadFile(filepath.Join(smarthometest.DataDir(t), "samples", path))
		if err != nil {
			t.Fatal(err)
		}
		return json.RawMessage(strings.ReplaceAll(string(raw), "access-token-from-skill", tok))
	}
	call := func(in json.RawMessage) map[string]any {
		out, err := handler(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		smarthometest.Validate(t, out)
		var m map[string]any
		_ = json.Unmarshal(out, &m)
		return m
	}
	disc := call(sample("Discovery/Discovery.request.json"))
	event := disc["event"].(map[string]any)
	eps := event["payload"].(map[string]any)["endpoints"].([]any)
	if len(eps) != 1 {
		t.Fatalf("discovery: %v", disc)
	}
	id := eps[0].(map[string]any)["endpointId"].(string)
	turnOn := json.RawMessage(strings.ReplaceAll(string(sample("PowerController/PowerController.TurnOn.request.json")), "endpoint-001", id))
	reply := call(turnOn)
	h := reply["event"].(map[string]any)["header"].(map[string]any)
	if h["name"] != "Response" || h["correlationToken"] != "dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==" {
		t.Fatalf("TurnOn: %v", reply)
	}
	props := reply["context"].(map[string]any)["properties"].([]any)
	if props[0].(map[string]any)["value"] != "ON" {
		t.Errorf("powerState %v", props[0])
	}
	bad := call(json.RawMessage(`{"directive":{"header":{}}}`))
	if bad["event"].(map[string]any)["payload"].(map[string]any)["type"] != "INVALID_DIRECTIVE" {
		t.Errorf("malformed directive: %v", bad)
	}
}
