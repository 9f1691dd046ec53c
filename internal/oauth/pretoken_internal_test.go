package oauth

import (
	"errors"
	"reflect"
	"testing"

	"github.com/linkpool/linkpool/internal/trigger"
)

func TestPreTokenResponses(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/lamps"
	t.Run("v1 claims and groups", func(t *testing.T) {
		pt := &preToken{groups: []string{"family"}, scopes: []string{"openid"}}
		err := pt.applyV1(trigger.PreTokenResponseV1{ClaimsOverrideDetails: &trigger.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{"household_id": "hh-1", "email": "x@example.com"},
			ClaimsToSuppress:      []string{"name"},
			GroupOverrideDetails:  &trigger.GroupConfiguration{GroupsToOverride: []string{}, IAMRolesToOverride: []string{role}, PreferredRole: &role},
		}})
		if err != nil {
			t.Fatal(err)
		}
		claims := map[string]any{"email": "a@example.com", "name": "Ann", "sub": "s"}
		pt.id.apply(claims)
		if !reflect.DeepEqual(claims, map[string]any{"email": "x@example.com", "household_id": "hh-1", "sub": "s"}) {
			t.Errorf("ID claims %v", claims)
		}
		if len(pt.groups) != 0 || !reflect.DeepEqual(pt.roles, []string{role}) || pt.preferredRole != role || !pt.access.empty() {
			t.Errorf("preToken %+v", pt)
		}
	})
	t.Run("v2 suppress wins, scopes", func(t *testing.T) {
		pt := &preToken{scopes: []string{"openid", "email", "profile"}}
		err := pt.applyV2(trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &trigger.TokenGeneration{
				ClaimsToAddOrOverride: map[string]any{"tier": 2, "zone": "eu"}, ClaimsToSuppress: []string{"zone"},
				ScopesToAdd: []string{"lamps/read", "email"}, ScopesToSuppress: []string{"profile"},
			},
		}}, false)
		if err != nil {
			t.Fatal(err)
		}
		claims := map[string]any{}
		pt.access.apply(claims)
		if !reflect.DeepEqual(claims, map[string]any{"tier": 2}) || !reflect.DeepEqual(pt.scopes, []string{"openid", "email", "lamps/read"}) {
			t.Errorf("access claims %v, scopes %v", claims, pt.scopes)
		}
	})
	t.Run("m2m ignores the ID token and groups", func(t *testing.T) {
		pt := &preToken{scopes: []string{"lamps/read"}}
		err := pt.applyV2(trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			IDTokenGeneration:    &trigger.TokenGeneration{ClaimsToAddOrOverride: map[string]any{"x": "y"}},
			GroupOverrideDetails: &trigger.GroupConfiguration{GroupsToOverride: []string{"admins"}},
		}}, true)
		if err != nil || !pt.id.empty() || pt.groups != nil {
			t.Errorf("m2m preToken %+v %v", pt, err)
		}
	})
	refusals := []struct {
		name string
		resp trigger.PreTokenResponseV2
		msg  string
	}{
		{"iss", trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			IDTokenGeneration: &trigger.TokenGeneration{ClaimsToAddOrOverride: map[string]any{"iss": "https://evil.example.com"}}}},
			`Invalid lambda response: claim "iss" cannot be added, overridden or suppressed.`},
		{"cognito:groups", trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &trigger.TokenGeneration{ClaimsToAddOrOverride: map[string]any{"cognito:groups": []string{"admins"}}}}},
			`Invalid lambda response: claim "cognito:groups" cannot be added, overridden or suppressed.`},
		{"exp suppressed", trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &trigger.TokenGeneration{ClaimsToSuppress: []string{"exp"}}}},
			`Invalid lambda response: claim "exp" cannot be added, overridden or suppressed.`},
		{"scope claim", trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &trigger.TokenGeneration{ClaimsToAddOrOverride: map[string]any{"scope": "admin"}}}},
			`Invalid lambda response: claim "scope" cannot be added, overridden or suppressed.`},
		{"openid added", trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &trigger.TokenGeneration{ScopesToAdd: []string{"openid"}}}},
			"Invalid lambda response: scope openid cannot be added."},
		{"scope with a space", trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			AccessTokenGeneration: &trigger.TokenGeneration{ScopesToAdd: []string{"lamps/read admin"}}}},
			`Invalid lambda response: invalid scope "lamps/read admin".`},
	}
	for _, r := range refusals {
		t.Run("refuses "+r.name, func(t *testing.T) {
			pt := &preToken{}
			err := pt.applyV2(r.resp, false)
			var te *trigger.Error
			if !errors.As(err, &te) || te.Code != trigger.InvalidLambdaResponseException || te.Message != r.msg {
				t.Fatalf("got %v, want %s", err, r.msg)
			}
			if e := triggerError(err); e.Status != 500 || e.Code != ErrServerError || e.Description != r.msg {
				t.Errorf("token endpoint error %+v", e)
			}
		})
	}
	if e := triggerError(&trigger.Error{Code: trigger.UnexpectedLambdaException, Message: "m"}); e.Status != 503 || e.Code != ErrTemporarilyUnavailable {
		t.Errorf("unexpected lambda at the token endpoint: %+v", e)
	}
}
