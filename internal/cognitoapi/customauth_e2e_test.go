package cognitoapi_test

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
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// lampQuiz is a custom authentication written for Cognito with
// aws-lambda-go, behind webhooks on loopback: the user must name the
// colour of a lamp; three wrong answers fail the sign-in.
type lampQuiz struct {
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	defines  []events.CognitoEventUserPoolsDefineAuthChallengeRequest
	verifyUp bool // the verify trigger answers; false: it reports an error
	// auths are the sources of the pre and post authentication events;
	// banned refuses pre authentication.
	auths  []string
	banned bool
}

func newLampQuiz(t *testing.T) *lampQuiz {
	q := &lampQuiz{secret: pool.NewTriggerSecret(), verifyUp: true}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /define", q.handle(func(body []byte) (any, error) {
		var ev events.CognitoEventUserPoolsDefineAuthChallenge
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, err
		}
		q.mu.Lock()
		q.defines = append(q.defines, ev.Request)
		q.mu.Unlock()
		s := ev.Request.Session
		last := func() *events.CognitoEventUserPoolsChallengeResult { return s[len(s)-1] }
		switch {
		case ev.Request.UserNotFound:
			ev.Response.FailAuthentication = true
		case len(s) == 1 && s[0].ChallengeName == "SRP_A":
			ev.Response.ChallengeName = "PASSWORD_VERIFIER"
		case len(s) > 0 && last().ChallengeName == "PASSWORD_VERIFIER" && last().ChallengeResult:
			ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
		case len(s) > 0 && last().ChallengeName == "PASSWORD_VERIFIER":
			ev.Response.FailAuthentication = true
		case len(s) > 0 && last().ChallengeResult:
			ev.Response.IssueTokens = true
		case len(s) >= 3:
			ev.Response.FailAuthentication = true
		default:
			ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
		}
		return ev, nil
	}))
	mux.HandleFunc("POST /create", q.handle(func(body []byte) (any, error) {
		var ev events.CognitoEventUserPoolsCreateAuthChallenge
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, err
		}
		n := strconv.Itoa(len(ev.Request.Session))
		ev.Response.PublicChallengeParameters = map[string]string{"question": "Colour of lamp " + n + "?"}
		ev.Response.PrivateChallengeParameters = map[string]string{"answer": "amber-" + n}
		ev.Response.ChallengeMetadata = "lamp-" + n
		return ev, nil
	}))
	mux.HandleFunc("POST /verify", q.handle(func(body []byte) (any, error) {
		var ev events.CognitoEventUserPoolsVerifyAuthChallenge
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, err
		}
		q.mu.Lock()
		up := q.verifyUp
		q.mu.Unlock()
		if !up {
			return nil, errors.New("quiz master away")
		}
		ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
		return ev, nil
	}))
	mux.HandleFunc("POST /auth", q.handle(func(body []byte) (any, error) {
		var ev events.CognitoEventUserPoolsPreAuthentication
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, err
		}
		q.mu.Lock()
		defer q.mu.Unlock()
		q.auths = append(q.auths, ev.TriggerSource)
		if q.banned && ev.TriggerSource == "PreAuthentication_Authentication" {
			return nil, errors.New(ev.UserName + " is banned")
		}
		return json.RawMessage(body), nil
	}))
	q.srv = httptest.NewServer(mux)
	t.Cleanup(q.srv.Close)
	return q
}

func (q *lampQuiz) authSources() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.auths)
}

// handle checks linkpool's signature and answers with fn's event, or
// with Lambda's error shape.
func (q *lampQuiz) handle(fn func([]byte) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(q.secret))
		mac.Write([]byte(r.Header.Get("X-Linkpool-Timestamp") + "."))
		mac.Write(body)
		if !hmac.Equal([]byte(r.Header.Get("X-Linkpool-Signature")), []byte("v1="+hex.EncodeToString(mac.Sum(nil)))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		out, err := fn(body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error()})
			return
		}
		json.NewEncoder(w).Encode(out)
	}
}

func (q *lampQuiz) lastDefine() events.CognitoEventUserPoolsDefineAuthChallengeRequest {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.defines[len(q.defines)-1]
}

