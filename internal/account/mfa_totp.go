package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/pool"
)

// RFC 6238 parameters of the authenticator apps: the ones every app
// understands (and Cognito's).
const (
	// totpSecretSize is the key length: 160 bits, RFC 4226 §4's
	// recommendation for HMAC-SHA1.
	totpSecretSize = 20
	totpPeriod     = 30 // seconds
	totpDigits     = otp.DigitsSix
	// totpSkew is how many steps either side of the current one a code
	// may be of, for clocks that drift and codes typed at a step's end.
	totpSkew = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: totpSkew, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// b32 is the Base32 (RFC 4648) without padding that authenticator apps
// take.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Messages of the TOTP operations.
const (
	msgTOTPNotEnabled   = "Software token MFA is not enabled for the user pool."
	msgTOTPNotFound     = "Software token MFA has not been set up for the user."
	msgTOTPCodeMismatch = "Code mismatch"
	msgMFACodeMismatch  = "Invalid code received for user"
)

// AssociateSoftwareToken starts the set-up of an authenticator app for
// the user (Cognito AssociateSoftwareToken): a fresh RFC 6238 secret,
// stored sealed as the user's PendingTOTP (replacing any pending one; an
// active device stays until the new one is verified), returned Base32
// encoded without padding for the QR code and the text field.
//
// Errors: UserNotFoundException; InvalidParameterException
// ("Software token MFA is not enabled for the user pool.") when the pool
// does not offer TOTP (SoftwareTokenMfaNotFoundException is Cognito's
// name for a missing device, see VerifySoftwareToken).
func (s *Service) AssociateSoftwareToken(ctx context.Context, p pool.Pool, sub string) (secret string, err error) {
	if !offers(p, pool.FactorSoftwareToken) {
		return "", invalidParam("SoftwareTokenMfaConfiguration", msgTOTPNotEnabled)
	}
	key := make([]byte, totpSecretSize)
	_, _ = rand.Read(key) // never fails (Go 1.24+)
	now := s.now()
	_, err = s.update(ctx, p, sub, func(u *pool.User) error {
		u.MFA.PendingTOTP = &pool.TOTPDevice{Secret: s.box.Seal(key, TOTPSecretAAD(p.ID, u.Sub)), CreatedAt: now}
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return "", err
	}
	return b32.EncodeToString(key), nil
}

// TOTPSecretAAD is the seal context of a TOTP secret: the pool and the
// user, so that a sealed secret copied to another user's row does not
// open there.
func TOTPSecretAAD(poolID, sub string) []byte {
	return []byte("totp-secret/" + poolID + "/" + sub)
}

// TOTPURI returns the otpauth:// URI of secret for u (issuer: the pool's
// name; account: the user's username), which the set-up page renders as
// a QR code.
func TOTPURI(p pool.Pool, u pool.User, secret string) string {
	raw, err := b32.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(raw) == 0 || p.Name == "" || u.Username == "" {
		return ""
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: p.Name, AccountName: u.Username, Period: totpPeriod,
		Secret: raw, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return ""
	}
	return key.URL()
}

// VerifySoftwareToken checks code against the user's PendingTOTP and
// makes it the user's device (Cognito VerifySoftwareToken): named
// deviceName, SoftwareTokenEnabled, and preferred when the user has no
// preferred factor. The code's time step is recorded so it cannot sign
// in again.
//
// Errors: UserNotFoundException; SoftwareTokenMFANotFoundException
// without a pending secret; EnableSoftwareTokenMFAException
// ("Code mismatch") for a wrong code, which counts towards the lockout;
// NotAuthorizedException when locked out.
func (s *Service) VerifySoftwareToken(ctx context.Context, p pool.Pool, sub, code, deviceName string) (pool.User, error) {
	if !offers(p, pool.FactorSoftwareToken) {
		return pool.User{}, invalidParam("SoftwareTokenMfaConfiguration", msgTOTPNotEnabled)
	}
	if utf8.RuneCountInString(deviceName) > pool.MaxDeviceNameLen {
		return pool.User{}, invalidParam("FriendlyDeviceName", fmt.Sprintf("Friendly device name must be at most %d characters.", pool.MaxDeviceNameLen))
	}
	now := s.now()
	u, err := s.totpUpdate(ctx, p, sub, code, now, func(u *pool.User) *pool.TOTPDevice { return u.MFA.PendingTOTP },
		newErr(EnableSoftwareTokenMFAException, msgTOTPCodeMismatch),
		func(u *pool.User, step int64) {
			d := *u.MFA.PendingTOTP
			d.Name, d.LastStep = deviceName, step
			u.MFA.TOTP, u.MFA.PendingTOTP = &d, nil
			u.MFA.SoftwareTokenEnabled = true
			if u.MFA.Preferred == "" {
				u.MFA.Preferred = pool.FactorSoftwareToken
			}
			u.UpdatedAt = now
		})
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}

// VerifyTOTP checks a sign-in's SOFTWARE_TOKEN_MFA code (RFC 6238:
// SHA-1, 6 digits, 30-second steps, one step either side) for the user
// and returns the user. A code of a step at or before the last accepted
// one is refused (replay); a wrong code counts towards the pool's
// lockout like a wrong password; a right one resets the count.
//
// Errors: CodeMismatchException ("Invalid code received for user") for a
// wrong or replayed code; NotAuthorizedException ("Password attempts
// exceeded", Cause ErrLockedOut) when locked out;
// SoftwareTokenMFANotFoundException when the user has no device.
func (s *Service) VerifyTOTP(ctx context.Context, p pool.Pool, sub, code string) (pool.User, error) {
	u, err := s.totpUpdate(ctx, p, sub, code, s.now(), func(u *pool.User) *pool.TOTPDevice { return u.MFA.TOTP },
		newErr(CodeMismatchException, msgMFACodeMismatch),
		func(u *pool.User, step int64) {
			d := *u.MFA.TOTP
			d.LastStep = step
			u.MFA.TOTP = &d
		})
	if err != nil {
		return pool.User{}, err
	}
	return scrub(u), nil
}

// totpUpdate checks code against the device of u that device returns,
// inside the store's transaction, so that two requests with one code
// cannot both pass: a right code runs accept with its time step and
// ends any lockout count; a wrong or replayed one answers mismatch and
// counts as a failed sign-in. A locked-out user's code is not checked; a
// code that is not six digits is refused before anything is looked up.
func (s *Service) totpUpdate(ctx context.Context, p pool.Pool, sub, code string, now time.Time,
	device func(*pool.User) *pool.TOTPDevice, mismatch *Error, accept func(u *pool.User, step int64)) (pool.User, error) {
	if !isDigits(code, totpDigits.Length()) {
		return pool.User{}, invalidParam("UserCode", fmt.Sprintf("The code must be %d digits.", totpDigits.Length()))
	}
	locked, refused, missed := false, false, false
	u, err := s.update(ctx, p, sub, func(u *pool.User) error {
		locked, refused, missed = false, false, false
		d := device(u)
		switch {
		case !u.Enabled:
			return disabled()
		case d == nil:
			return newErr(SoftwareTokenMFANotFoundException, msgTOTPNotFound)
		case u.Locked(now):
			refused = true
			return lockedOut()
		}
		key, err := s.box.Open(d.Secret, TOTPSecretAAD(p.ID, u.Sub))
		if err != nil {
			return fmt.Errorf("account: open TOTP secret of %s: %w", u.Sub, err)
		}
		step, ok := matchTOTP(key, code, now, d.LastStep)
		if !ok {
			u.RecordFailedLogin(p.LockoutPolicy, now)
			locked, missed = u.Locked(now), true
			return &keep{mismatch}
		}
		accept(u, step)
		u.RecordSuccessfulLogin()
		return nil
	})
	s.countCodeOutcome(refused, missed)
	if locked {
		s.logLockout(ctx, p, sub, "wrong one-time codes")
	}
	return u, err
}

// matchTOTP returns the time step, after last, of the steps around now
// (totpSkew either side) whose code is code. Every step's code is
// computed and compared in constant time, so timing tells nothing of
// which matched.
func matchTOTP(key []byte, code string, now time.Time, last int64) (int64, bool) {
	secret := b32.EncodeToString(key)
	cur := now.Unix() / totpPeriod
	var found int64
	ok := false
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > last {
			found, ok = step, true
		}
	}
	return found, ok
}

// isDigits reports whether code is n ASCII digits.
func isDigits(code string, n int) bool {
	if len(code) != n {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// offers reports whether pool p offers second factor f.
func offers(p pool.Pool, f string) bool { return slices.Contains(p.MFA.Factors(), f) }

func lockedOut() *Error {
	return &Error{Type: NotAuthorizedException, Message: msgAttemptsExceeded, Cause: ErrLockedOut}
}
