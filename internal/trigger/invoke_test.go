package trigger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

const preSignUpARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"

type preSignUpRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

type preSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

func preSignUpCall() trigger.Call {
	return trigger.Call{
		Trigger: pool.TriggerPreSignUp, Source: trigger.SourcePreSignUp, UserName: "ann", ClientID: "client-1",
		Request:  preSignUpRequest{UserAttributes: map[string]string{"email": "ann@example.com"}},
		Response: preSignUpResponse{},
	}
}

// TestWebhookPreSignUp: the webhook receives Cognito's event, decodable
// into aws-lambda-go's type, signed; its answer is decoded.
func TestWebhookPreSignUp(t *testing.T) {
	e := newEnv(t, nil)
	var got events.CognitoEventUserPoolsPreSignup
	wh := newWebhook(t, answer(func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		got = ev
		ev.Response.AutoConfirmUser = strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com")
		ev.Response.AutoVerifyEmail = ev.Response.AutoConfirmUser
		return ev, nil
	}))
	p := e.newPool(pool.LambdaConfig{PreSignUp: wh.URL + "/pre-sign-up"})
	var out preSignUpResponse
	if err := e.inv.Invoke(ctxBg, p, preSignUpCall(), &out); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if !out.AutoConfirmUser || !out.AutoVerifyEmail || out.AutoVerifyPhone {
		t.Fatalf("response %+v, want autoConfirmUser and autoVerifyEmail", out)
	}
	want := events.CognitoEventUserPoolsHeader{
		Version: "1", TriggerSource: "PreSignUp_SignUp", Region: "us-east-1", UserPoolID: p.ID, UserName: "ann",
		CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: trigger.UnknownSDK, ClientID: "client-1"},
	}
	if got.CognitoEventUserPoolsHeader != want {
		t.Fatalf("event header %+v, want %+v", got.CognitoEventUserPoolsHeader, want)
	}
	if got.Request.UserAttributes["email"] != "ann@example.com" {
		t.Fatalf("request %+v", got.Request)
	}
	if _, bad := wh.count(); bad != 0 {
		t.Fatalf("%d requests with a bad signature", bad)
	}
	if n := e.invocations(t, pool.TriggerPreSignUp, pool.TargetWebhook); n != 1 {
		t.Fatalf("latency histogram counted %v invocations, want 1", n)
	}
	if log := e.log.String(); !strings.Contains(log, `"source":"PreSignUp_SignUp"`) || !strings.Contains(log, `"outcome":"ok"`) {
		t.Fatalf("log lacks the trigger source and outcome: %s", log)
	}
}

// TestEventShape: the event's members are exactly Cognito's, in JSON.
func TestEventShape(t *testing.T) {
	e := newEnv(t, nil)
	var raw map[string]json.RawMessage
	wh := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if err := json.Unmarshal(body, &raw); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, _ = w.Write(body)
	})
	p := e.newPool(pool.LambdaConfig{PostAuthentication: wh.URL})
	err := e.inv.Invoke(ctxBg, p, trigger.Call{Trigger: pool.TriggerPostAuthentication, Source: trigger.SourcePostAuthentication, UserName: "ann", SDKVersion: "aws-sdk-js-3.0.0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	for _, k := range []string{"version", "triggerSource", "region", "userPoolId", "userName", "callerContext", "request", "response"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("event lacks %q (has %v)", k, keys)
		}
	}
	if len(raw) != 8 {
		t.Errorf("event has members %v, want Cognito's eight", keys)
	}
	if string(raw["request"]) != "{}" || string(raw["response"]) != "{}" {
		t.Errorf("empty request and response are %s and %s, want {}", raw["request"], raw["response"])
	}
	if string(raw["callerContext"]) != `{"awsSdkVersion":"aws-sdk-js-3.0.0","clientId":""}` {
		t.Errorf("callerContext %s", raw["callerContext"])
	}
}

