package passkey

import (
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// Enabled reports whether pool p offers passkeys, for registration and
// sign-in alike: WEB_AUTHN is among the first factors a sign-in may
// choose (account.FirstFactors), so the pool allows it and, where it
// requires MFA, counts a passkey with user verification as two factors.
// A pool registers no passkey that could not sign in; listing and
// deleting passkeys do not depend on it.
func Enabled(p pool.Pool) bool {
	return slices.Contains(account.FirstFactors(p), pool.FirstFactorWebAuthn)
}

// userVerification is the user verification the pool's ceremonies
// require: its WebAuthn UserVerification, and "required" where MFA is
// required, since only a passkey that verified its user signs in there.
func userVerification(p pool.Pool) string {
	if p.MFA.MFAMode() == pool.MFAOn {
		return pool.UserVerificationRequired
	}
	return p.MFA.WebAuthn.UserVerificationOrDefault()
}
