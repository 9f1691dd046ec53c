package passkey

import (
	"errors"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/linkpool/linkpool/internal/account"
)

// Exception names of the Cognito API's WebAuthn actions, used as
// account.Error.Type.
const (
	// WebAuthnChallengeNotFoundException: no ceremony is pending, or it
	// expired or was used already.
	WebAuthnChallengeNotFoundException = "WebAuthnChallengeNotFoundException"
	// WebAuthnOriginNotAllowedException: the page's origin is not one of
	// the relying party's.
	WebAuthnOriginNotAllowedException = "WebAuthnOriginNotAllowedException"
	// WebAuthnRelyingPartyMismatchException: the RP id does not match the
	// origin, the ceremony or the authenticator's answer.
	WebAuthnRelyingPartyMismatchException = "WebAuthnRelyingPartyMismatchException"
	// WebAuthnCredentialNotSupportedException: the authenticator's
	// credential (its key type, attestation, or missing user
	// verification) is not accepted.
	WebAuthnCredentialNotSupportedException = "WebAuthnCredentialNotSupportedException"
	// WebAuthnNotEnabledException: the pool does not allow passkeys.
	WebAuthnNotEnabledException = "WebAuthnNotEnabledException"
)

// Messages.
const (
	msgNotEnabled      = "Passkeys are not enabled for this user pool."
	msgNoChallenge     = "The passkey ceremony was not found or has expired; start it again."
	msgOrigin          = "The origin is not allowed for this relying party."
	msgRPMismatch      = "The relying party does not match the ceremony."
	msgNotSupported    = "The passkey is not supported."
	msgSignInFailed    = "The passkey could not be verified."
	msgBadCredential   = "The credential is not a valid WebAuthn response."
	msgTooMany         = "The user has the maximum number of passkeys."
	msgAlreadyUsed     = "This passkey is already registered."
	msgNameTooLong     = "The passkey name is too long."
	msgPasskeyNotFound = "The passkey was not found."
	msgUserNotFound    = "User does not exist."
	msgFederated       = "A user of an identity provider cannot register passkeys."
)

func newErr(typ, msg string) *account.Error { return &account.Error{Type: typ, Message: msg} }

func notEnabled() error   { return newErr(WebAuthnNotEnabledException, msgNotEnabled) }
func noChallenge() error  { return newErr(WebAuthnChallengeNotFoundException, msgNoChallenge) }
func rpMismatch() error   { return newErr(WebAuthnRelyingPartyMismatchException, msgRPMismatch) }
func signInFailed() error { return newErr(account.NotAuthorizedException, msgSignInFailed) }

func badCredential(cause error) error {
	return &account.Error{Type: account.InvalidParameterException, Message: msgBadCredential, Field: "Credential", Cause: cause}
}

// ceremonyError translates a verification failure of the WebAuthn
// library: a wrong origin, a wrong RP id, a challenge of another
// ceremony and an unsupported credential by their exception; anything
// else is refused as failure (the registration's, or the sign-in's
// NotAuthorizedException, which says nothing more).
func ceremonyError(err error, registration bool) error {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		if registration {
			return &account.Error{Type: WebAuthnCredentialNotSupportedException, Message: msgNotSupported, Cause: err}
		}
		return &account.Error{Type: account.NotAuthorizedException, Message: msgSignInFailed, Cause: err}
	}
	text := pe.Details + " " + pe.DevInfo
	switch {
	case strings.Contains(pe.Details, "origin"), strings.Contains(pe.Details, "Origin"):
		return &account.Error{Type: WebAuthnOriginNotAllowedException, Message: msgOrigin, Cause: err}
	case strings.Contains(text, "RP Hash mismatch"):
		return &account.Error{Type: WebAuthnRelyingPartyMismatchException, Message: msgRPMismatch, Cause: err}
	case strings.Contains(text, "Error validating challenge"):
		return &account.Error{Type: WebAuthnChallengeNotFoundException, Message: msgNoChallenge, Cause: err}
	}
	if registration {
		return &account.Error{Type: WebAuthnCredentialNotSupportedException, Message: msgNotSupported, Cause: err}
	}
	return &account.Error{Type: account.NotAuthorizedException, Message: msgSignInFailed, Cause: err}
}
