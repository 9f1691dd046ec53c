package account_test

import (
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
)

// mfaPool turns MFA on (optional) with both code factors.
func mfaPool(p *pool.Pool) {
	p.MFA = pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true, Email: true}
}

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpCode returns the code of secret at t, shifted by steps.
func totpCode(t testing.TB, secret string, at time.Time, steps int) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at.Add(time.Duration(steps)*30*time.Second), totpOpts)
	if err != nil {
		t.Fatalf("GenerateCodeCustom: %v", err)
	}
	return c
}

// enrolTOTP gives u a verified authenticator app and returns its secret.
// The clock then moves to the next step, so that the code of the set-up
// is in the past.
func (e *env) enrolTOTP(t testing.TB, sub string) string {
	t.Helper()
	ctx := context.Background()
	secret, err := e.svc.AssociateSoftwareToken(ctx, e.pool, sub)
	if err != nil {
		t.Fatalf("AssociateSoftwareToken: %v", err)
	}
	if _, err := e.svc.VerifySoftwareToken(ctx, e.pool, sub, totpCode(t, secret, e.clock.Now(), 0), "phone"); err != nil {
		t.Fatalf("VerifySoftwareToken: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	return secret
}

func TestTOTPSetUpAndSignIn(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)

	_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, "123456")
	wantErr(t, err, account.SoftwareTokenMFANotFoundException)
	_, err = e.svc.VerifySoftwareToken(ctx, e.pool, u.Sub, "123456", "phone")
	wantErr(t, err, account.SoftwareTokenMFANotFoundException)

	secret, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(raw) != 20 || strings.Contains(secret, "=") {
		t.Fatalf("secret %q: %d bytes, %v; want 20 bytes, Base32 without padding", secret, len(raw), err)
	}
	got := e.user(t, u.Sub)
	if got.MFA.PendingTOTP == nil || got.MFA.TOTP != nil || got.MFA.SoftwareTokenEnabled {
		t.Fatalf("after associate: %+v", got.MFA)
	}
	// Another association replaces the pending secret.
	secret2, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub)
	if err != nil || secret2 == secret {
		t.Fatalf("second AssociateSoftwareToken: %q, %v", secret2, err)
	}
	now := e.clock.Now()
	_, err = e.svc.VerifySoftwareToken(ctx, e.pool, u.Sub, totpCode(t, secret, now, 0), "phone")
	wantErr(t, err, account.EnableSoftwareTokenMFAException)
	if n := e.user(t, u.Sub).FailedLogins; n != 1 {
		t.Fatalf("FailedLogins after a wrong set-up code = %d, want 1", n)
	}

	v, err := e.svc.VerifySoftwareToken(ctx, e.pool, u.Sub, totpCode(t, secret2, now, 0), "Pixel")
	if err != nil {
		t.Fatal(err)
	}
	got = e.user(t, u.Sub)
	m := got.MFA
	if m.TOTP == nil || m.PendingTOTP != nil || !m.SoftwareTokenEnabled || m.Preferred != pool.FactorSoftwareToken || m.TOTP.Name != "Pixel" {
		t.Fatalf("after verify: %+v (device %+v)", m, m.TOTP)
	}
	if got.FailedLogins != 0 || v.Sub != u.Sub {
		t.Fatalf("FailedLogins = %d, user %q", got.FailedLogins, v.Sub)
	}
	if m.TOTP.LastStep != now.Unix()/30 {
		t.Fatalf("LastStep = %d, want %d", m.TOTP.LastStep, now.Unix()/30)
	}

	// The set-up code does not sign in again.
	_, err = e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret2, now, 0))
	wantErr(t, err, account.CodeMismatchException)
	e.clock.Advance(30 * time.Second)
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret2, e.clock.Now(), 0)); err != nil {
		t.Fatalf("VerifyTOTP: %v", err)
	}
	if got := e.user(t, u.Sub); got.FailedLogins != 0 {
		t.Fatalf("FailedLogins = %d after a right code", got.FailedLogins)
	}

	// A new association leaves the active device in place.
	if _, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret2, e.clock.Now(), 0)); err != nil {
		t.Fatalf("VerifyTOTP with a pending replacement: %v", err)
	}
}

