package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/apptest"
)

// TestCognitoJSTOTP runs test/cognitojs/mfa.js, which drives
// amazon-cognito-identity-js against `linkpool serve` in a pool that
// requires MFA with an authenticator app: the first sign-in (the
// library's default, USER_SRP_AUTH) ends in MFA_SETUP and the app is set
// up with associateSoftwareToken and verifySoftwareToken; the next ends
// in SOFTWARE_TOKEN_MFA (the totpRequired callback), where sendMFACode
// with 'SOFTWARE_TOKEN_MFA' refuses a wrong code and signs in with the
// right one, computed here from the secret the script was given; the
// same code is refused in a later sign-in.
func TestCognitoJSTOTP(t *testing.T) {
	a := newJSApp(t)
	a.d.cli(t, "pool", "mfa", "set", "--pool", a.poolID, "--mode", "ON", "--totp=true")
	a.d.cli(t, "user", "create", "--pool", a.poolID, "--username", jsUser, "--email", jsUser+"@example.com",
		"--email-verified", "--password", jsPassword, "--permanent")
	const device = "Ada's phone"
	steps := a.runScript(t, "mfa.js", []string{"--endpoint", a.endpoint, "--user-pool-id", a.poolID, "--client-id", a.clientID,
		"--username", jsUser, "--password", jsPassword, "--device-name", device})

	want := []string{"mfaSetup", "associateSoftwareToken", "verifySoftwareToken", "totpRequired", "wrongCode",
		"sendMFACode", "replayedCode", "done"}
	for _, s := range want {
		if _, ok := steps[s]; !ok {
			t.Fatalf("mfa.js did not print step %s", s)
		}
	}
	if len(steps) != len(want) {
		t.Errorf("mfa.js printed %d steps, want %d", len(steps), len(want))
	}
	setup := steps["mfaSetup"]
	var canSetUp []string
	if err := json.Unmarshal([]byte(setup.ChallengeParameters["MFAS_CAN_SETUP"]), &canSetUp); setup.ChallengeName != "MFA_SETUP" ||
		err != nil || !slices.Contains(canSetUp, "SOFTWARE_TOKEN_MFA") {
		t.Errorf("mfaSetup: %s %v", setup.ChallengeName, setup.ChallengeParameters)
	}
	if n := steps["associateSoftwareToken"].SecretLength; n != 32 {
		t.Errorf("the secret has %d characters, want 32 (160 bits in base32)", n)
	}
	if c := steps["totpRequired"].ChallengeName; c != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("totpRequired: challenge %s", c)
	}
	sub := a.user(t, jsUser).Sub
	set := a.checkTokens(t, "verifySoftwareToken", steps["verifySoftwareToken"].jsTokens, jsUser, sub)
	signed := a.checkTokens(t, "sendMFACode", steps["sendMFACode"].jsTokens, jsUser, sub)
	if signed.access["origin_jti"] == set.access["origin_jti"] {
		t.Error("the second sign-in has the first one's origin_jti")
	}
	a.wantError(t, steps, "wrongCode", "CodeMismatchException", "")
	a.wantError(t, steps, "replayedCode", "CodeMismatchException", "")

	var mfa struct {
		UserMFASettingList  []string
		PreferredMfaSetting string
		SoftwareTokenDevice *struct{ FriendlyDeviceName string }
	}
	out := a.d.cli(t, "user", "mfa", "show", "--pool", a.poolID, "--username", jsUser, "--json")
	if err := json.Unmarshal([]byte(out), &mfa); err != nil {
		t.Fatalf("user mfa show: %v\n%s", err, out)
	}
	if !slices.Equal(mfa.UserMFASettingList, []string{"SOFTWARE_TOKEN_MFA"}) || mfa.PreferredMfaSetting != "SOFTWARE_TOKEN_MFA" ||
		mfa.SoftwareTokenDevice == nil || mfa.SoftwareTokenDevice.FriendlyDeviceName != device {
		t.Errorf("after the set-up: %s", out)
	}

	secrets := append([]string{jsPassword, a.totp.secret}, a.totp.given...)
	for _, s := range []string{"verifySoftwareToken", "sendMFACode"} {
		tk := steps[s].jsTokens
		secrets = append(secrets, tk.AccessToken, tk.IDToken, tk.RefreshToken)
	}
	if err := apptest.FindSecret(a.in.log.String(), secrets...); err != nil {
		t.Error(err)
	}
}

// totpPeriod and totpOpts are linkpool's TOTP: RFC 6238 with SHA-1, six
// digits and 30-second steps.
const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// jsTOTP is the authenticator app of mfa.js's user. linkpool accepts the
// code of the current time step or one either side, each step once, so
// every code given is of a step after the last one given, the current
// step or the next; it waits when the next is taken.
type jsTOTP struct {
	secret string
	last   int64
	// given are the codes given, which the server must not log.
	given []string
}

// answer returns a code of secret, or with wrong six digits that are
// the code of none of the steps around now.
func (j *jsTOTP) answer(ctx context.Context, wrong bool, secret string) (string, error) {
	switch {
	case secret == "":
		return "", errors.New("mfa.js asked for a code without the secret")
	case j.secret != "" && secret != j.secret:
		return "", errors.New("mfa.js asked for a code of another secret")
	}
	j.secret = secret
	if wrong {
		return j.wrongCode()
	}
	for {
		cur := time.Now().Unix() / totpPeriod
		if step := max(cur, j.last+1); step <= cur+1 {
			code, err := j.code(step)
			if err != nil {
				return "", err
			}
			j.last, j.given = step, append(j.given, code)
			return code, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Until(time.Unix(j.last*totpPeriod, 0))):
		}
	}
}

func (j *jsTOTP) code(step int64) (string, error) {
	code, err := totp.GenerateCodeCustom(j.secret, time.Unix(step*totpPeriod, 0), totpOpts)
	if err != nil {
		return "", fmt.Errorf("TOTP of the secret mfa.js was given: %v", err)
	}
	return code, nil
}

func (j *jsTOTP) wrongCode() (string, error) {
	cur := time.Now().Unix() / totpPeriod
	var near []string
	for step := cur - 2; step <= cur+3; step++ {
		c, err := j.code(step)
		if err != nil {
			return "", err
		}
		near = append(near, c)
	}
	for n := 0; ; n++ {
		if c := fmt.Sprintf("%06d", n*111111%1000000); !slices.Contains(near, c) {
			return c, nil
		}
	}
}
