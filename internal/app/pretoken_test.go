package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// hook is a webhook receiver on loopback, outside linkpool: it checks
// linkpool's signature and hands the event to handle, which answers
// with the whole event (status 200) or an error.
type hook struct {
	srv    *httptest.Server
	secret string

	mu      sync.Mutex
	sources []string
	handle  func(body []byte) (any, error)
}

// hookError makes the receiver answer with status and Lambda's error
// shape, or with body as it is when raw is set.
type hookError struct {
	status  int
	message string
	raw     string
}

func (e *hookError) Error() string { return e.message }

func newHook(t testing.TB) *hook {
	h := &hook{secret: pool.NewTriggerSecret()}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	ts := r.Header.Get("X-Linkpool-Timestamp")
	mac := hmac.New(sha256.New, []byte(h.secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	if err != nil || !hmac.Equal([]byte(r.Header.Get("X-Linkpool-Signature")), []byte("v1="+hex.EncodeToString(mac.Sum(nil)))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var head events.CognitoEventUserPoolsHeader
	_ = json.Unmarshal(body, &head)
	h.mu.Lock()
	h.sources = append(h.sources, head.TriggerSource)
	handle := h.handle
	h.mu.Unlock()
	out, err := handle(body)
	var he *hookError
	if errors.As(err, &he) {
		w.WriteHeader(he.status)
		if he.raw != "" {
			io.WriteString(w, he.raw)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"errorMessage": he.message})
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (h *hook) set(handle func(body []byte) (any, error)) {
	h.mu.Lock()
	h.handle = handle
	h.mu.Unlock()
}

// calls returns the triggerSource of every event received and forgets
// them.
func (h *hook) calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sources
	h.sources = nil
	return s
}

// v2 answers version 2 events with fn's changes.
func v2(t testing.TB, fn func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0)) func([]byte) (any, error) {
	return func(body []byte) (any, error) {
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("event: %v", err)
			return nil, err
		}
		fn(&ev)
		return ev, nil
	}
}

// householdClaims is the documentation's example: the household id for
// the skill in both tokens, the lamps scope in the access token.
func householdClaims(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
	d := &ev.Response.ClaimsAndScopeOverrideDetails
	d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"household_id": "hh-" + ev.Request.UserAttributes["sub"][:8]}
	d.IDTokenGeneration.ClaimsToSuppress = []string{"name"}
	d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"household_id": "hh-" + ev.Request.UserAttributes["sub"][:8], "rooms": []string{"hall", "kitchen"}}
	d.AccessTokenGeneration.ScopesToAdd = []string{"lamps/switch"}
	d.AccessTokenGeneration.ScopesToSuppress = []string{"email"}
}

// tokenLab is a server whose pool "lamps" calls a pre token generation
// webhook and whose pool "plain" has no trigger.
type tokenLab struct {
	kit          *apptest.App
	hook         *hook
	lamps, plain pool.Pool
	// web is a confidential code-grant client of lamps; api a public
	// client of lamps for USER_PASSWORD_AUTH; other a client of plain.
	web, api, other     pool.Client
	secret, otherSecret string
	sub                 string
}

func newTokenLab(t testing.TB, version string, edit ...func(*app.Config)) *tokenLab {
	l := &tokenLab{hook: newHook(t)}
	l.kit = apptest.New(t, append([]func(*app.Config){func(c *app.Config) { c.TokenRatePerMinute = -1 }}, edit...)...)
	l.lamps = l.kit.Pool(t, "eu-west-1", "lamps", func(p *pool.Pool) {
		p.LambdaConfig.PreTokenGenerationConfig = pool.PreTokenGenerationConfig{LambdaVersion: version, LambdaArn: l.hook.srv.URL + "/pre-token"}
		p.TriggerSecret = l.kit.Box.Seal([]byte(l.hook.secret), p.TriggerSecretAAD())
	})
	l.plain = l.kit.Pool(t, "eu-west-1", "plain")
	l.web, l.secret = l.kit.Client(t, l.lamps, "web", []string{rpCallback}, func(c *pool.Client) {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled}
	})
	l.api, _ = l.kit.Client(t, l.lamps, "app", nil, func(c *pool.Client) {
		c.SealedSecret = nil
		c.AllowedOAuthFlows, c.AllowedOAuthScopes, c.AllowedOAuthFlowsUserPoolClient = nil, nil, false
		c.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	})
	l.other, l.otherSecret = l.kit.Client(t, l.plain, "web", []string{rpCallback})
	for _, p := range []pool.Pool{l.lamps, l.plain} {
		res, err := l.kit.Accounts.AdminCreateUser(context.Background(), p, adminCarol())
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == l.lamps.ID {
			l.sub = res.User.Sub
		}
	}
	l.hook.set(v2(t, func(*events.CognitoEventUserPoolsPreTokenGenV2_0) {}))
	return l
}

