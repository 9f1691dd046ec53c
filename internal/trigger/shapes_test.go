package trigger_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// TestShapes: each trigger's request, sent through Invoke to a webhook,
// decodes into aws-lambda-go's event type with every member in place,
// and that type's answer decodes into the trigger's response.
func TestShapes(t *testing.T) {
	attrs := map[string]string{"sub": "s-1", "email": "ann@example.com"}
	meta := map[string]string{"app": "lamps"}
	role := "arn:aws:iam::123456789012:role/reader"
	session := []trigger.ChallengeResult{{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true}, {ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "captcha"}}
	var tests []shapeCase
	var seen any
	saw := func(v any) { seen = v }

	tests = append(tests, shapeCase{"PreSignUp", pool.TriggerPreSignUp, "", trigger.SourcePreSignUpAdminCreate,
		trigger.PreSignUpRequest{UserAttributes: attrs, ValidationData: map[string]string{"captcha": "ok"}, ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
			saw(ev.Request)
			ev.Response = events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyPhone: true}
			return ev, nil
		},
		&trigger.PreSignUpResponse{}, &trigger.PreSignUpResponse{AutoConfirmUser: true, AutoVerifyPhone: true},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsPreSignupRequest{UserAttributes: attrs, ValidationData: map[string]string{"captcha": "ok"}, ClientMetadata: meta})
		}})

	tests = append(tests, shapeCase{"PostConfirmation", pool.TriggerPostConfirmation, "", trigger.SourcePostConfirmationForgot,
		trigger.PostConfirmationRequest{UserAttributes: attrs, ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
			saw(ev.Request)
			return ev, nil
		},
		&trigger.Empty{}, &trigger.Empty{},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsPostConfirmationRequest{UserAttributes: attrs, ClientMetadata: meta})
		}})

	tests = append(tests, shapeCase{"PreAuthentication", pool.TriggerPreAuthentication, "", trigger.SourcePreAuthentication,
		trigger.PreAuthenticationRequest{UserAttributes: attrs, ValidationData: map[string]string{"ip": "192.0.2.1"}, UserNotFound: true},
		func(ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
			saw(ev.Request)
			return ev, nil
		},
		&trigger.Empty{}, &trigger.Empty{},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsPreAuthenticationRequest{UserAttributes: attrs, ValidationData: map[string]string{"ip": "192.0.2.1"}, UserNotFound: true})
		}})

	tests = append(tests, shapeCase{"PostAuthentication", pool.TriggerPostAuthentication, "", trigger.SourcePostAuthentication,
		trigger.PostAuthenticationRequest{NewDeviceUsed: true, UserAttributes: attrs, ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
			saw(ev.Request)
			return ev, nil
		},
		&trigger.Empty{}, &trigger.Empty{},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsPostAuthenticationRequest{NewDeviceUsed: true, UserAttributes: attrs, ClientMetadata: meta})
		}})

	tests = append(tests, shapeCase{"CustomMessage", pool.TriggerCustomMessage, "", trigger.SourceCustomMessageForgot,
		trigger.CustomMessageRequest{UserAttributes: attrs, CodeParameter: "{####}", UsernameParameter: "{username}", ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
			saw(ev.Request)
			ev.Response = events.CognitoEventUserPoolsCustomMessageResponse{EmailSubject: "Reset", EmailMessage: "Code " + ev.Request.CodeParameter}
			return ev, nil
		},
		&trigger.CustomMessageResponse{}, &trigger.CustomMessageResponse{EmailSubject: "Reset", EmailMessage: "Code {####}"},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsCustomMessageRequest{UserAttributes: map[string]any{"sub": "s-1", "email": "ann@example.com"},
				CodeParameter: "{####}", UsernameParameter: "{username}", ClientMetadata: meta})
		}})

	tests = append(tests, shapeCase{"PreTokenGeneration V1_0", pool.TriggerPreTokenGeneration, pool.PreTokenV1, trigger.SourceTokenHostedAuth,
		trigger.PreTokenRequest{UserAttributes: attrs, GroupConfiguration: trigger.GroupConfiguration{GroupsToOverride: []string{"admins"}, IAMRolesToOverride: []string{role}, PreferredRole: &role}, ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
			if ev.Version != "1" {
				return ev, fmt.Errorf("version %q", ev.Version)
			}
			saw(ev.Request)
			ev.Response.ClaimsOverrideDetails = events.ClaimsOverrideDetails{ClaimsToAddOrOverride: map[string]string{"household": "h-1"}, ClaimsToSuppress: []string{"email"}}
			return ev, nil
		},
		&trigger.PreTokenResponseV1{}, &trigger.PreTokenResponseV1{ClaimsOverrideDetails: &trigger.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{"household": "h-1"}, ClaimsToSuppress: []string{"email"}, GroupOverrideDetails: &trigger.GroupConfiguration{}}},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsPreTokenGenRequest{UserAttributes: attrs,
				GroupConfiguration: events.GroupConfiguration{GroupsToOverride: []string{"admins"}, IAMRolesToOverride: []string{role}, PreferredRole: &role}, ClientMetadata: meta})
		}})

	tests = append(tests, shapeCase{"PreTokenGeneration V2_0", pool.TriggerPreTokenGeneration, pool.PreTokenV2, trigger.SourceTokenRefresh,
		trigger.PreTokenRequest{UserAttributes: attrs, GroupConfiguration: trigger.GroupConfiguration{GroupsToOverride: []string{}, IAMRolesToOverride: []string{}}, Scopes: []string{"openid", "lamps/read"}},
		func(ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			if ev.Version != "2" {
				return ev, fmt.Errorf("version %q", ev.Version)
			}
			saw(ev.Request)
			d := &ev.Response.ClaimsAndScopeOverrideDetails
			d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"household": map[string]any{"id": "h-1", "rooms": 3}}
			d.AccessTokenGeneration.ScopesToAdd = []string{"lamps/write"}
			d.AccessTokenGeneration.ScopesToSuppress = []string{"lamps/read"}
			return ev, nil
		},
		&trigger.PreTokenResponseV2{}, &trigger.PreTokenResponseV2{ClaimsAndScopeOverrideDetails: &trigger.ClaimsAndScopeOverrideDetails{
			IDTokenGeneration:     &trigger.TokenGeneration{ClaimsToAddOrOverride: map[string]any{"household": map[string]any{"id": "h-1", "rooms": float64(3)}}},
			AccessTokenGeneration: &trigger.TokenGeneration{ScopesToAdd: []string{"lamps/write"}, ScopesToSuppress: []string{"lamps/read"}},
			GroupOverrideDetails:  &trigger.GroupConfiguration{}}},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsPreTokenGenRequestV2_0{UserAttributes: attrs,
				GroupConfiguration: events.GroupConfigurationV2_0{GroupsToOverride: []string{}, IAMRolesToOverride: []string{}}, Scopes: []string{"openid", "lamps/read"}})
		}})

	tests = append(tests, shapeCase{"UserMigration", pool.TriggerUserMigration, "", trigger.SourceUserMigrationAuthentication,
		trigger.UserMigrationRequest{Password: "Corr3ct-Horse!", ValidationData: map[string]string{"k": "v"}, ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
			saw(ev.CognitoEventUserPoolsMigrateUserRequest)
			ev.CognitoEventUserPoolsMigrateUserResponse = events.CognitoEventUserPoolsMigrateUserResponse{
				UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"}, FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS",
				DesiredDeliveryMediums: []string{"EMAIL"}, ForceAliasCreation: true}
			return ev, nil
		},
		&trigger.UserMigrationResponse{}, &trigger.UserMigrationResponse{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"},
			FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, ForceAliasCreation: true},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsMigrateUserRequest{Password: "Corr3ct-Horse!", ValidationData: map[string]string{"k": "v"}, ClientMetadata: meta})
		}})

	tests = append(tests, shapeCase{"DefineAuthChallenge", pool.TriggerDefineAuthChallenge, "", trigger.SourceDefineAuthChallenge,
		trigger.DefineAuthChallengeRequest{UserAttributes: attrs, Session: session, ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
			saw(ev.Request)
			ev.Response = events.CognitoEventUserPoolsDefineAuthChallengeResponse{ChallengeName: "CUSTOM_CHALLENGE"}
			return ev, nil
		},
		&trigger.DefineAuthChallengeResponse{}, &trigger.DefineAuthChallengeResponse{ChallengeName: "CUSTOM_CHALLENGE"},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsDefineAuthChallengeRequest{UserAttributes: attrs, ClientMetadata: meta,
				Session: []*events.CognitoEventUserPoolsChallengeResult{{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true}, {ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "captcha"}}})
		}})

	tests = append(tests, shapeCase{"CreateAuthChallenge", pool.TriggerCreateAuthChallenge, "", trigger.SourceCreateAuthChallenge,
		trigger.CreateAuthChallengeRequest{UserAttributes: attrs, ChallengeName: "CUSTOM_CHALLENGE", Session: session[:1], UserNotFound: true},
		func(ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
			saw(ev.Request)
			ev.Response = events.CognitoEventUserPoolsCreateAuthChallengeResponse{PublicChallengeParameters: map[string]string{"q": "2+2"},
				PrivateChallengeParameters: map[string]string{"a": "4"}, ChallengeMetadata: "math"}
			return ev, nil
		},
		&trigger.CreateAuthChallengeResponse{}, &trigger.CreateAuthChallengeResponse{PublicChallengeParameters: map[string]string{"q": "2+2"},
			PrivateChallengeParameters: map[string]string{"a": "4"}, ChallengeMetadata: "math"},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsCreateAuthChallengeRequest{UserAttributes: attrs, ChallengeName: "CUSTOM_CHALLENGE", UserNotFound: true,
				Session: []*events.CognitoEventUserPoolsChallengeResult{{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true}}})
		}})

	tests = append(tests, shapeCase{"VerifyAuthChallengeResponse", pool.TriggerVerifyAuthChallengeResponse, "", trigger.SourceVerifyAuthChallengeResponse,
		trigger.VerifyAuthChallengeRequest{UserAttributes: attrs, PrivateChallengeParameters: map[string]string{"a": "4"}, ChallengeAnswer: "4", ClientMetadata: meta},
		func(ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
			saw(ev.Request)
			ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["a"]
			return ev, nil
		},
		&trigger.VerifyAuthChallengeResponse{}, &trigger.VerifyAuthChallengeResponse{AnswerCorrect: true},
		func() {
			wantSeen(t, seen, events.CognitoEventUserPoolsVerifyAuthChallengeRequest{UserAttributes: attrs, PrivateChallengeParameters: map[string]string{"a": "4"},
				ChallengeAnswer: "4", ClientMetadata: meta})
		}})

	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL })
	for i, tc := range tests {
		for _, kind := range []string{pool.TargetWebhook, pool.TargetLambda} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				seen = nil
				fn := fmt.Sprintf("shape-%d", i)
				ls.Handle(fn, tc.handler)
				target := "arn:aws:lambda:us-east-1:123456789012:function:" + fn
				if kind == pool.TargetWebhook {
					wh := newWebhook(t, lambdaHandlerOverHTTP(tc.handler))
					target = wh.URL + "/" + fn
				}
				var lc pool.LambdaConfig
				switch tc.trigger {
				case pool.TriggerPreSignUp:
					lc.PreSignUp = target
				case pool.TriggerPostConfirmation:
					lc.PostConfirmation = target
				case pool.TriggerPreAuthentication:
					lc.PreAuthentication = target
				case pool.TriggerPostAuthentication:
					lc.PostAuthentication = target
				case pool.TriggerCustomMessage:
					lc.CustomMessage = target
				case pool.TriggerPreTokenGeneration:
					lc.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: tc.version, LambdaArn: target}
				case pool.TriggerUserMigration:
					lc.UserMigration = target
				case pool.TriggerDefineAuthChallenge:
					lc.DefineAuthChallenge = target
				case pool.TriggerCreateAuthChallenge:
					lc.CreateAuthChallenge = target
				case pool.TriggerVerifyAuthChallengeResponse:
					lc.VerifyAuthChallengeResponse = target
				}
				p := e.newPool(lc)
				out := reflect.New(reflect.TypeOf(tc.response).Elem()).Interface()
				err := e.inv.Invoke(ctxBg, p, trigger.Call{Trigger: tc.trigger, Source: tc.source, UserName: "ann", ClientID: "c-1",
					Request: tc.request, Response: reflect.ValueOf(tc.response).Elem().Interface()}, out)
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				if !reflect.DeepEqual(out, tc.want) {
					t.Fatalf("response %#v, want %#v", out, tc.want)
				}
				tc.check()
			})
		}
	}
}

// shapeCase is one trigger of TestShapes.
type shapeCase struct {
	name, trigger string
	version       string // pre token generation only
	source        string
	request       any
	handler       any    // an aws-lambda-go handler: func(events.X) (events.X, error)
	response      any    // pointer to the zero trigger response
	want          any    // the decoded response
	check         func() // checks what the handler saw, after Invoke
}

// wantSeen compares what a handler saw with what was sent.
func wantSeen(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the function saw %#v, want %#v", got, want)
	}
}