// TestLambdaPreTokenGenerationV2: the Lambda path calls Invoke
// (RequestResponse) signed with the standard chain's credentials, sends
// a version 2 event for V2_0, and decodes the function's answer.
func TestLambdaPreTokenGenerationV2(t *testing.T) {
	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL })
	ls.Handle("pre-token", func(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		if ev.Version != "2" || ev.TriggerSource != trigger.SourceTokenRefresh {
			return ev, fmt.Errorf("version %q source %q", ev.Version, ev.TriggerSource)
		}
		ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{
			"household": "h-" + ev.Request.UserAttributes["sub"], "rooms": []any{"kitchen", "hall"},
		}
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = []string{"lamps/read"}
		return ev, nil
	})
	arn := "arn:aws:lambda:eu-central-1:123456789012:function:pre-token"
	p := e.newPool(pool.LambdaConfig{PreTokenGenerationConfig: pool.PreTokenGenerationConfig{LambdaVersion: pool.PreTokenV2, LambdaArn: arn}})
	var out events.CognitoEventUserPoolsPreTokenGenResponseV2_0
	err := e.inv.Invoke(ctxBg, p, trigger.Call{
		Trigger: pool.TriggerPreTokenGeneration, Source: trigger.SourceTokenRefresh, UserName: "ann",
		Request: events.CognitoEventUserPoolsPreTokenGenRequestV2_0{UserAttributes: map[string]string{"sub": "s1"}, Scopes: []string{"openid"}},
	}, &out)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	claims := out.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride
	if claims["household"] != "h-s1" || fmt.Sprint(claims["rooms"]) != "[kitchen hall]" {
		t.Fatalf("claims %v", claims)
	}
	if s := out.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd; len(s) != 1 || s[0] != "lamps/read" {
		t.Fatalf("scopes to add %v", s)
	}
	calls := ls.Invocations()
	if len(calls) != 1 {
		t.Fatalf("%d Invoke calls, want 1", len(calls))
	}
	c := calls[0]
	if c.Function != arn || c.InvocationType != "RequestResponse" {
		t.Fatalf("Invoke call %+v, want the ARN and RequestResponse", c)
	}
	if !strings.HasPrefix(c.Authorization, "AWS4-HMAC-SHA256 Credential="+apptest.LambdaAccessKeyID+"/") || !strings.Contains(c.Authorization, "/eu-central-1/lambda/aws4_request") {
		t.Fatalf("Authorization %q: not signed with the chain's key for the function's region", c.Authorization)
	}
	if n := e.invocations(t, pool.TriggerPreTokenGeneration, pool.TargetLambda); n != 1 {
		t.Fatalf("latency histogram counted %v Lambda invocations, want 1", n)
	}
}

// TestFunctionError: an error the function or webhook reports is
// Cognito's UserLambdaValidationException with its message.
func TestFunctionError(t *testing.T) {
	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL })
	ls.Handle("pre-sign-up", func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		return ev, errors.New("Email domain not allowed")
	})
	wh := newWebhook(t, answer(func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		return ev, errors.New("Email domain not allowed")
	}))
	for kind, target := range map[string]string{pool.TargetLambda: preSignUpARN, pool.TargetWebhook: wh.URL + "/pre-sign-up"} {
		t.Run(kind, func(t *testing.T) {
			p := e.newPool(pool.LambdaConfig{PreSignUp: target})
			out := preSignUpResponse{AutoConfirmUser: false}
			err := e.inv.Invoke(ctxBg, p, preSignUpCall(), &out)
			te := wantError(t, err, trigger.UserLambdaValidationException, "PreSignUp failed with error Email domain not allowed.")
			if te.Outcome != trigger.OutcomeFunctionError || out.AutoConfirmUser {
				t.Fatalf("outcome %s, response %+v", te.Outcome, out)
			}
			if n := e.errorCount(t, pool.TriggerPreSignUp, kind, trigger.OutcomeFunctionError); n != 1 {
				t.Fatalf("error counter %v, want 1", n)
			}
		})
	}
}

// TestLambdaAPIError: an error of the Lambda service (no such function)
// is UnexpectedLambdaException naming the service's error.
func TestLambdaAPIError(t *testing.T) {
	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL })
	p := e.newPool(pool.LambdaConfig{PostConfirmation: "arn:aws:lambda:us-east-1:123456789012:function:missing"})
	err := e.inv.Invoke(ctxBg, p, trigger.Call{Trigger: pool.TriggerPostConfirmation, Source: trigger.SourcePostConfirmation, UserName: "ann"}, nil)
	wantError(t, err, trigger.UnexpectedLambdaException, "PostConfirmation invocation failed due to error ResourceNotFoundException.")
	if n := len(ls.Invocations()); n != 1 {
		t.Fatalf("%d Invoke calls, want exactly 1 (no retry)", n)
	}
}

