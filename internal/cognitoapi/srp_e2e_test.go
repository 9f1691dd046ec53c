package cognitoapi_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
	"github.com/linkpool/linkpool/internal/testclock"
)

// srpEnv is a mailEnv whose sign-in budgets these tests stay within:
// lockouts are what they look at.
func srpEnv(t testing.TB) (*env, *apptest.Mailbox, *testclock.Clock) {
	r := app.DefaultUIRates
	r.SignUp = app.Rate{PerMinute: 600, Burst: 100}
	r.ForgotPassword = app.Rate{PerMinute: 600, Burst: 100}
	r.Login = app.Rate{PerMinute: 600, Burst: 200}
	r.LoginUser = app.Rate{PerMinute: 600, Burst: 200}
	return mailEnv(t, r)
}

// srpStart runs InitiateAuth USER_SRP_AUTH for username with e's
// confidential client and a fresh client-side SRP state.
func (e *env) srpStart(username string) (*srp.Client, *cip.InitiateAuthOutput, error) {
	cl := srp.NewClient(srp.PoolName(e.pool.ID))
	out, err := e.anon().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.client.ID),
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": cl.SRPA(), "SECRET_HASH": *e.hash(username)},
	})
	return cl, out, err
}

// srpAnswer computes the PASSWORD_VERIFIER answer to a challenge for
// password at time at, as amazon-cognito-identity-js does: the key from
// SRP_B and SALT for USER_ID_FOR_SRP, the signature over the secret
// block and the timestamp.
func (e *env) srpAnswer(t *testing.T, cl *srp.Client, ch *cip.InitiateAuthOutput, password string, at time.Time) map[string]string {
	t.Helper()
	if ch.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("challenge %q, want PASSWORD_VERIFIER", ch.ChallengeName)
	}
	p := ch.ChallengeParameters
	user := p["USER_ID_FOR_SRP"]
	key, err := cl.Key(user, password, p["SRP_B"], p["SALT"])
	if err != nil {
		t.Fatal(err)
	}
	block := mustStdB64(t, p["SECRET_BLOCK"])
	ts := srp.FormatTimestamp(at)
	return map[string]string{
		"USERNAME": user, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts,
		"PASSWORD_CLAIM_SIGNATURE": srp.Signature(key, srp.PoolName(e.pool.ID), user, block, ts),
		"SECRET_HASH":              *e.hash(user),
	}
}

func (e *env) respond(name types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return e.anon().RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(e.client.ID), ChallengeName: name, ChallengeResponses: resp, Session: session,
	})
}

// srpSignIn signs username in with SRP and returns the answer to the
// PASSWORD_VERIFIER response.
func (e *env) srpSignIn(t *testing.T, username, password string, at time.Time) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	cl, ch, err := e.srpStart(username)
	if err != nil {
		t.Fatalf("InitiateAuth USER_SRP_AUTH %s: %v", username, err)
	}
	return e.respond(types.ChallengeNameTypePasswordVerifier, nil, e.srpAnswer(t, cl, ch, password, at))
}

func mustStdB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("not standard Base64: %v", err)
	}
	return b
}