// quizEnv is a server with a pool whose custom authentication is
// lampQuiz, and its user dora.
func quizEnv(t *testing.T) (*env, *lampQuiz, pool.Pool) {
	e := newEnv(t)
	q := newLampQuiz(t)
	p := e.kit.Pool(t, "us-east-1", "quiz", func(p *pool.Pool) {
		p.LambdaConfig = pool.LambdaConfig{
			DefineAuthChallenge: q.srv.URL + "/define", CreateAuthChallenge: q.srv.URL + "/create",
			VerifyAuthChallengeResponse: q.srv.URL + "/verify",
			PreAuthentication:           q.srv.URL + "/auth", PostAuthentication: q.srv.URL + "/auth",
		}
		p.TriggerSecret = e.kit.Box.Seal([]byte(q.secret), p.TriggerSecretAAD())
	})
	if _, err := e.app.Accounts.AdminCreateUser(context.Background(), p, account.AdminCreateUserInput{
		Username: "dora", TemporaryPassword: "Corr3ct-Horse!", Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "dora@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	return e, q, p
}

// publicClient creates an app client of p without secret and with the
// given ExplicitAuthFlows.
func publicClient(t *testing.T, e *env, p pool.Pool, name string, flows ...string) pool.Client {
	c, _ := e.kit.Client(t, p, name, nil, func(c *pool.Client) {
		c.SealedSecret = nil
		c.AllowedOAuthFlows, c.AllowedOAuthScopes, c.AllowedOAuthFlowsUserPoolClient = nil, nil, false
		c.ExplicitAuthFlows = flows
	})
	return c
}

// TestCustomAuthWithSDK signs in with CUSTOM_AUTH and CUSTOM_CHALLENGE
// through the real SDK: a wrong and a right answer, the define trigger's
// session list, single-use sessions, a failed sign-in, an unknown user
// hidden by the client, a client without ALLOW_CUSTOM_AUTH and a failing
// verify trigger.
func TestCustomAuthWithSDK(t *testing.T) {
	ctx := context.Background()
	e, q, p := quizEnv(t)
	cl := publicClient(t, e, p, "app", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	noCustom := publicClient(t, e, p, "password-only", "ALLOW_USER_PASSWORD_AUTH")
	sdk := e.sdk("")
	start := func(clientID, username string) (*cip.InitiateAuthOutput, error) {
		return sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(clientID),
			AuthParameters: map[string]string{"USERNAME": username}, ClientMetadata: map[string]string{"device": "hall"},
		})
	}
	answer := func(session *string, ans string) (*cip.RespondToAuthChallengeOutput, error) {
		return sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "dora", "ANSWER": ans},
		})
	}

	out, err := start(cl.ID, "dora")
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["question"] != "Colour of lamp 0?" ||
		out.ChallengeParameters["USERNAME"] != "dora" || out.ChallengeParameters["answer"] != "" || len(out.ChallengeParameters) != 2 {
		t.Fatalf("first challenge %+v", out)
	}
	if d := q.lastDefine(); len(d.Session) != 0 || d.UserNotFound || d.UserAttributes["email"] != "dora@example.com" || d.ClientMetadata["device"] != "hall" {
		t.Fatalf("define request %+v", d)
	}
	wrong, err := answer(out.Session, "blue")
	if err != nil {
		t.Fatal(err)
	}
	if wrong.ChallengeName != types.ChallengeNameTypeCustomChallenge || wrong.ChallengeParameters["question"] != "Colour of lamp 1?" {
		t.Fatalf("second challenge %+v", wrong)
	}
	// The answered session is spent.
	_, err = answer(out.Session, "amber-0")
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	done, err := answer(wrong.Session, "amber-1")
	if err != nil {
		t.Fatal(err)
	}
	if done.AuthenticationResult == nil || done.AuthenticationResult.AccessToken == nil {
		t.Fatalf("no tokens: %+v", done)
	}
	d := q.lastDefine()
	if len(d.Session) != 2 || d.Session[0].ChallengeResult || d.Session[0].ChallengeMetadata != "lamp-0" ||
		!d.Session[1].ChallengeResult || d.Session[1].ChallengeName != "CUSTOM_CHALLENGE" || d.Session[1].ChallengeMetadata != "lamp-1" {
		t.Fatalf("define session list %+v", d.Session)
	}
	me, err := sdk.GetUser(ctx, &cip.GetUserInput{AccessToken: done.AuthenticationResult.AccessToken})
	if err != nil || aws.ToString(me.Username) != "dora" {
		t.Fatalf("GetUser with the custom sign-in's token: %v", err)
	}

	// Three wrong answers fail the sign-in.
	out, err = start(cl.ID, "dora")
	if err != nil {
		t.Fatal(err)
	}
	session := out.Session
	for i := range 3 {
		r, err := answer(session, "red")
		if i == 2 {
			wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		session = r.Session
	}

	// An unknown user: the client hides existence, so the triggers run
	// with userNotFound and the sign-in fails as a wrong answer does.
	_, err = start(cl.ID, "nobody")
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if d := q.lastDefine(); !d.UserNotFound || len(d.UserAttributes) != 0 {
		t.Fatalf("define request for an unknown user %+v", d)
	}

	_, err = start(noCustom.ID, "dora")
	wantAPIError(t, err, "InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client")

	// A failing verify trigger fails the answer with Cognito's exception.
	out, err = start(cl.ID, "dora")
	if err != nil {
		t.Fatal(err)
	}
	q.mu.Lock()
	q.verifyUp = false
	q.mu.Unlock()
	_, err = answer(out.Session, "amber-0")
	wantAPIError(t, err, "UserLambdaValidationException", "VerifyAuthChallengeResponse failed with error quiz master away.")
}