// TestTimeout: a target slower than the limit fails with Cognito's
// timeout message; the receiver sees its request cancelled.
func TestTimeout(t *testing.T) {
	e := newEnv(t, func(c *trigger.Config) { c.Timeout = 200 * time.Millisecond })
	release := make(chan struct{})
	defer close(release)
	wh := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	p := e.newPool(pool.LambdaConfig{PreAuthentication: wh.URL})
	err := e.inv.Invoke(ctxBg, p, trigger.Call{Trigger: pool.TriggerPreAuthentication, Source: trigger.SourcePreAuthentication, UserName: "ann"}, nil)
	te := wantError(t, err, trigger.UnexpectedLambdaException, "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function.")
	if te.Outcome != trigger.OutcomeTimeout {
		t.Fatalf("outcome %s, want timeout", te.Outcome)
	}
	if n := e.errorCount(t, pool.TriggerPreAuthentication, pool.TargetWebhook, trigger.OutcomeTimeout); n != 1 {
		t.Fatalf("timeout counter %v, want 1", n)
	}
}

// TestCanceled: a caller that gives up first is not counted as the
// target's timeout.
func TestCanceled(t *testing.T) {
	e := newEnv(t, nil)
	started := make(chan struct{})
	wh := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		close(started)
		<-r.Context().Done()
	})
	p := e.newPool(pool.LambdaConfig{PreAuthentication: wh.URL})
	ctx, cancel := context.WithCancel(ctxBg)
	go func() { <-started; cancel() }()
	err := e.inv.Invoke(ctx, p, trigger.Call{Trigger: pool.TriggerPreAuthentication, Source: trigger.SourcePreAuthentication}, nil)
	te := wantError(t, err, trigger.UnexpectedLambdaException, "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function.")
	if te.Outcome != trigger.OutcomeCanceled {
		t.Fatalf("outcome %s, want canceled", te.Outcome)
	}
}

// TestMalformedResponse: answers that are not an event are Cognito's
// InvalidLambdaResponseException, and nothing is decoded.
func TestMalformedResponse(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"not JSON", "OK"},
		{"empty", ""},
		{"a JSON string", `"done"`},
		{"null", `null`},
		{"no response member", `{"autoConfirmUser":true}`},
		{"response of the wrong type", `{"response":{"autoConfirmUser":"yes"}}`},
		{"truncated", `{"response":{"autoConfirmUser":true}`},
		{"over 1 MiB", `{"response":{},"pad":"` + strings.Repeat("x", 1<<20) + `"}`},
	}
	e := newEnv(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wh := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) { _, _ = w.Write([]byte(tc.body)) })
			p := e.newPool(pool.LambdaConfig{PreSignUp: wh.URL + "/pre-sign-up"})
			var out preSignUpResponse
			err := e.inv.Invoke(ctxBg, p, preSignUpCall(), &out)
			wantError(t, err, trigger.InvalidLambdaResponseException, "Unrecognizable lambda output")
			if out.AutoConfirmUser {
				t.Fatal("a malformed answer changed the response")
			}
		})
	}
	if n := e.errorCount(t, pool.TriggerPreSignUp, pool.TargetWebhook, trigger.OutcomeMalformed); n != float64(len(tests)) {
		t.Fatalf("malformed counter %v, want %d", n, len(tests))
	}
}

// TestLambdaMalformedResponse: the same for a function's answer.
func TestLambdaMalformedResponse(t *testing.T) {
	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL })
	ls.Handle("pre-sign-up", func(ev events.CognitoEventUserPoolsPreSignup) (string, error) { return "approved", nil })
	p := e.newPool(pool.LambdaConfig{PreSignUp: preSignUpARN})
	err := e.inv.Invoke(ctxBg, p, preSignUpCall(), &preSignUpResponse{})
	wantError(t, err, trigger.InvalidLambdaResponseException, "Unrecognizable lambda output")
}

