package cluster_test

import (
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
)

// The user of the Amplify scenario changes the password too.
const (
	amplifyUser      = "dora"
	amplifyPassword  = "Dora-Amplify-1!"
	amplifyChanged   = "Dora-Changed-2!"
	amplifyAdmin     = "erik"
	amplifyTemporary = "Temp-Erik-1!"
	amplifyNew       = "Erik-Changed-2!"
)

// TestAmplifySRP runs test/cognitojs/amplify.mjs, which drives Amplify
// JavaScript v6 (aws-amplify/auth, configured with userPoolEndpoint) as an
// app does, against `linkpool serve`: sign-up with the mailed code, SRP
// sign-in with Amplify's own SRP implementation, fetchUserAttributes, a
// forced refresh, updatePassword (ChangePassword) and an SRP sign-in with
// the new password, a global sign-out, an administrator-created user
// through CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED, and the refusals.
func TestAmplifySRP(t *testing.T) {
	a := newJSApp(t)
	a.d.cli(t, "user", "create", "--pool", a.poolID, "--username", amplifyAdmin, "--email", amplifyAdmin+"@example.com",
		"--temporary-password", amplifyTemporary)
	steps := a.runScript(t, "amplify.mjs", []string{
		"--endpoint", a.d.publicURL, "--user-pool-id", a.poolID, "--client-id", a.clientID,
		"--username", amplifyUser, "--email", amplifyUser + "@example.com", "--password", amplifyPassword,
		"--changed-password", amplifyChanged, "--admin-username", amplifyAdmin,
		"--admin-temporary-password", amplifyTemporary, "--admin-new-password", amplifyNew,
	})
	want := []string{"signUp", "confirmSignUp", "signIn", "fetchUserAttributes", "refresh", "updatePassword",
		"signInChangedPassword", "signOut", "newPasswordRequired", "confirmSignIn", "wrongPassword", "unknownUser", "done"}
	for _, s := range want {
		if _, ok := steps[s]; !ok {
			t.Fatalf("amplify.mjs did not print step %s", s)
		}
	}
	if len(steps) != len(want) {
		t.Errorf("amplify.mjs printed %d steps, want %d", len(steps), len(want))
	}

	up := steps["signUp"]
	if up.UserConfirmed == nil || *up.UserConfirmed || up.UserSub == "" {
		t.Errorf("signUp: %+v", up)
	}
	if d := up.CodeDeliveryDetails; d["DeliveryMedium"] != "EMAIL" || d["AttributeName"] != "email" || d["Destination"] == "" {
		t.Errorf("signUp code delivery %v", d)
	}
	if !a.codeAsked {
		t.Error("the code was never asked for")
	}
	if r := steps["confirmSignUp"].Result; r != "SUCCESS" {
		t.Errorf("confirmSignUp: %q", r)
	}

	in := steps["signIn"]
	if in.AuthFlow != "USER_SRP_AUTH" {
		t.Errorf("Amplify signed in with %q, want its default USER_SRP_AUTH", in.AuthFlow)
	}
	first := a.checkTokens(t, "signIn", in.jsTokens, amplifyUser, up.UserSub)
	if attrs := steps["fetchUserAttributes"].Attributes; attrs["sub"] != up.UserSub || attrs["email"] != amplifyUser+"@example.com" || attrs["email_verified"] != "true" {
		t.Errorf("fetchUserAttributes: %v", attrs)
	}
	ref := steps["refresh"]
	second := a.checkTokens(t, "refresh", ref.jsTokens, amplifyUser, up.UserSub)
	if second.access["jti"] == first.access["jti"] || second.access["origin_jti"] != first.access["origin_jti"] {
		t.Errorf("refresh: jti %v (first %v), origin_jti %v (first %v)", second.access["jti"], first.access["jti"], second.access["origin_jti"], first.access["origin_jti"])
	}

	// ChangePassword stored a new SRP verifier: SRP proves the new
	// password, and the old one is refused (wrongPassword below).
	if r := steps["updatePassword"].Result; r != "SUCCESS" {
		t.Errorf("updatePassword: %q", r)
	}
	a.checkTokens(t, "signInChangedPassword", steps["signInChangedPassword"].jsTokens, amplifyUser, up.UserSub)
	if r := steps["signOut"].Result; r != "SUCCESS" {
		t.Errorf("signOut: %q", r)
	}

	admin := a.user(t, amplifyAdmin)
	if r := steps["newPasswordRequired"].Result; r != "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED" {
		t.Errorf("newPasswordRequired: %q", r)
	}
	a.checkTokens(t, "confirmSignIn", steps["confirmSignIn"].jsTokens, amplifyAdmin, admin.Sub)
	if admin.UserStatus != "CONFIRMED" {
		t.Errorf("%s is %s after the new password, want CONFIRMED", amplifyAdmin, admin.UserStatus)
	}

	a.wantError(t, steps, "wrongPassword", "NotAuthorizedException", "Incorrect username or password.")
	a.wantError(t, steps, "unknownUser", "NotAuthorizedException", "Incorrect username or password.")

	secrets := []string{amplifyPassword, amplifyChanged, amplifyTemporary, amplifyNew, in.RefreshToken, in.AccessToken, in.IDToken}
	if err := apptest.FindSecret(a.in.log.String(), secrets...); err != nil {
		t.Error(err)
	}
}