// TestTOTPPreferenceKept: verifying a device does not take the
// preference from a factor the user preferred before.
func TestTOTPPreferenceKept(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	if err := e.db.UpdateUser(ctx, e.pool.ID, u.Sub, func(u pool.User) (pool.User, error) {
		u.MFA.EmailEnabled, u.MFA.Preferred = true, pool.FactorEmail
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	e.enrolTOTP(t, u.Sub)
	if m := e.user(t, u.Sub).MFA; m.Preferred != pool.FactorEmail || !m.SoftwareTokenEnabled {
		t.Fatalf("MFA = %+v", m)
	}
}

func TestTOTPNotOffered(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.MFA = pool.MFAConfig{Mode: pool.MFAOptional, Email: true} })
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	_, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub)
	wantErr(t, err, account.InvalidParameterException)
	_, err = e.svc.VerifySoftwareToken(ctx, e.pool, u.Sub, "123456", "")
	wantErr(t, err, account.InvalidParameterException)
	if m := e.user(t, u.Sub).MFA; m.PendingTOTP != nil {
		t.Fatalf("pending device stored: %+v", m)
	}
	_, err = e.svc.AssociateSoftwareToken(ctx, e.pool, pool.NewSub())
	wantErr(t, err, account.InvalidParameterException)

	e2 := newEnv(t, mfaPool)
	_, err = e2.svc.AssociateSoftwareToken(ctx, e2.pool, pool.NewSub())
	wantErr(t, err, account.UserNotFoundException)
	_, err = e2.svc.VerifyTOTP(ctx, e2.pool, pool.NewSub(), "123456")
	wantErr(t, err, account.UserNotFoundException)
}

// TestTOTPBadInput: codes that are not six digits and over-long device
// names are refused before anything is checked or counted.
func TestTOTPBadInput(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	secret := e.enrolTOTP(t, u.Sub)
	for _, code := range []string{"", "12345", "1234567", "12a456", " 12345", "１２３４５６", strings.Repeat("1", 5000)} {
		_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, code)
		wantErr(t, err, account.InvalidParameterException)
	}
	if _, err := e.svc.AssociateSoftwareToken(ctx, e.pool, u.Sub); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.VerifySoftwareToken(ctx, e.pool, u.Sub, "123456", strings.Repeat("x", pool.MaxDeviceNameLen+1))
	wantErr(t, err, account.InvalidParameterException)
	got := e.user(t, u.Sub)
	if got.FailedLogins != 0 || got.MFA.PendingTOTP == nil {
		t.Fatalf("bad input changed the user: FailedLogins %d, MFA %+v", got.FailedLogins, got.MFA)
	}
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, e.clock.Now(), 0)); err != nil {
		t.Fatalf("VerifyTOTP after bad input: %v", err)
	}
}

// setTOTPKey gives the user a verified device with key, sealed as the
// service seals it.
func (e *env) setTOTPKey(t testing.TB, sub string, key []byte) {
	t.Helper()
	err := e.db.UpdateUser(context.Background(), e.pool.ID, sub, func(u pool.User) (pool.User, error) {
		u.MFA.TOTP = &pool.TOTPDevice{Secret: masterBox.Seal(key, account.TOTPSecretAAD(e.pool.ID, sub))}
		u.MFA.SoftwareTokenEnabled = true
		return u, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTOTPRFC6238Vectors checks the SHA-1 test vectors of RFC 6238
// appendix B through VerifyTOTP. The RFC lists 8-digit codes; the
// 6-digit code of a step is their last six digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	e.setTOTPKey(t, u.Sub, []byte("12345678901234567890"))
	var now time.Time
	svc := e.serviceOn(e.db, e.box, func(c *account.Config) { c.Now = func() time.Time { return now } })
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		now = time.Unix(v.unix, 0)
		wrong := []byte(v.code[2:])
		wrong[5] = '0' + (wrong[5]-'0'+1)%10
		_, err := svc.VerifyTOTP(ctx, e.pool, u.Sub, string(wrong))
		wantErr(t, err, account.CodeMismatchException)
		if _, err := svc.VerifyTOTP(ctx, e.pool, u.Sub, v.code[2:]); err != nil {
			t.Fatalf("T=%d code %s: %v", v.unix, v.code[2:], err)
		}
		if got := e.user(t, u.Sub).MFA.TOTP.LastStep; got != v.unix/30 {
			t.Fatalf("T=%d: LastStep = %d, want %d", v.unix, got, v.unix/30)
		}
	}
}

// TestTOTPWindow: codes of one step either side are accepted, two steps
// are not.
func TestTOTPWindow(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	secret := e.enrolTOTP(t, u.Sub)
	e.clock.Advance(time.Minute) // the step before is not the set-up's
	now := e.clock.Now()
	for _, steps := range []int{-2, 2} {
		_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, now, steps))
		wantErr(t, err, account.CodeMismatchException)
	}
	for _, steps := range []int{-1, 0, 1} {
		if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, now, steps)); err != nil {
			t.Fatalf("code of step %+d: %v", steps, err)
		}
	}
	// Every one of them is spent now, and so is the step before.
	for _, steps := range []int{-1, 0, 1} {
		_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, now, steps))
		wantErr(t, err, account.CodeMismatchException)
	}
}