// TestUnexpectedStatus: a webhook's non-2xx answer without an
// errorMessage, a redirect (not followed) and an unreachable receiver are
// UnexpectedLambdaException.
func TestUnexpectedStatus(t *testing.T) {
	e := newEnv(t, nil)
	followed := false
	target := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) { followed = true })
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, body []byte)
		message string
	}{
		{"bad gateway", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>Bad gateway</html>"))
		}, "PreSignUp invocation failed due to error HTTP status 502."},
		{"error without a message", func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errorType":"Error"}`))
		}, "PreSignUp invocation failed due to error HTTP status 400."},
		{"redirect", func(w http.ResponseWriter, r *http.Request, body []byte) {
			http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
		}, "PreSignUp invocation failed due to error HTTP status 307."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wh := newWebhook(t, tc.handler)
			p := e.newPool(pool.LambdaConfig{PreSignUp: wh.URL + "/pre-sign-up"})
			wantError(t, e.inv.Invoke(ctxBg, p, preSignUpCall(), nil), trigger.UnexpectedLambdaException, tc.message)
		})
	}
	if followed {
		t.Fatal("the redirect was followed")
	}
	t.Run("unreachable", func(t *testing.T) {
		wh := newWebhook(t, nil)
		url := wh.URL
		wh.Close()
		p := e.newPool(pool.LambdaConfig{PreSignUp: url + "/pre-sign-up"})
		te := wantError(t, e.inv.Invoke(ctxBg, p, preSignUpCall(), nil), trigger.UnexpectedLambdaException,
			"PreSignUp invocation failed due to error RequestFailed.")
		if te.Outcome != trigger.OutcomeTransport {
			t.Fatalf("outcome %s, want transport", te.Outcome)
		}
	})
}

// TestWebhookSecret: without the pool's secret, or with one sealed for
// another pool, nothing is sent.
func TestWebhookSecret(t *testing.T) {
	e := newEnv(t, nil)
	wh := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) { _, _ = w.Write(body) })
	p := e.newPool(pool.LambdaConfig{PreSignUp: wh.URL + "/pre-sign-up"})
	other := e.newPool(pool.LambdaConfig{})
	for name, sealed := range map[string][]byte{"none": nil, "another pool's": other.TriggerSecret} {
		t.Run(name, func(t *testing.T) {
			p.TriggerSecret = sealed
			te := wantError(t, e.inv.Invoke(ctxBg, p, preSignUpCall(), nil), trigger.UnexpectedLambdaException,
				"PreSignUp invocation failed due to error AccessDeniedException.")
			if te.Outcome != trigger.OutcomeConfig {
				t.Fatalf("outcome %s, want config", te.Outcome)
			}
		})
	}
	if n, _ := wh.count(); n != 0 {
		t.Fatalf("%d requests sent without a usable secret", n)
	}
}

// TestBudget: with every worker slot taken an invocation fails at once;
// the slot is given back when the slow one ends.
func TestBudget(t *testing.T) {
	e := newEnv(t, func(c *trigger.Config) { c.MaxConcurrent = 1 })
	started, release := make(chan struct{}), make(chan struct{})
	slow := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		close(started)
		<-release
		_, _ = w.Write(body)
	})
	fast := newWebhook(t, func(w http.ResponseWriter, r *http.Request, body []byte) { _, _ = w.Write(body) })
	slowPool := e.newPool(pool.LambdaConfig{PreSignUp: slow.URL + "/pre-sign-up"})
	fastPool := e.newPool(pool.LambdaConfig{PreSignUp: fast.URL + "/pre-sign-up"})
	done := make(chan error, 1)
	go func() { done <- e.inv.Invoke(ctxBg, slowPool, preSignUpCall(), nil) }()
	<-started
	te := wantError(t, e.inv.Invoke(ctxBg, fastPool, preSignUpCall(), nil), trigger.UnexpectedLambdaException,
		"PreSignUp invocation failed due to error TooManyRequestsException.")
	if te.Outcome != trigger.OutcomeBudget {
		t.Fatalf("outcome %s, want budget", te.Outcome)
	}
	if n, _ := fast.count(); n != 0 {
		t.Fatal("the over-budget invocation was sent")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("slow invocation: %v", err)
	}
	if err := e.inv.Invoke(ctxBg, fastPool, preSignUpCall(), nil); err != nil {
		t.Fatalf("invocation after the slot was freed: %v", err)
	}
	if n := e.errorCount(t, pool.TriggerPreSignUp, pool.TargetWebhook, trigger.OutcomeBudget); n != 1 {
		t.Fatalf("budget counter %v, want 1", n)
	}
}

// TestNotConfigured: a trigger without a target is not invoked.
func TestNotConfigured(t *testing.T) {
	e := newEnv(t, nil)
	p := e.newPool(pool.LambdaConfig{PreSignUp: preSignUpARN})
	err := e.inv.Invoke(ctxBg, p, trigger.Call{Trigger: pool.TriggerUserMigration, Source: trigger.SourceUserMigrationAuthentication}, nil)
	if !errors.Is(err, trigger.ErrNotConfigured) {
		t.Fatalf("got %v, want ErrNotConfigured", err)
	}
}