// adminCarol is the user of the pre token generation tests.
func adminCarol() account.AdminCreateUserInput {
	return account.AdminCreateUserInput{
		Username: "carol", TemporaryPassword: "Corr3ct-Horse!", Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "carol@example.com", "name": "Carol"},
	}
}

func (l *tokenLab) oauth(p pool.Pool, c pool.Client, secret string) oauth2.Config {
	base := l.kit.URL + "/" + p.ID
	return oauth2.Config{
		ClientID: c.ID, ClientSecret: secret, RedirectURL: rpCallback,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth2/authorize", TokenURL: base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "email", "profile"},
	}
}

// codeFlow signs carol in on the hosted page and redeems the code.
func (l *tokenLab) codeFlow(t *testing.T, cfg oauth2.Config) (*oauth2.Token, error) {
	t.Helper()
	cb := signIn(t, apptest.Browser("http://localhost:4000/"), cfg.AuthCodeURL("st"), "carol", "Corr3ct-Horse!")
	return cfg.Exchange(context.Background(), cb.Query().Get("code"))
}

// refresh runs the refresh grant as x/oauth2 does for an expired token.
func refresh(cfg oauth2.Config, tok *oauth2.Token) (*oauth2.Token, error) {
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	return cfg.TokenSource(context.Background(), &expired).Token()
}

func idToken(t *testing.T, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	return apptest.JWTClaims(t, raw)
}

// TestPreTokenGenerationV2 customises both tokens through the hosted
// pages' code flow, the token endpoint's refresh and the JSON API's
// sign-in and refresh, each with its trigger source.
func TestPreTokenGenerationV2(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV2)
	var requests []events.CognitoEventUserPoolsPreTokenGenV2_0
	l.hook.set(v2(t, func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
		requests = append(requests, *ev)
		householdClaims(ev)
	}))
	cfg := l.oauth(l.lamps, l.web, l.secret)
	tok, err := l.codeFlow(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	household := "hh-" + l.sub[:8]
	check := func(tok *oauth2.Token) {
		t.Helper()
		id, access := idToken(t, tok), apptest.JWTClaims(t, tok.AccessToken)
		if id["household_id"] != household || id["name"] != nil || id["email"] != "carol@example.com" || id["sub"] != l.sub || id["token_use"] != "id" {
			t.Errorf("ID token claims %v", id)
		}
		if access["household_id"] != household || !reflect.DeepEqual(access["rooms"], []any{"hall", "kitchen"}) ||
			access["scope"] != "openid profile lamps/switch" || access["client_id"] != l.web.ID || access["token_use"] != "access" {
			t.Errorf("access token claims %v", access)
		}
	}
	check(tok)
	fresh, err := refresh(cfg, tok)
	if err != nil {
		t.Fatal(err)
	}
	check(fresh)
	if got := l.hook.calls(); !slices.Equal(got, []string{trigger.SourceTokenHostedAuth, trigger.SourceTokenRefresh}) {
		t.Errorf("trigger sources %v", got)
	}
	r := requests[0]
	if r.Version != "2" || r.UserName != "carol" || r.UserPoolID != l.lamps.ID || r.CallerContext.ClientID != l.web.ID ||
		r.Request.UserAttributes["email"] != "carol@example.com" || r.Request.UserAttributes["sub"] != l.sub ||
		!slices.Equal(r.Request.Scopes, []string{"openid", "email", "profile"}) {
		t.Errorf("event %+v", r)
	}

	// The JSON API: InitiateAuth and REFRESH_TOKEN_AUTH.
	api := l.sdk()
	out, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(l.api.ID),
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Corr3ct-Horse!"},
		ClientMetadata: map[string]string{"skill": "lamps"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := requests[2]; r.Request.ClientMetadata["skill"] != "lamps" || r.CallerContext.ClientID != l.api.ID ||
		!strings.HasPrefix(r.CallerContext.AWSSDKVersion, "aws-sdk-go-v2-") || requests[0].CallerContext.AWSSDKVersion != trigger.UnknownSDK {
		t.Errorf("API event %+v", r)
	}
	access := apptest.JWTClaims(t, *out.AuthenticationResult.AccessToken)
	if access["household_id"] != household || access["scope"] != "aws.cognito.signin.user.admin lamps/switch" {
		t.Errorf("API access token %v", access)
	}
	if id := apptest.JWTClaims(t, *out.AuthenticationResult.IdToken); id["household_id"] != household {
		t.Errorf("API ID token %v", id)
	}
	ref, err := api.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(l.api.ID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": *out.AuthenticationResult.RefreshToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	if id := apptest.JWTClaims(t, *ref.AuthenticationResult.IdToken); id["household_id"] != household {
		t.Errorf("API refreshed ID token %v", id)
	}
	if got := l.hook.calls(); !slices.Equal(got, []string{trigger.SourceTokenAuthentication, trigger.SourceTokenRefresh}) {
		t.Errorf("API trigger sources %v", got)
	}
}

func (l *tokenLab) sdk() *cip.Client {
	return cip.New(cip.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(l.kit.URL), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
	})
}

