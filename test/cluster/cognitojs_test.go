package cluster_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
	"github.com/linkpool/linkpool/verify"
)

// The users of the JavaScript scenario and their passwords (Cognito's
// default policy).
const (
	jsUser         = "ada"
	jsPassword     = "Ada-Lovelace-1!"
	jsUnconfirmed  = "bob"
	jsAdminUser    = "carol"
	jsTemporaryPW  = "Temp-Carol-1!"
	jsNewPassword  = "Carol-Changed-2!"
	jsAdminName    = "Carol Admin"
	apiAccessScope = "aws.cognito.signin.user.admin"
)

// TestCognitoJSUserPasswordAuth runs test/cognitojs/flows.js, which
// drives amazon-cognito-identity-js as an app does, against `linkpool
// serve` with authenticationFlowType USER_PASSWORD_AUTH: sign-up with
// the mailed code, sign-in, GetUser, refresh, global sign-out and the
// old tokens refused, and the refused sign-ins.
func TestCognitoJSUserPasswordAuth(t *testing.T) {
	a := newJSApp(t)
	steps := a.run(t, "--auth-flow", "USER_PASSWORD_AUTH")
	a.checkScenario(t, steps, "USER_PASSWORD_AUTH", false)
}

// TestCognitoJSSRP runs the same scenario with the library's default
// flow, USER_SRP_AUTH (the SRP exchange: InitiateAuth with SRP_A, the
// PASSWORD_VERIFIER challenge answered by RespondToAuthChallenge), and an
// administrator-created user who must replace the temporary password
// (NEW_PASSWORD_REQUIRED, completeNewPasswordChallenge).
func TestCognitoJSSRP(t *testing.T) {
	a := newJSApp(t)
	a.d.cli(t, "user", "create", "--pool", a.poolID, "--username", jsAdminUser, "--email", jsAdminUser+"@example.com",
		"--temporary-password", jsTemporaryPW)
	steps := a.run(t, "--admin-username", jsAdminUser, "--admin-temporary-password", jsTemporaryPW,
		"--admin-new-password", jsNewPassword, "--admin-name", jsAdminName)
	a.checkScenario(t, steps, "USER_SRP_AUTH", true)
}

// jsApp is a `linkpool serve` on SQLite with mail to a capturing SMTP
// server, a pool, and an app client as a JavaScript app has one: no
// secret, the SRP, password and refresh flows, PreventUserExistenceErrors
// ENABLED.
type jsApp struct {
	d                *deployment
	in               *instance
	mails            *smtptest.Server
	poolID, clientID string
	endpoint, issuer string
	accessV          *verify.Verifier
	idV              *oidc.IDTokenVerifier
	node, dir        string
	// codeAsked: flows.js asked for the mailed code, and the user was
	// UNCONFIRMED then.
	codeAsked bool
	// totp answers mfa.js's requests for the authenticator's codes.
	totp jsTOTP
}

func newJSApp(t *testing.T) *jsApp {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster test (runs the linkpool binary): -short")
	}
	node, dir := apptest.RequireNode(t, filepath.Join("..", "cognitojs"))
	a := &jsApp{node: node, dir: dir, mails: smtptest.New(t, smtptest.Options{})}
	a.d, _ = sqliteDeployment(t)
	a.d.addr = apptest.FreeAddr(t)
	a.d.publicURL, a.d.smtpURL = "http://"+a.d.addr, a.mails.URL

	var p struct{ Id string }
	if err := json.Unmarshal([]byte(a.d.cli(t, "pool", "create", "--name", "jsapp", "--json")), &p); err != nil || p.Id == "" {
		t.Fatalf("pool create: %v", err)
	}
	var c struct{ ClientId string }
	out := a.d.cli(t, "client", "create", "--pool", p.Id, "--name", "web-app",
		"--explicit-auth-flows", "ALLOW_USER_SRP_AUTH,ALLOW_USER_PASSWORD_AUTH,ALLOW_REFRESH_TOKEN_AUTH",
		"--prevent-user-existence-errors", "ENABLED", "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientId == "" {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	a.poolID, a.clientID = p.Id, c.ClientId
	a.in = a.d.start(t, "cognitojs")
	a.endpoint = a.d.publicURL + "/"
	a.issuer = a.d.publicURL + "/" + a.poolID

	v, err := verify.New(verify.Config{Issuer: a.issuer, ClientIDs: []string{a.clientID}, RequiredScopes: []string{apiAccessScope}})
	if err != nil {
		t.Fatal(err)
	}
	a.accessV = v
	keys := oidc.NewRemoteKeySet(context.Background(), a.issuer+"/.well-known/jwks.json")
	a.idV = oidc.NewVerifier(a.issuer, keys, &oidc.Config{ClientID: a.clientID})
	return a
}