// TestTOTPReplay: a code, once accepted, is refused however soon it is
// tried again, and so is any code of an earlier step.
func TestTOTPReplay(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	secret := e.enrolTOTP(t, u.Sub)
	now := e.clock.Now()
	code := totpCode(t, secret, now, 1)
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, code); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, code)
	wantErr(t, err, account.CodeMismatchException)
	_, err = e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, now, 0))
	wantErr(t, err, account.CodeMismatchException)
	e.clock.Advance(30 * time.Second)
	_, err = e.svc.VerifyTOTP(ctx, e.pool, u.Sub, code)
	wantErr(t, err, account.CodeMismatchException)
	e.clock.Advance(30 * time.Second)
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, e.clock.Now(), 0)); err != nil {
		t.Fatalf("next step: %v", err)
	}
}

// TestTOTPLockout: wrong codes count towards the lockout with wrong
// passwords; a locked-out user's right code is refused; after the
// lockout a right code clears the count.
func TestTOTPLockout(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	secret := e.enrolTOTP(t, u.Sub)
	max := e.pool.LockoutPolicy.MaxFailedAttempts
	for range max - 2 {
		_, err := e.svc.Authenticate(ctx, e.pool, "alice", "Wr0ng-Horse")
		wantErr(t, err, account.NotAuthorizedException)
	}
	wrong := "000000"
	if totpCode(t, secret, e.clock.Now(), 0) == wrong {
		wrong = "000001"
	}
	_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, wrong)
	wantErr(t, err, account.CodeMismatchException)
	if got := e.user(t, u.Sub); got.Locked(e.clock.Now()) || got.FailedLogins != max-1 {
		t.Fatalf("FailedLogins = %d, locked %v; want %d, unlocked", got.FailedLogins, got.Locked(e.clock.Now()), max-1)
	}
	_, err = e.svc.VerifyTOTP(ctx, e.pool, u.Sub, wrong)
	wantErr(t, err, account.CodeMismatchException)
	if got := e.user(t, u.Sub); !got.Locked(e.clock.Now()) {
		t.Fatalf("not locked after %d failures", got.FailedLogins)
	}
	ae := wantErr(t, func() error {
		_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, e.clock.Now(), 0))
		return err
	}(), account.NotAuthorizedException)
	if ae.Message != "Password attempts exceeded" || !errors.Is(ae, account.ErrLockedOut) {
		t.Fatalf("locked out: %v (cause %v)", ae, ae.Cause)
	}
	_, err = e.svc.Authenticate(ctx, e.pool, "alice", goodPW)
	if !errors.Is(err, account.ErrLockedOut) {
		t.Fatalf("password while locked: %v", err)
	}
	if m := e.user(t, u.Sub).MFA.TOTP; m.LastStep >= e.clock.Now().Unix()/30 {
		t.Fatalf("a locked-out code was recorded as used (LastStep %d)", m.LastStep)
	}

	e.clock.Advance(time.Duration(e.pool.LockoutPolicy.MaxLockoutSeconds) * time.Second)
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, e.clock.Now(), 0)); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if got := e.user(t, u.Sub); got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Fatalf("a right code left FailedLogins %d, LockedUntil %v", got.FailedLogins, got.LockedUntil)
	}
}