func (e *env) storedUser(t testing.TB, username string) pool.User {
	t.Helper()
	u, err := e.app.Store.GetUserByUsername(context.Background(), e.pool.ID, e.pool.UsernameKey(username))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSRPSignIn(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	e.confirmedUser(t, "sam", "Sam-Pass-123!")

	// The verifier is stored sealed, never in plain.
	u := e.storedUser(t, "sam")
	s, _ := srp.ParseHex(u.SRPSalt)
	plain := srp.Verifier(s, srp.PoolName(e.pool.ID), "sam", "Sam-Pass-123!")
	if len(u.SRPVerifier) == 0 || strings.Contains(string(u.SRPVerifier), string(plain)) {
		t.Fatalf("verifier not stored sealed: %d bytes", len(u.SRPVerifier))
	}

	cl, ch, err := e.srpStart("sam")
	if err != nil {
		t.Fatal(err)
	}
	p := ch.ChallengeParameters
	if p["USER_ID_FOR_SRP"] != "sam" || p["USERNAME"] != "sam" || p["SALT"] != u.SRPSalt || p["SRP_B"] == "" || p["SECRET_BLOCK"] == "" ||
		ch.AuthenticationResult != nil {
		t.Fatalf("challenge: %+v", ch)
	}
	out, err := e.respond(types.ChallengeNameTypePasswordVerifier, nil, e.srpAnswer(t, cl, ch, "Sam-Pass-123!", clk.Now()))
	if err != nil {
		t.Fatalf("RespondToAuthChallenge: %v", err)
	}
	r := out.AuthenticationResult
	if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || aws.ToString(r.RefreshToken) == "" || out.ChallengeName != "" {
		t.Fatalf("answer: %+v", out)
	}
	ac := apptest.JWTClaims(t, aws.ToString(r.AccessToken))
	if ac["username"] != "sam" || ac["client_id"] != e.client.ID || ac["scope"] != pool.ScopeCognitoAPI {
		t.Fatalf("access token claims: %v", ac)
	}
	// The token verifies with the pool's JWKS (userInfo) and works with GetUser.
	if st, m := e.userInfo(t, aws.ToString(r.AccessToken)); st != http.StatusOK || m["sub"] != u.Sub {
		t.Fatalf("userInfo: %d %v", st, m)
	}
	gu, err := e.anon().GetUser(context.Background(), &cip.GetUserInput{AccessToken: r.AccessToken})
	if err != nil || aws.ToString(gu.Username) != "sam" {
		t.Fatalf("GetUser: %v %+v", err, gu)
	}

	// A case-insensitive pool signs in with any case; USER_ID_FOR_SRP is
	// the stored username, which the client hashes.
	if !e.pool.CaseSensitive {
		if out, err := e.srpSignIn(t, "SAM", "Sam-Pass-123!", clk.Now()); err != nil || out.AuthenticationResult == nil {
			t.Fatalf("SRP as SAM: %v", err)
		}
	}
}

func TestSRPWrongPasswordAndLockout(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	e.confirmedUser(t, "lou", "Lou-Pass-123!")
	max := e.pool.LockoutPolicy.MaxFailedAttempts
	for i := 1; i <= max; i++ {
		_, err := e.srpSignIn(t, "lou", "Wrong-Pass-1!", clk.Now())
		wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		if got := e.storedUser(t, "lou").FailedLogins; got != i {
			t.Fatalf("after %d wrong signatures FailedLogins = %d", i, got)
		}
	}
	// Locked out: the right proof is refused too, by SRP and by password.
	_, err := e.srpSignIn(t, "lou", "Lou-Pass-123!", clk.Now())
	wantAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
	_, err = e.passwordAuth("lou", "Lou-Pass-123!", e.hash("lou"))
	wantAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
	clk.Advance(time.Duration(e.pool.LockoutPolicy.MaxLockoutSeconds+1) * time.Second)
	if out, err := e.srpSignIn(t, "lou", "Lou-Pass-123!", clk.Now()); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if got := e.storedUser(t, "lou").FailedLogins; got != 0 {
		t.Fatalf("FailedLogins after a successful sign-in = %d", got)
	}
}

func TestSRPUnknownUser(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH")
	e.confirmedUser(t, "real", "Real-Pass-123!")
	before := e.snapshot(t)

	// PreventUserExistenceErrors ENABLED: a plausible challenge, stable
	// salt per name, then the answer of a wrong password.
	_, ch1, err := e.srpStart("ghost")
	if err != nil {
		t.Fatalf("InitiateAuth for an unknown user: %v", err)
	}
	_, ch2, _ := e.srpStart("ghost")
	_, real, _ := e.srpStart("real")
	p := ch1.ChallengeParameters
	if p["USER_ID_FOR_SRP"] != "ghost" || p["SALT"] == "" || p["SALT"] != ch2.ChallengeParameters["SALT"] || p["SRP_B"] == ch2.ChallengeParameters["SRP_B"] ||
		len(p["SALT"]) != len(real.ChallengeParameters["SALT"]) && len(p["SALT"]) != len(real.ChallengeParameters["SALT"])+2 && len(p["SALT"])+2 != len(real.ChallengeParameters["SALT"]) {
		t.Fatalf("concealed challenge %v; a real one %v", p, real.ChallengeParameters)
	}
	_, err = e.srpSignIn(t, "ghost", "Any-Pass-123!", clk.Now())
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if e.snapshot(t) != before {
		t.Fatal("a sign-in of an unknown user changed the pool")
	}

	// LEGACY: Cognito reports the unknown user at once.
	e.allowFlows(t, pool.ExistenceLegacy, "ALLOW_USER_SRP_AUTH")
	_, _, err = e.srpStart("ghost")
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
}

func TestSRPUserStates(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH")
	ctx := context.Background()
	admin := e.sdk(keyAdmin)

	// Unconfirmed: a sign-up that was never confirmed, with the right password.
	if _, err := e.anon().SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.client.ID), SecretHash: e.hash("una"), Username: aws.String("una"), Password: aws.String("Una-Pass-123!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("una@example.com")}},
	}); err != nil {
		t.Fatal(err)
	}
	_, err := e.srpSignIn(t, "una", "Una-Pass-123!", clk.Now())
	wantAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")
	// ... and with a wrong one, only the wrong password is told.
	_, err = e.srpSignIn(t, "una", "Wrong-Pass-123!", clk.Now())
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// Disabled.
	e.confirmedUser(t, "dora", "Dora-Pass-123!")
	if _, err := admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool.ID), Username: aws.String("dora")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.srpSignIn(t, "dora", "Dora-Pass-123!", clk.Now())
	wantAPIError(t, err, "NotAuthorizedException", "User is disabled.")

	// RESET_REQUIRED.
	e.confirmedUser(t, "rita", "Rita-Pass-123!")
	err = e.app.Store.UpdateUser(ctx, e.pool.ID, e.storedUser(t, "rita").Sub, func(u pool.User) (pool.User, error) {
		u.Status = pool.StatusResetRequired
		return u, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.srpSignIn(t, "rita", "Rita-Pass-123!", clk.Now())
	wantAPIError(t, err, "PasswordResetRequiredException", "Password reset required for the user")
}

func TestSRPUserWithoutVerifier(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.allowFlows(t, pool.ExistenceLegacy, "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	e.confirmedUser(t, "olde", "Olde-Pass-123!")
	// As a user stored before SRP verifiers were kept, or imported.
	ctx := context.Background()
	if err := e.app.Store.UpdateUser(ctx, e.pool.ID, e.storedUser(t, "olde").Sub, func(u pool.User) (pool.User, error) {
		u.SRPSalt, u.SRPVerifier = "", nil
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.srpStart("olde")
	wantAPIError(t, err, "NotAuthorizedException", "")
	if !strings.Contains(err.Error(), "sign in once with the password") {
		t.Fatalf("the refusal does not say what to do: %v", err)
	}
	// With PreventUserExistenceErrors the user looks like an unknown one.
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH")
	_, err = e.srpSignIn(t, "olde", "Olde-Pass-123!", clk.Now())
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if got := e.storedUser(t, "olde").FailedLogins; got != 0 {
		t.Fatalf("an unprovable SRP sign-in counted as a failure: %d", got)
	}
	// One password sign-in derives the verifier; then SRP works.
	if _, err := e.passwordAuth("olde", "Olde-Pass-123!", e.hash("olde")); err != nil {
		t.Fatal(err)
	}
	if len(e.storedUser(t, "olde").SRPVerifier) == 0 {
		t.Fatal("no verifier after a password sign-in")
	}
	if out, err := e.srpSignIn(t, "olde", "Olde-Pass-123!", clk.Now()); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SRP after a password sign-in: %v", err)
	}
}

func TestSRPRefused(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.confirmedUser(t, "rex", "Rex-Pass-123!")
	ctx := context.Background()

	// Flow not enabled.
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_PASSWORD_AUTH")
	_, _, err := e.srpStart("rex")
	wantAPIError(t, err, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
	e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH")

	// Bad SECRET_HASH, at the start and in the answer.
	cl := srp.NewClient(srp.PoolName(e.pool.ID))
	_, err = e.anon().InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.client.ID),
		AuthParameters: map[string]string{"USERNAME": "rex", "SRP_A": cl.SRPA(), "SECRET_HASH": *e.hash("rexx")},
	})
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+e.client.ID)
	cl, ch, err := e.srpStart("rex")
	if err != nil {
		t.Fatal(err)
	}
	ans := e.srpAnswer(t, cl, ch, "Rex-Pass-123!", clk.Now())
	good := ans["SECRET_HASH"]
	ans["SECRET_HASH"] = *e.hash("someone")
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, ans)
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+e.client.ID)
	delete(ans, "SECRET_HASH")
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, ans)
	wantAPIError(t, err, "NotAuthorizedException", "Client "+e.client.ID+" is configured with secret but SECRET_HASH was not received")
	ans["SECRET_HASH"] = good

	// Bad SRP_A.
	for _, a := range []string{srp.N.Text(16), "0", "xyz", "-5"} {
		_, err = e.anon().InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(e.client.ID),
			AuthParameters: map[string]string{"USERNAME": "rex", "SRP_A": a, "SECRET_HASH": *e.hash("rex")},
		})
		wantAPIError(t, err, "InvalidParameterException", "")
	}

	// A tampered secret block does not open.
	tampered := map[string]string{}
	for k, v := range ans {
		tampered[k] = v
	}
	b := mustStdB64(t, ans["PASSWORD_CLAIM_SECRET_BLOCK"])
	b[len(b)/2] ^= 1
	tampered["PASSWORD_CLAIM_SECRET_BLOCK"] = base64.StdEncoding.EncodeToString(b)
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, tampered)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user.")

	// A timestamp too far from the server's clock.
	cl, ch, _ = e.srpStart("rex")
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, e.srpAnswer(t, cl, ch, "Rex-Pass-123!", clk.Now().Add(-10*time.Minute)))
	wantAPIError(t, err, "NotAuthorizedException", "")
	if e.storedUser(t, "rex").FailedLogins != 0 {
		t.Fatal("a refused answer counted as a failed sign-in")
	}

	// The untampered answer works once; a replay is refused.
	if out, err := e.respond(types.ChallengeNameTypePasswordVerifier, nil, ans); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("answer: %v", err)
	}
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, ans)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")

	// An expired secret block (AuthSessionValidity, 3 minutes), even with
	// a fresh timestamp.
	cl, ch, _ = e.srpStart("rex")
	clk.Advance(3*time.Minute + time.Second)
	_, err = e.respond(types.ChallengeNameTypePasswordVerifier, nil, e.srpAnswer(t, cl, ch, "Rex-Pass-123!", clk.Now()))
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
}