// jsTokens are a session's tokens and the claims the library decoded.
type jsTokens struct {
	IDToken      string         `json:"idToken"`
	AccessToken  string         `json:"accessToken"`
	RefreshToken string         `json:"refreshToken"`
	IDClaims     map[string]any `json:"idClaims"`
	AccessClaims map[string]any `json:"accessClaims"`
}

// jsStep is one line flows.js printed.
type jsStep struct {
	Step string `json:"step"`
	jsTokens
	AuthFlow            string            `json:"authFlow"`
	Result              string            `json:"result"`
	Username            string            `json:"username"`
	UserConfirmed       *bool             `json:"userConfirmed"`
	UserSub             string            `json:"userSub"`
	CodeDeliveryDetails map[string]string `json:"codeDeliveryDetails"`
	Attributes          map[string]string `json:"attributes"`
	UserAttributes      map[string]any    `json:"userAttributes"`
	RequiredAttributes  []string          `json:"requiredAttributes"`
	ChallengeName       string            `json:"challengeName"`
	ChallengeParameters map[string]string `json:"challengeParameters"`
	SecretLength        int               `json:"secretLength"`
	Error               *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// run runs flows.js with the app's endpoint, pool, client and users and
// extra arguments, answers its requests for the mailed code, and returns
// its steps by name. The test fails if the script does.
func (a *jsApp) run(t *testing.T, extra ...string) map[string]jsStep {
	t.Helper()
	return a.runScript(t, "flows.js", append([]string{"--endpoint", a.endpoint, "--user-pool-id", a.poolID, "--client-id", a.clientID,
		"--username", jsUser, "--email", jsUser + "@example.com", "--password", jsPassword,
		"--unconfirmed-username", jsUnconfirmed, "--unconfirmed-email", jsUnconfirmed + "@example.com"}, extra...))
}

// runScript runs a script of test/cognitojs that speaks flows.js's
// protocol (amplify.mjs too) with args, answers its requests for the
// mailed code, and returns its steps by name. The test fails if the
// script does.
func (a *jsApp) runScript(t *testing.T, script string, args []string) map[string]jsStep {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.node, append([]string{script}, args...)...)
	cmd.Dir = a.dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	steps := map[string]jsStep{}
	var order []string
	var problem error
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && problem == nil {
		line := sc.Bytes()
		var need jsNeed
		if err := json.Unmarshal(line, &need); err != nil {
			problem = fmt.Errorf("not a JSON line: %q", line)
			break
		}
		if need.Need != "" {
			problem = a.answer(ctx, t, stdin, need)
			continue
		}
		var s jsStep
		if err := json.Unmarshal(line, &s); err != nil || s.Step == "" {
			problem = fmt.Errorf("not a step: %q (%v)", line, err)
			break
		}
		if _, dup := steps[s.Step]; dup {
			problem = fmt.Errorf("step %s printed twice", s.Step)
		}
		steps[s.Step] = s
		order = append(order, s.Step)
	}
	if problem != nil {
		_ = cmd.Process.Kill()
	}
	stdin.Close()
	err = cmd.Wait()
	if problem == nil && err != nil {
		problem = fmt.Errorf("%s: %v", script, err)
	}
	if problem != nil {
		t.Fatalf("%v\nsteps done: %s\nstandard error:\n%s", problem, strings.Join(order, ", "), stderr.String())
	}
	if len(order) == 0 || order[len(order)-1] != "done" {
		t.Fatalf("%s stopped after %s", script, strings.Join(order, ", "))
	}
	t.Logf("%s steps: %s", script, strings.Join(order, ", "))
	return steps
}

// jsNeed is a script's request for something only the test has: the
// mailed code ("code", To and Username), or a code of the authenticator
// app whose Secret the script was given ("totp", "wrongTotp").
type jsNeed struct{ Need, To, Username, Secret string }

// answer answers one request of a script. For the mailed code it
// checks, as an operator would, that the user is UNCONFIRMED until the
// code is used; the authenticator's codes are jsTOTP's.
func (a *jsApp) answer(ctx context.Context, t *testing.T, stdin io.Writer, need jsNeed) error {
	var answer string
	switch need.Need {
	case "code":
		code, err := waitCode(ctx, a.mails, need.To)
		if err != nil {
			return err
		}
		if st := a.user(t, need.Username).UserStatus; st != "UNCONFIRMED" {
			return fmt.Errorf("after SignUp %s is %s, want UNCONFIRMED", need.Username, st)
		}
		a.codeAsked = true
		answer = code
	case "totp", "wrongTotp":
		code, err := a.totp.answer(ctx, need.Need == "wrongTotp", need.Secret)
		if err != nil {
			return err
		}
		answer = code
	default:
		return fmt.Errorf("the script needs %q, which this test does not know", need.Need)
	}
	_, err := stdin.Write([]byte(answer + "\n"))
	return err
}