// TestTOTPDisabledUser: a disabled user's code is not checked.
func TestTOTPDisabledUser(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	secret := e.enrolTOTP(t, u.Sub)
	if err := e.svc.AdminDisableUser(ctx, e.pool, "alice"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.VerifyTOTP(ctx, e.pool, u.Sub, totpCode(t, secret, e.clock.Now(), 0))
	if !errors.Is(err, account.ErrDisabled) {
		t.Fatalf("disabled user: %v", err)
	}
}

// TestTOTPConcurrentSingleUse races two services, on two connections to
// one database file, with the same code: exactly one accepts it.
func TestTOTPConcurrentSingleUse(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	u := e.signUp(t, "alice", "alice@example.com", goodPW)
	secret := e.enrolTOTP(t, u.Sub)
	other := e.serviceOn(openDB(t, e.path), e.box)
	for round := range 10 {
		code := totpCode(t, secret, e.clock.Now(), 0)
		raceOneCode(t, fmt.Sprintf("round %d", round), []*account.Service{e.svc, other}, account.CodeMismatchException, func(svc *account.Service) error {
			_, err := svc.VerifyTOTP(ctx, e.pool, u.Sub, code)
			return err
		})
		e.clock.Advance(30 * time.Second)
	}
}

// TestTOTPSecretSealed: the stored secret is neither the Base32 text nor
// the key in any encoding, and a sealed secret copied to another user
// does not open there.
func TestTOTPSecretSealed(t *testing.T) {
	e := newEnv(t, mfaPool)
	ctx := context.Background()
	x := e.signUp(t, "alice", "alice@example.com", goodPW)
	y := e.signUp(t, "bob", "bob@example.com", goodPW)
	secret := e.enrolTOTP(t, x.Sub)
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", "file:"+e.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var column string
	if err := raw.QueryRow(`SELECT mfa FROM users WHERE pool_id = ? AND sub = ?`, e.pool.ID, x.Sub).Scan(&column); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(column, `"secret"`) {
		t.Fatalf("users.mfa has no secret: %s", column)
	}
	for _, form := range []string{
		secret, strings.ToLower(secret), string(key), hex.EncodeToString(key),
		base64.StdEncoding.EncodeToString(key), base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key),
	} {
		if strings.Contains(column, form) {
			t.Fatalf("users.mfa holds the secret in clear (%q): %s", form, column)
		}
	}

	sealed := e.user(t, x.Sub).MFA.TOTP.Secret
	if _, err := masterBox.Open(sealed, account.TOTPSecretAAD(e.pool.ID, y.Sub)); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("X's secret opened for Y: %v", err)
	}
	if err := e.db.UpdateUser(ctx, e.pool.ID, y.Sub, func(u pool.User) (pool.User, error) {
		u.MFA.TOTP = &pool.TOTPDevice{Secret: sealed}
		u.MFA.SoftwareTokenEnabled = true
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.VerifyTOTP(ctx, e.pool, y.Sub, totpCode(t, secret, e.clock.Now(), 0))
	if err == nil || account.TypeOf(err) != "" || !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("Y signed in with X's copied secret, or not as an internal failure: %v", err)
	}
	if got := e.user(t, y.Sub); got.MFA.TOTP.LastStep != 0 || got.FailedLogins != 0 {
		t.Fatalf("the failed open changed Y: %+v", got)
	}
	if _, err := e.svc.VerifyTOTP(ctx, e.pool, x.Sub, totpCode(t, secret, e.clock.Now(), 0)); err != nil {
		t.Fatalf("X: %v", err)
	}
}

func TestTOTPURI(t *testing.T) {
	p := pool.NewPool("us-east-1", "Smart Lamp", time.Now())
	u := pool.User{Username: "alice@example.com"}
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	s := account.TOTPURI(p, u, secret)
	parsed, err := url.Parse(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	q := parsed.Query()
	if parsed.Scheme != "otpauth" || parsed.Host != "totp" || parsed.Path != "/Smart Lamp:alice@example.com" {
		t.Fatalf("URI %s: label %q", s, parsed.Path)
	}
	for k, want := range map[string]string{"secret": secret, "issuer": "Smart Lamp", "algorithm": "SHA1", "digits": "6", "period": "30"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q (%s)", k, q.Get(k), want, s)
		}
	}
	key, err := otp.NewKeyFromURL(s)
	if err != nil || key.Issuer() != "Smart Lamp" || key.AccountName() != "alice@example.com" || key.Secret() != secret {
		t.Fatalf("NewKeyFromURL(%s) = %+v, %v", s, key, err)
	}
	if got := account.TOTPURI(p, u, "not base32!"); got != "" {
		t.Fatalf("bad secret gave %q", got)
	}
}