// TestCustomAuthWithSRPWithSDK begins CUSTOM_AUTH with SRP_A: the define
// trigger asks for the password (PASSWORD_VERIFIER, proved with SRP as
// USER_SRP_AUTH does) before its own challenge; a wrong password is a
// failed step it fails the sign-in on.
func TestCustomAuthWithSRPWithSDK(t *testing.T) {
	ctx := context.Background()
	e, q, p := quizEnv(t)
	cl := publicClient(t, e, p, "app", "ALLOW_CUSTOM_AUTH")
	sdk := e.sdk("")
	signIn := func(password string) (*cip.RespondToAuthChallengeOutput, error) {
		sc := srp.NewClient(srp.PoolName(p.ID))
		out, err := sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(cl.ID),
			AuthParameters: map[string]string{"USERNAME": "dora", "SRP_A": sc.SRPA()},
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := q.lastDefine(); out.ChallengeName != types.ChallengeNameTypePasswordVerifier || len(d.Session) != 1 || d.Session[0].ChallengeName != "SRP_A" || !d.Session[0].ChallengeResult {
			t.Fatalf("first step %+v, define session %+v", out, d.Session)
		}
		ps := out.ChallengeParameters
		user := ps["USER_ID_FOR_SRP"]
		key, err := sc.Key(user, password, ps["SRP_B"], ps["SALT"])
		if err != nil {
			t.Fatal(err)
		}
		block := mustStdB64(t, ps["SECRET_BLOCK"])
		ts := srp.FormatTimestamp(e.kit.Clock.Now())
		return sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: out.Session,
			ChallengeResponses: map[string]string{
				"USERNAME": user, "PASSWORD_CLAIM_SECRET_BLOCK": ps["SECRET_BLOCK"], "TIMESTAMP": ts,
				"PASSWORD_CLAIM_SIGNATURE": srp.Signature(key, srp.PoolName(p.ID), user, block, ts),
			},
		})
	}
	ch, err := signIn("Corr3ct-Horse!")
	if err != nil {
		t.Fatal(err)
	}
	if ch.ChallengeName != types.ChallengeNameTypeCustomChallenge || ch.ChallengeParameters["question"] != "Colour of lamp 2?" {
		t.Fatalf("after the password %+v", ch)
	}
	if d := q.lastDefine(); len(d.Session) != 2 || d.Session[1].ChallengeName != "PASSWORD_VERIFIER" || !d.Session[1].ChallengeResult {
		t.Fatalf("define session after the password %+v", d.Session)
	}
	done, err := sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dora", "ANSWER": "amber-2"},
	})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("custom answer: %+v %v", done, err)
	}

	_, err = signIn("Wrong-Horse-1!")
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if d := q.lastDefine(); len(d.Session) != 2 || d.Session[1].ChallengeResult {
		t.Fatalf("define session after a wrong password %+v", d.Session)
	}
}

