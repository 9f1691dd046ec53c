package token_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/token"
)

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	authAt  = t0.Add(-10 * time.Minute)
	issuer  = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EKSqdiVrc"
	uuidPat = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// roundTrip marshals v and decodes it generically, as a verifier would.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAccessClaims(t *testing.T) {
	tests := []struct {
		name string
		cl   token.AccessClaims
		want map[string]any
	}{
		{
			name: "user with groups",
			cl: token.NewAccessClaims(token.AccessInput{
				Issuer: issuer, ClientID: "7uh8lb2idnder3jkjte0kqub4g",
				Sub: "7ee7bebb-291c-47e0-ae3a-83795973d5f4", Username: "janedoe",
				Groups: []string{"admins", "users"}, Scopes: []string{"openid", "email", "profile"},
				OriginJTI: "a4867101-110e-490f-a082-6852d8e00e8f", JTI: "cf7c7c31-e667-4049-9a34-2cec5de8bf88",
				AuthTime: authAt, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour),
			}),
			want: map[string]any{
				"sub": "7ee7bebb-291c-47e0-ae3a-83795973d5f4", "cognito:groups": []any{"admins", "users"},
				"iss": issuer, "version": float64(2), "client_id": "7uh8lb2idnder3jkjte0kqub4g",
				"origin_jti": "a4867101-110e-490f-a082-6852d8e00e8f", "token_use": "access",
				"scope": "openid email profile", "auth_time": float64(authAt.Unix()),
				"exp": float64(t0.Add(time.Hour).Unix()), "iat": float64(t0.Unix()),
				"jti": "cf7c7c31-e667-4049-9a34-2cec5de8bf88", "username": "janedoe",
			},
		},
		{
			name: "user without groups has no cognito:groups",
			cl: token.NewAccessClaims(token.AccessInput{
				Issuer: issuer, ClientID: "c1", Sub: "s1", Username: "bob", Groups: []string{},
				Scopes: []string{"openid"}, EventID: "e1", JTI: "j1",
				AuthTime: authAt, IssuedAt: t0, ExpiresAt: t0.Add(5 * time.Minute),
			}),
			want: map[string]any{
				"sub": "s1", "iss": issuer, "version": float64(2), "client_id": "c1",
				"event_id": "e1", "token_use": "access", "scope": "openid",
				"auth_time": float64(authAt.Unix()), "exp": float64(t0.Add(5 * time.Minute).Unix()),
				"iat": float64(t0.Unix()), "jti": "j1", "username": "bob",
			},
		},
		{
			name: "client credentials: sub is the client, no username",
			cl:   token.ClientCredentialsClaims(issuer, "m2mclient", []string{"lamps/read", "lamps/write"}, "j2", t0, t0.Add(time.Hour)),
			want: map[string]any{
				"sub": "m2mclient", "iss": issuer, "version": float64(2), "client_id": "m2mclient",
				"token_use": "access", "scope": "lamps/read lamps/write",
				"auth_time": float64(t0.Unix()), "exp": float64(t0.Add(time.Hour).Unix()),
				"iat": float64(t0.Unix()), "jti": "j2",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := roundTrip(t, tc.cl)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("claims =\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestAccessClaimsGeneratesJTI(t *testing.T) {
	a := token.NewAccessClaims(token.AccessInput{Sub: "s"})
	b := token.NewAccessClaims(token.AccessInput{Sub: "s"})
	if !uuidPat.MatchString(a.JTI) || a.JTI == b.JTI {
		t.Fatalf("jti = %q, %q; want distinct random UUIDs", a.JTI, b.JTI)
	}
}

func TestIDClaims(t *testing.T) {
	attrs := map[string]string{
		"email":                 "janedoe@example.com",
		"email_verified":        "true",
		"phone_number":          "+12065551212",
		"phone_number_verified": "false",
		"custom:tier":           "7",
		"address":               `{"street_address":"1 Main St"}`,
		"name":                  "Jane Doe",
		"sub":                   "attacker-chosen",
		"iss":                   "https://evil.example",
		"cognito:username":      "someone-else",
	}
	base := token.IDInput{
		Issuer: issuer, Audience: "7uh8lb2idnder3jkjte0kqub4g",
		Sub: "7ee7bebb-291c-47e0-ae3a-83795973d5f4", Username: "janedoe",
		Attributes: attrs, JTI: "80779029-0000-4000-8000-000000000000",
		AuthTime: authAt, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	common := map[string]any{
		"sub": base.Sub, "iss": issuer, "aud": base.Audience, "token_use": "id",
		"cognito:username": "janedoe", "auth_time": float64(authAt.Unix()),
		"iat": float64(t0.Unix()), "exp": float64(t0.Add(time.Hour).Unix()), "jti": base.JTI,
	}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range common {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		edit func(in *token.IDInput)
		want map[string]any
	}{
		{
			name: "release email only",
			edit: func(in *token.IDInput) { in.Release = []string{"email", "email_verified"} },
			want: with(map[string]any{"email": "janedoe@example.com", "email_verified": true}),
		},
		{
			name: "release nothing",
			edit: func(in *token.IDInput) { in.Release = []string{} },
			want: with(nil),
		},
		{
			name: "nil release takes every attribute; reserved names never override claims",
			edit: func(in *token.IDInput) {},
			want: with(map[string]any{
				"email": "janedoe@example.com", "email_verified": true,
				"phone_number": "+12065551212", "phone_number_verified": false,
				"custom:tier": "7", "address": `{"street_address":"1 Main St"}`, "name": "Jane Doe",
			}),
		},
		{
			name: "released name without a value is left out",
			edit: func(in *token.IDInput) { in.Release = []string{"family_name", "custom:tier"} },
			want: with(map[string]any{"custom:tier": "7"}),
		},
		{
			name: "nonce, at_hash, groups, origin_jti, event_id",
			edit: func(in *token.IDInput) {
				in.Release = []string{}
				in.Nonce, in.AtHash, in.OriginJTI, in.EventID = "n-0S6_WzA2Mj", "UgU2L46RWptYhG-SpkWVaQ", "o1", "e1"
				in.Groups = []string{"g1"}
			},
			want: with(map[string]any{
				"nonce": "n-0S6_WzA2Mj", "at_hash": "UgU2L46RWptYhG-SpkWVaQ", "origin_jti": "o1",
				"event_id": "e1", "cognito:groups": []any{"g1"},
			}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.edit(&in)
			got := roundTrip(t, token.IDClaims(in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("claims =\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestAtHash(t *testing.T) {
	// OIDC Core §A.3: the at_hash of this access token is
	// 77QmUPtjPfzWtF2AnpK9RQ (RS256).
	const specToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
	half := sha256.Sum256([]byte("abc"))
	tests := []struct {
		name  string
		token string
		alg   string
		want  string
	}{
		{name: "OIDC Core A.3 example", token: specToken, alg: "RS256", want: "77QmUPtjPfzWtF2AnpK9RQ"},
		{name: "ES256 uses SHA-256 too", token: specToken, alg: "ES256", want: "77QmUPtjPfzWtF2AnpK9RQ"},
		{name: "left half, base64url unpadded", token: "abc", alg: "RS256", want: base64.RawURLEncoding.EncodeToString(half[:16])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := token.AtHash(tc.token, tc.alg); got != tc.want {
				t.Fatalf("AtHash = %q, want %q", got, tc.want)
			}
		})
	}
}