// TestSRPLegacyFlows: a client with the legacy ExplicitAuthFlows values
// allows SRP and refresh, as Cognito never gated them for such clients,
// and only the password flows its values name.
func TestSRPLegacyFlows(t *testing.T) {
	e, _, clk := srpEnv(t)
	e.confirmedUser(t, "leo", "Leo-Pass-123!")
	e.allowFlows(t, pool.ExistenceEnabled, "ADMIN_NO_SRP_AUTH")
	out, err := e.srpSignIn(t, "leo", "Leo-Pass-123!", clk.Now())
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SRP with legacy flows: %v", err)
	}
	if _, err := e.refreshAuth(types.AuthFlowTypeRefreshTokenAuth, aws.ToString(out.AuthenticationResult.RefreshToken), e.hash("leo")); err != nil {
		t.Fatalf("refresh with legacy flows: %v", err)
	}
	_, err = e.passwordAuth("leo", "Leo-Pass-123!", e.hash("leo"))
	wantAPIError(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
}

// TestSRPEmailSignIn: signing in with an email address, USER_ID_FOR_SRP
// is the username the client must hash, as in Cognito: the username of an
// alias pool's user, the sub-like username of a pool whose usernames are
// email addresses.
func TestSRPEmailSignIn(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(p *pool.Pool)
	}{
		{"alias", func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail} }},
		{"email username", func(p *pool.Pool) { p.UsernameAttributes = []string{pool.AttrEmail} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, clk := srpEnv(t)
			ctx := context.Background()
			if err := e.app.Store.UpdatePool(ctx, e.pool.ID, func(p pool.Pool) (pool.Pool, error) {
				tc.edit(&p)
				return p, nil
			}); err != nil {
				t.Fatal(err)
			}
			tc.edit(&e.pool)
			e.allowFlows(t, pool.ExistenceEnabled, "ALLOW_USER_SRP_AUTH")
			name := "alia"
			if e.pool.EmailIsUsername() {
				name = "alia@example.com"
			}
			admin := e.sdk(keyAdmin)
			if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(e.pool.ID), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("alia@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: aws.String(e.pool.ID), Username: aws.String("alia@example.com"), Password: aws.String("Alia-Pass-123!"), Permanent: true,
			}); err != nil {
				t.Fatal(err)
			}
			u, err := e.app.Accounts.Lookup(ctx, e.pool, "alia@example.com")
			if err != nil {
				t.Fatal(err)
			}
			want := "alia"
			if e.pool.EmailIsUsername() {
				want = u.Sub
			}
			if u.Username != want {
				t.Fatalf("stored username %q, want %q", u.Username, want)
			}
			cl, ch, err := e.srpStart("alia@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if got := ch.ChallengeParameters["USER_ID_FOR_SRP"]; got != want {
				t.Fatalf("USER_ID_FOR_SRP %q, want %q", got, want)
			}
			ans := e.srpAnswer(t, cl, ch, "Alia-Pass-123!", clk.Now())
			ans["SECRET_HASH"] = *e.hash("alia@example.com") // over the name signed in with
			out, err := e.respond(types.ChallengeNameTypePasswordVerifier, nil, ans)
			if err != nil || out.AuthenticationResult == nil {
				t.Fatalf("SRP by email: %v", err)
			}
			// An unknown address gets a challenge shaped like a real one.
			_, ch, err = e.srpStart("nobody@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if got := ch.ChallengeParameters["USER_ID_FOR_SRP"]; e.pool.EmailIsUsername() && len(got) != len(u.Sub) || !e.pool.EmailIsUsername() && got != "nobody@example.com" {
				t.Fatalf("concealed USER_ID_FOR_SRP %q", got)
			}
		})
	}
}