// TestPreTokenGenerationV1 changes the ID token only, with string
// claims, and the groups of both tokens.
func TestPreTokenGenerationV1(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV1)
	var got events.CognitoEventUserPoolsPreTokenGen
	l.hook.set(func(body []byte) (any, error) {
		if err := json.Unmarshal(body, &got); err != nil {
			return nil, err
		}
		ev := got
		ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = map[string]string{"household_id": "hh-1"}
		ev.Response.ClaimsOverrideDetails.GroupOverrideDetails.GroupsToOverride = []string{"owners"}
		return ev, nil
	})
	tok, err := l.codeFlow(t, l.oauth(l.lamps, l.web, l.secret))
	if err != nil {
		t.Fatal(err)
	}
	id, access := idToken(t, tok), apptest.JWTClaims(t, tok.AccessToken)
	if id["household_id"] != "hh-1" || !reflect.DeepEqual(id["cognito:groups"], []any{"owners"}) {
		t.Errorf("ID token %v", id)
	}
	if access["household_id"] != nil || !reflect.DeepEqual(access["cognito:groups"], []any{"owners"}) {
		t.Errorf("access token %v", access)
	}
	if got.Version != "1" || got.TriggerSource != trigger.SourceTokenHostedAuth || got.Request.UserAttributes["name"] != "Carol" {
		t.Errorf("event %+v", got)
	}
}