// TestCustomAuthRunsAuthenticationTriggers: a custom sign-in of a known
// user runs pre authentication before the first challenge and post
// authentication once the tokens are due; pre authentication's refusal
// ends the sign-in with Cognito's error.
func TestCustomAuthRunsAuthenticationTriggers(t *testing.T) {
	ctx := context.Background()
	e, q, p := quizEnv(t)
	cl := publicClient(t, e, p, "app", "ALLOW_CUSTOM_AUTH")
	sdk := e.sdk("")
	start := func() (*cip.InitiateAuthOutput, error) {
		return sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(cl.ID), AuthParameters: map[string]string{"USERNAME": "dora"},
		})
	}
	out, err := start()
	if err != nil {
		t.Fatal(err)
	}
	if got := q.authSources(); !slices.Equal(got, []string{"PreAuthentication_Authentication"}) {
		t.Fatalf("sources after InitiateAuth = %v", got)
	}
	done, err := sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dora", "ANSWER": "amber-0"},
	})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("right answer: %+v %v", done, err)
	}
	if got := q.authSources(); !slices.Equal(got, []string{"PreAuthentication_Authentication", "PostAuthentication_Authentication"}) {
		t.Fatalf("sources after the sign-in = %v", got)
	}
	q.mu.Lock()
	q.banned = true
	q.mu.Unlock()
	_, err = start()
	wantAPIError(t, err, "UserLambdaValidationException", "PreAuthentication failed with error dora is banned.")
}

// TestCustomAuthWithPasswordTakesTheSecondFactor: in a pool that requires
// MFA, a custom sign-in whose define trigger had the password proved
// (SRP_A, PASSWORD_VERIFIER) is a password sign-in, and takes the pool's
// second factor before any token, as Cognito does after a
// PASSWORD_VERIFIER; one of custom challenges alone issues the tokens
// (Cognito applies no MFA to a passwordless custom flow).
func TestCustomAuthWithPasswordTakesTheSecondFactor(t *testing.T) {
	ctx := context.Background()
	e, _, p := quizEnv(t)
	if err := e.app.Store.UpdatePool(ctx, p.ID, func(p pool.Pool) (pool.Pool, error) {
		p.MFA = pool.MFAConfig{Mode: pool.MFAOn, SoftwareToken: true}
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	cl := publicClient(t, e, p, "app", "ALLOW_CUSTOM_AUTH")
	sdk := e.sdk("")

	sc := srp.NewClient(srp.PoolName(p.ID))
	out, err := sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(cl.ID),
		AuthParameters: map[string]string{"USERNAME": "dora", "SRP_A": sc.SRPA()},
	})
	if err != nil || out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("InitiateAuth: %v %+v", err, out)
	}
	ps := out.ChallengeParameters
	user := ps["USER_ID_FOR_SRP"]
	key, err := sc.Key(user, "Corr3ct-Horse!", ps["SRP_B"], ps["SALT"])
	if err != nil {
		t.Fatal(err)
	}
	block := mustStdB64(t, ps["SECRET_BLOCK"])
	ts := srp.FormatTimestamp(e.kit.Clock.Now())
	ch, err := sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: out.Session,
		ChallengeResponses: map[string]string{
			"USERNAME": user, "PASSWORD_CLAIM_SECRET_BLOCK": ps["SECRET_BLOCK"], "TIMESTAMP": ts,
			"PASSWORD_CLAIM_SIGNATURE": srp.Signature(key, srp.PoolName(p.ID), user, block, ts),
		},
	})
	if err != nil || ch.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("after the password: %v %+v", err, ch)
	}
	done, err := sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dora", "ANSWER": "amber-2"},
	})
	if err != nil || done.AuthenticationResult != nil || done.ChallengeName != types.ChallengeNameTypeMfaSetup || aws.ToString(done.Session) == "" {
		t.Fatalf("a custom sign-in with the password in a pool requiring MFA: %v %+v, want MFA_SETUP and no tokens", err, done)
	}

	// Custom challenges alone: the define trigger's verdict stands.
	out, err = sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String(cl.ID),
		AuthParameters: map[string]string{"USERNAME": "dora"},
	})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["question"] != "Colour of lamp 0?" {
		t.Fatalf("InitiateAuth without SRP_A: %v %+v", err, out)
	}
	done, err = sdk.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(cl.ID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "dora", "ANSWER": "amber-0"},
	})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("a passwordless custom sign-in: %v %+v", err, done)
	}
}
