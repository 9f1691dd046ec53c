package account

import (
	"context"
	"errors"

	"github.com/linkpool/linkpool/internal/pool"
)

// errTODO marks the multi-factor operations still to be written.
var errTODO = errors.New("account: not implemented")

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
	return "", errTODO
}

// TOTPURI returns the otpauth:// URI of secret for u (issuer: the pool's
// name; account: the user's username), which the set-up page renders as
// a QR code.
func TOTPURI(p pool.Pool, u pool.User, secret string) string { return "" }

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
	return pool.User{}, errTODO
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
	return pool.User{}, errTODO
}