// TestPreTokenGenerationFailures: a trigger error, a timeout, a malformed
// answer and a forbidden claim each fail the refresh with a server-side
// error, never invalid_grant, and leave the grant as it was; a code
// exchange fails alike and stores no grant; the JSON API answers
// Cognito's exception and issues nothing.
func TestPreTokenGenerationFailures(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV2, func(c *app.Config) { c.Triggers.Timeout = 300 * time.Millisecond })
	cfg := l.oauth(l.lamps, l.web, l.secret)
	tok, err := l.codeFlow(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	grantID, _, _ := strings.Cut(tok.RefreshToken, ".")
	before, err := l.kit.DB.GetRefreshGrant(context.Background(), grantID)
	if err != nil {
		t.Fatal(err)
	}
	signedIn, err := l.sdk().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(l.api.ID),
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Corr3ct-Horse!"},
	})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	cases := []struct {
		name       string
		handle     func([]byte) (any, error)
		status     int
		oauthError string
		exception  string
		message    string
	}{
		{"function error", func([]byte) (any, error) {
			return nil, &hookError{status: 400, message: "household unknown"}
		}, 500, "server_error", trigger.UserLambdaValidationException, "PreTokenGeneration failed with error household unknown."},
		{"timeout", func([]byte) (any, error) {
			<-release
			return nil, errors.New("late")
		}, 503, "temporarily_unavailable", trigger.UnexpectedLambdaException, "PreTokenGeneration invocation failed due to error Socket timeout while invoking Lambda function."},
		{"malformed", func([]byte) (any, error) {
			return nil, &hookError{status: 200, raw: `["not", "an", "event"]`}
		}, 500, "server_error", trigger.InvalidLambdaResponseException, "Unrecognizable lambda output"},
		{"forbidden claim", v2(t, func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{"sub": "someone-else"}
		}), 500, "server_error", trigger.InvalidLambdaResponseException, `Invalid lambda response: claim "sub" cannot be added, overridden or suppressed.`},
		{"forbidden suppression", v2(t, func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToSuppress = []string{"cognito:username"}
		}), 500, "server_error", trigger.InvalidLambdaResponseException, `Invalid lambda response: claim "cognito:username" cannot be added, overridden or suppressed.`},
		{"forbidden scope", v2(t, func(ev *events.CognitoEventUserPoolsPreTokenGenV2_0) {
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = []string{"aws.cognito.signin.user.admin"}
		}), 500, "server_error", trigger.InvalidLambdaResponseException, "Invalid lambda response: scope aws.cognito.signin.user.admin cannot be added."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l.hook.set(tc.handle)
			_, err := refresh(cfg, tok)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.Response.StatusCode != tc.status || re.ErrorCode != tc.oauthError || re.ErrorDescription != tc.message {
				t.Fatalf("refresh: %v", err)
			}
			// The hosted pages' sign-in: the code exchange fails alike.
			if _, err := l.codeFlow(t, cfg); !errors.As(err, &re) || re.Response.StatusCode != tc.status || re.ErrorCode != tc.oauthError {
				t.Fatalf("code exchange: %v", err)
			}
			after, err := l.kit.DB.GetRefreshGrant(context.Background(), grantID)
			if err != nil || !reflect.DeepEqual(after.Token, before.Token) {
				t.Fatalf("the grant changed: %+v, was %+v (%v)", after.Token, before.Token, err)
			}
			_, err = l.sdk().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(l.api.ID),
				AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Corr3ct-Horse!"},
			})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.exception || ae.ErrorMessage() != tc.message {
				t.Fatalf("InitiateAuth: %v", err)
			}
			_, err = l.sdk().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(l.api.ID),
				AuthParameters: map[string]string{"REFRESH_TOKEN": *signedIn.AuthenticationResult.RefreshToken},
			})
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.exception || ae.ErrorMessage() != tc.message {
				t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
			}
			grants, err := l.kit.DB.ListRefreshTokens(context.Background(), l.lamps.ID, l.sub)
			if err != nil || len(grants) != 2 {
				t.Fatalf("grants of carol: %d (%v), want the code flow's and the first API sign-in's only", len(grants), err)
			}
		})
	}
	l.hook.set(v2(t, householdClaims))
	if fresh, err := refresh(cfg, tok); err != nil || apptest.JWTClaims(t, fresh.AccessToken)["household_id"] == nil {
		t.Fatalf("refresh once the trigger answers: %v", err)
	}
}

// TestSlowTriggerDoesNotBlockOtherPools holds a trigger of one pool and
// refreshes tokens of another pool meanwhile.
func TestSlowTriggerDoesNotBlockOtherPools(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV2)
	lampsCfg, plainCfg := l.oauth(l.lamps, l.web, l.secret), l.oauth(l.plain, l.other, l.otherSecret)
	held, err := l.codeFlow(t, lampsCfg)
	if err != nil {
		t.Fatal(err)
	}
	other, err := l.codeFlow(t, plainCfg)
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	l.hook.set(func(body []byte) (any, error) {
		close(entered)
		<-release
		return v2(t, householdClaims)(body)
	})
	done := make(chan error, 1)
	go func() {
		_, err := refresh(lampsCfg, held)
		done <- err
	}()
	<-entered
	for range 3 {
		if _, err := refresh(plainCfg, other); err != nil {
			t.Fatalf("refresh of the other pool while the trigger is held: %v", err)
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the held refresh finished before its trigger answered: %v", err)
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("held refresh: %v", err)
	}
}

// TestSlowTriggerAnswersWithinTokenBudget: a trigger that does not
// answer within the token endpoint's budget (app.DefaultOAuthTimeout,
// below the 5 s trigger limit and Alexa's 4.5 s) fails the refresh with
// temporarily_unavailable while the trigger is still held, never
// invalid_grant; the grant stays usable.
func TestSlowTriggerAnswersWithinTokenBudget(t *testing.T) {
	l := newTokenLab(t, pool.PreTokenV2)
	cfg := l.oauth(l.lamps, l.web, l.secret)
	tok, err := l.codeFlow(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	l.hook.set(func([]byte) (any, error) {
		<-release
		return nil, errors.New("late")
	})
	_, err = refresh(cfg, tok)
	close(release)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable || re.ErrorCode != "temporarily_unavailable" ||
		re.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("refresh with a held trigger: %v", err)
	}
	l.hook.set(v2(t, householdClaims))
	if _, err := refresh(cfg, tok); err != nil {
		t.Fatalf("refresh once the trigger answers: %v", err)
	}
}