// TestLogsNeverHoldTheEvent: the logs name the trigger source and
// outcome but never carry the event (here a password) nor the
// function's answer.
func TestLogsNeverHoldTheEvent(t *testing.T) {
	e := newEnv(t, nil)
	const password = "Corr3ct-Horse-Battery!"
	ok := newWebhook(t, answer(func(ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		ev.CognitoEventUserPoolsMigrateUserResponse.UserAttributes = map[string]string{"email": "ann@example.com", "custom:pin": "4711"}
		ev.FinalUserStatus = "CONFIRMED"
		return ev, nil
	}))
	failing := newWebhook(t, answer(func(ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		return ev, errors.New("Bad password")
	}))
	call := trigger.Call{Trigger: pool.TriggerUserMigration, Source: trigger.SourceUserMigrationAuthentication, UserName: "ann",
		Request: events.CognitoEventUserPoolsMigrateUserRequest{Password: password}}
	var out events.CognitoEventUserPoolsMigrateUserResponse
	if err := e.inv.Invoke(ctxBg, e.newPool(pool.LambdaConfig{UserMigration: ok.URL + "/migrate"}), call, &out); err != nil {
		t.Fatal(err)
	}
	if out.FinalUserStatus != "CONFIRMED" || out.UserAttributes["custom:pin"] != "4711" {
		t.Fatalf("response %+v", out)
	}
	err := e.inv.Invoke(ctxBg, e.newPool(pool.LambdaConfig{UserMigration: failing.URL + "/migrate?token=query-secret"}), call, &out)
	wantError(t, err, trigger.UserLambdaValidationException, "UserMigration failed with error Bad password.")
	log := e.log.String()
	for _, secretText := range []string{password, "4711", secret, "query-secret"} {
		if strings.Contains(log, secretText) {
			t.Fatalf("log holds %q: %s", secretText, log)
		}
	}
	if !strings.Contains(log, `"source":"UserMigration_Authentication"`) || !strings.Contains(log, `"outcome":"function_error"`) {
		t.Fatalf("log lacks source and outcome: %s", log)
	}
}

// TestLambdaTimeout: a function slower than the limit fails with
// Cognito's timeout message, once.
func TestLambdaTimeout(t *testing.T) {
	ls := apptest.NewLambdaServer(t)
	e := newEnv(t, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL; c.Timeout = 200 * time.Millisecond })
	ls.Handle("slow", func(ctx context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
		<-ctx.Done()
		return ev, ctx.Err()
	})
	p := e.newPool(pool.LambdaConfig{PostConfirmation: "arn:aws:lambda:us-east-1:123456789012:function:slow"})
	err := e.inv.Invoke(ctxBg, p, trigger.Call{Trigger: pool.TriggerPostConfirmation, Source: trigger.SourcePostConfirmation, UserName: "ann"}, nil)
	te := wantError(t, err, trigger.UnexpectedLambdaException, "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function.")
	if te.Outcome != trigger.OutcomeTimeout {
		t.Fatalf("outcome %s, want timeout", te.Outcome)
	}
	if n := len(ls.Invocations()); n != 1 {
		t.Fatalf("%d Invoke calls, want 1", n)
	}
}

// TestConcurrentInvocations: invocations up to the budget run side by
// side, each with its own answer.
func TestConcurrentInvocations(t *testing.T) {
	const n = 8
	e := newEnv(t, func(c *trigger.Config) { c.MaxConcurrent = n })
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	wh := newWebhook(t, answer(func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		arrived <- struct{}{}
		<-release
		ev.Response.AutoConfirmUser = ev.UserName != "user-0"
		return ev, nil
	}))
	p := e.newPool(pool.LambdaConfig{PreSignUp: wh.URL + "/pre-sign-up"})
	type result struct {
		user string
		out  preSignUpResponse
		err  error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			c := preSignUpCall()
			c.UserName = fmt.Sprintf("user-%d", i)
			var r result
			r.user = c.UserName
			r.err = e.inv.Invoke(ctxBg, p, c, &r.out)
			results <- r
		}()
	}
	for range n { // all n are at the receiver at once
		<-arrived
	}
	close(release)
	for range n {
		r := <-results
		if r.err != nil {
			t.Fatalf("%s: %v", r.user, r.err)
		}
		if r.out.AutoConfirmUser != (r.user != "user-0") {
			t.Fatalf("%s got another invocation's answer: %+v", r.user, r.out)
		}
	}
	if got := e.invocations(t, pool.TriggerPreSignUp, pool.TargetWebhook); got != n {
		t.Fatalf("histogram counted %v invocations, want %d", got, n)
	}
}