// shownUser is `linkpool user show --json`.
type shownUser struct {
	Sub        string
	Username   string
	UserStatus string
	Attributes map[string]string
}

func (a *jsApp) user(t *testing.T, username string) shownUser {
	t.Helper()
	var u shownUser
	if err := json.Unmarshal([]byte(a.d.cli(t, "user", "show", "--pool", a.poolID, "--username", username, "--json")), &u); err != nil {
		t.Fatalf("user show: %v", err)
	}
	return u
}

// checkScenario checks every step flows.js printed.
func (a *jsApp) checkScenario(t *testing.T, steps map[string]jsStep, flow string, adminSteps bool) {
	t.Helper()
	want := []string{"signUp", "confirmRegistration", "authenticateUser", "getUserAttributes", "refreshSession",
		"globalSignOut", "revokedAccessToken", "revokedRefreshToken"}
	if adminSteps {
		want = append(want, "newPasswordRequired", "completeNewPasswordChallenge", "signInNewPassword", "temporaryPassword")
	}
	want = append(want, "wrongPassword", "unknownUser", "signUpUnconfirmed", "unconfirmedUser", "done")
	for _, s := range want {
		if _, ok := steps[s]; !ok {
			t.Fatalf("flows.js did not print step %s", s)
		}
	}
	if len(steps) != len(want) {
		t.Errorf("flows.js printed %d steps, want %d", len(steps), len(want))
	}

	// a, b: the sign-up, UNCONFIRMED until the mailed code confirmed it.
	up := steps["signUp"]
	if up.UserConfirmed == nil || *up.UserConfirmed || up.UserSub == "" || up.Username != jsUser {
		t.Errorf("signUp: %+v", up)
	}
	if d := up.CodeDeliveryDetails; d["DeliveryMedium"] != "EMAIL" || d["AttributeName"] != "email" || d["Destination"] == "" || d["Destination"] == jsUser+"@example.com" {
		t.Errorf("signUp CodeDeliveryDetails %v, want EMAIL to the email attribute, the address masked", d)
	}
	if !a.codeAsked {
		t.Error("the code was never asked for")
	}
	if r := steps["confirmRegistration"].Result; r != "SUCCESS" {
		t.Errorf("confirmRegistration: %q", r)
	}
	if u := a.user(t, jsUser); u.UserStatus != "CONFIRMED" || u.Sub != up.UserSub || u.Attributes["email_verified"] != "true" {
		t.Errorf("after confirmRegistration: %+v, want CONFIRMED with sub %s and the email verified", u, up.UserSub)
	}

	// c: the sign-in's tokens.
	auth := steps["authenticateUser"]
	if auth.AuthFlow != flow {
		t.Errorf("authenticateUser ran %s, want %s", auth.AuthFlow, flow)
	}
	first := a.checkTokens(t, "authenticateUser", auth.jsTokens, jsUser, up.UserSub)
	if first.id["email"] != jsUser+"@example.com" || first.id["email_verified"] != true {
		t.Errorf("ID token email %v verified %v", first.id["email"], first.id["email_verified"])
	}

	// d: GetUser, the refresh, the global sign-out and the old tokens.
	if attrs := steps["getUserAttributes"].Attributes; attrs["sub"] != up.UserSub || attrs["email"] != jsUser+"@example.com" || attrs["email_verified"] != "true" {
		t.Errorf("getUserAttributes: %v", attrs)
	}
	ref := steps["refreshSession"]
	second := a.checkTokens(t, "refreshSession", ref.jsTokens, jsUser, up.UserSub)
	if ref.RefreshToken != auth.RefreshToken {
		t.Error("refreshSession changed the refresh token of a client without rotation")
	}
	if second.access["jti"] == first.access["jti"] {
		t.Error("the refreshed access token has the first one's jti")
	}
	for _, c := range []string{"origin_jti", "auth_time"} {
		if second.access[c] != first.access[c] || second.id[c] != first.id[c] {
			t.Errorf("refreshed tokens' %s %v/%v, want the sign-in's %v", c, second.access[c], second.id[c], first.access[c])
		}
	}
	if r := steps["globalSignOut"].Result; r != "SUCCESS" {
		t.Errorf("globalSignOut: %q", r)
	}
	a.wantError(t, steps, "revokedAccessToken", "NotAuthorizedException", "Access Token has been revoked")
	a.wantError(t, steps, "revokedRefreshToken", "NotAuthorizedException", "")
	if _, err := a.accessV.Verify(context.Background(), auth.AccessToken); err != nil {
		t.Errorf("the signed-out access token no longer verifies offline (%v): only the server knows it is revoked", err)
	}

	// e: the administrator-created user's new password and attributes.
	if adminSteps {
		admin := a.user(t, jsAdminUser)
		np := steps["newPasswordRequired"]
		if np.UserAttributes["email"] != jsAdminUser+"@example.com" || np.RequiredAttributes == nil {
			t.Errorf("newPasswordRequired: userAttributes %v requiredAttributes %v", np.UserAttributes, np.RequiredAttributes)
		}
		a.checkTokens(t, "completeNewPasswordChallenge", steps["completeNewPasswordChallenge"].jsTokens, jsAdminUser, admin.Sub)
		in := steps["signInNewPassword"]
		a.checkTokens(t, "signInNewPassword", in.jsTokens, jsAdminUser, admin.Sub)
		if in.Attributes["name"] != jsAdminName || in.Attributes["sub"] != admin.Sub {
			t.Errorf("after the challenge GetUser shows %v, want name %q", in.Attributes, jsAdminName)
		}
		if admin.UserStatus != "CONFIRMED" {
			t.Errorf("%s is %s after the new password, want CONFIRMED", jsAdminUser, admin.UserStatus)
		}
		a.wantError(t, steps, "temporaryPassword", "NotAuthorizedException", "Incorrect username or password.")
	}

	// f: the refusals.
	a.wantError(t, steps, "wrongPassword", "NotAuthorizedException", "Incorrect username or password.")
	a.wantError(t, steps, "unknownUser", "NotAuthorizedException", "Incorrect username or password.")
	a.wantError(t, steps, "unconfirmedUser", "UserNotConfirmedException", "User is not confirmed.")
	if u := a.user(t, jsUnconfirmed); u.UserStatus != "UNCONFIRMED" {
		t.Errorf("%s is %s, want UNCONFIRMED", jsUnconfirmed, u.UserStatus)
	}

	secrets := []string{jsPassword, jsTemporaryPW, jsNewPassword, auth.RefreshToken, auth.AccessToken, auth.IDToken}
	if err := apptest.FindSecret(a.in.log.String(), secrets...); err != nil {
		t.Error(err)
	}
}

