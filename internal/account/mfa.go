package account

import (
	"slices"

	"github.com/linkpool/linkpool/internal/pool"
)

// Multi-factor sign-in: which step a sign-in that proved its first
// factor takes next. This file is the one place that decides it, for the
// hosted pages, the Cognito API and federated sign-in alike; the factors
// themselves are in mfa_totp.go, mfa_email.go and mfa_prefs.go, passkeys
// in internal/passkey.

// FirstFactor is how a sign-in proved the user before any second factor.
type FirstFactor string

// First factors.
const (
	// ByPassword: a password or an SRP proof of it.
	ByPassword FirstFactor = "password"
	// ByFederation: an identity provider's sign-in.
	ByFederation FirstFactor = "federation"
	// ByEmailOTP: a code mailed to the user (USER_AUTH EMAIL_OTP).
	ByEmailOTP FirstFactor = "email_otp"
	// ByPasskey and ByPasskeyVerified: a passkey, without or with the
	// authenticator's user verification.
	ByPasskey         FirstFactor = "passkey"
	ByPasskeyVerified FirstFactor = "passkey_uv"
)

// Challenge names of the steps that are not a factor.
const (
	ChallengeSelectMFAType = "SELECT_MFA_TYPE"
	ChallengeMFASetup      = "MFA_SETUP"
)

// Step is what a sign-in must do after its first factor.
type Step struct {
	// Challenge is "" when the sign-in is complete; pool.FactorSoftwareToken
	// or pool.FactorEmail for the code of that factor;
	// ChallengeSelectMFAType to choose among Options; ChallengeMFASetup to
	// set up one of Options (the pool requires MFA and the user has no
	// factor).
	Challenge string
	Options   []string
}

// Done reports whether the sign-in is complete.
func (s Step) Done() bool { return s.Challenge == "" }

// msgMFARequired refuses a passwordless first factor in a pool that
// requires MFA, where it does not count as two.
const msgMFARequired = "This sign-in method is not available: the user pool requires multi-factor authentication."

// NextStep decides the step after first for user u of pool p:
//
//   - MFA off: done.
//   - A passwordless first factor (email code, passkey): done when MFA
//     is optional, or when it is a passkey with user verification and
//     the pool's WebAuthn FactorConfiguration counts that as
//     multi-factor; refused (NotAuthorizedException) when the pool
//     requires MFA otherwise.
//   - A password (or SRP) or a federated sign-in: the user's enabled
//     factors that the pool offers (pool.User.MFAFactors). The preferred
//     one, or the only one, is the challenge; several without a
//     preference are SELECT_MFA_TYPE. Without any: MFA_SETUP with the
//     factors the pool offers when MFA is required (email only for a
//     user with an email address), done when optional.
//
// Federated sign-ins take the same step as passwords: in a pool that
// requires MFA no path reaches a client without the pool's second
// factor (Cognito leaves federated users to their provider).
func NextStep(p pool.Pool, u pool.User, first FirstFactor) (Step, error) {
	mode := p.MFA.MFAMode()
	if mode == pool.MFAOff {
		return Step{}, nil
	}
	switch first {
	case ByEmailOTP, ByPasskey, ByPasskeyVerified:
		if mode == pool.MFAOptional || first == ByPasskeyVerified && p.MFA.WebAuthn.PasskeyIsMultiFactor() {
			return Step{}, nil
		}
		return Step{}, notAuthorized(msgMFARequired)
	}
	factors := u.MFAFactors(p.MFA)
	switch {
	case len(factors) == 1 || len(factors) > 1 && u.MFA.Preferred == factors[0]:
		return Step{Challenge: factors[0]}, nil
	case len(factors) > 1:
		return Step{Challenge: ChallengeSelectMFAType, Options: factors}, nil
	case mode == pool.MFAOptional:
		return Step{}, nil
	}
	var setup []string
	for _, f := range p.MFA.Factors() {
		if f == pool.FactorEmail && u.Attributes[pool.AttrEmail] == "" {
			continue
		}
		setup = append(setup, f)
	}
	if len(setup) == 0 {
		return Step{}, notAuthorized(msgMFARequired)
	}
	return Step{Challenge: ChallengeMFASetup, Options: setup}, nil
}

// FirstFactors returns the first factors a sign-in in pool p may choose
// (the choice-based USER_AUTH flow, the hosted page's choices): PASSWORD
// always; EMAIL_OTP when the pool allows it, has the email factor and
// does not require MFA; WEB_AUTHN when the pool allows it, unless MFA is
// required and a verified passkey does not count as multi-factor.
func FirstFactors(p pool.Pool) []string {
	mode := p.MFA.MFAMode()
	out := []string{pool.FirstFactorPassword}
	for _, f := range p.FirstFactors() {
		switch {
		case f == pool.FirstFactorEmailOTP && p.MFA.Email && mode != pool.MFAOn:
		case f == pool.FirstFactorWebAuthn && (mode != pool.MFAOn || p.MFA.WebAuthn.PasskeyIsMultiFactor()):
		default:
			continue
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