func (a *jsApp) wantError(t *testing.T, steps map[string]jsStep, step, code, message string) {
	t.Helper()
	e := steps[step].Error
	if e == nil || e.Code != code || (message != "" && e.Message != message) {
		t.Errorf("%s: refused with %+v, want %s %q", step, e, code, message)
	}
}

// verified are the claims of a session's tokens after their signatures
// verified with the pool's key set.
type verified struct{ id, access map[string]any }

// checkTokens verifies a session's tokens with the pool's JWKS (the
// access token with the verify package, the ID token with go-oidc),
// checks the claims an app relies on, and that the library decoded the
// same claims.
func (a *jsApp) checkTokens(t *testing.T, step string, tk jsTokens, username, sub string) verified {
	t.Helper()
	ctx := context.Background()
	ident, err := a.accessV.Verify(ctx, tk.AccessToken)
	if err != nil {
		t.Fatalf("%s: access token: %v", step, err)
	}
	idt, err := a.idV.Verify(ctx, tk.IDToken)
	if err != nil {
		t.Fatalf("%s: ID token: %v", step, err)
	}
	var v verified
	if err := idt.Claims(&v.id); err != nil {
		t.Fatal(err)
	}
	// The signature verified; the payload is what it signed.
	v.access = apptest.JWTClaims(t, tk.AccessToken)
	if tk.RefreshToken == "" {
		t.Errorf("%s: no refresh token", step)
	}

	ac, id := v.access, v.id
	if ident.Sub != sub || ident.Username != username || ident.ClientID != a.clientID || ac["token_use"] != "access" ||
		!slices.Contains(ident.Scopes, apiAccessScope) || ident.AuthTime.IsZero() || ident.OriginJTI == "" || ident.JTI == "" {
		t.Errorf("%s: access token %+v, claims %v", step, ident, ac)
	}
	if s, _ := ac["event_id"].(string); s == "" {
		t.Errorf("%s: access token without event_id: %v", step, ac)
	}
	if id["token_use"] != "id" || id["sub"] != sub || id["cognito:username"] != username || id["aud"] != a.clientID {
		t.Errorf("%s: ID token claims %v", step, id)
	}
	for _, c := range []string{"origin_jti", "event_id", "auth_time"} {
		if id[c] == nil || id[c] != ac[c] {
			t.Errorf("%s: %s of the ID token %v, of the access token %v: want the same", step, c, id[c], ac[c])
		}
	}
	if !reflect.DeepEqual(tk.AccessClaims, ac) || !reflect.DeepEqual(tk.IDClaims, id) {
		t.Errorf("%s: the library decoded other claims than the tokens carry:\naccess %v\nwant   %v\nid     %v\nwant   %v", step, tk.AccessClaims, ac, tk.IDClaims, id)
	}
	return v
}
