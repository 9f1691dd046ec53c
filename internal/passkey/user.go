package passkey

import (
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/linkpool/linkpool/internal/pool"
)

// user is the webauthn.User of a pool user: the user handle is the
// user's sub, so a discoverable passkey names its user.
type user struct {
	u     pool.User
	creds []pool.WebAuthnCredential
}

func (w *user) WebAuthnID() []byte   { return []byte(w.u.Sub) }
func (w *user) WebAuthnName() string { return w.u.Username }

// WebAuthnDisplayName is the user's name, else the email address, else
// the username.
func (w *user) WebAuthnDisplayName() string {
	for _, a := range []string{"name", pool.AttrEmail} {
		if v := w.u.Attributes[a]; v != "" {
			return v
		}
	}
	return w.u.Username
}

func (w *user) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(w.creds))
	for i, c := range w.creds {
		out[i] = toLibrary(c)
	}
	return out
}

// toLibrary converts a stored passkey to the library's credential.
func toLibrary(c pool.WebAuthnCredential) webauthn.Credential {
	tr := make([]protocol.AuthenticatorTransport, len(c.Transports))
	for i, t := range c.Transports {
		tr[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID: c.ID, PublicKey: c.PublicKey, AttestationType: c.AttestationType, Transport: tr,
		Flags: webauthn.CredentialFlags{
			UserPresent: c.UserPresent, UserVerified: c.UserVerified,
			BackupEligible: c.BackupEligible, BackupState: c.BackupState,
		},
		Authenticator: webauthn.Authenticator{
			AAGUID: c.AAGUID, SignCount: c.SignCount, Attachment: protocol.AuthenticatorAttachment(c.Attachment),
		},
	}
}

// fromLibrary converts a registered credential to a stored passkey.
func fromLibrary(c *webauthn.Credential) pool.WebAuthnCredential {
	tr := make([]string, len(c.Transport))
	for i, t := range c.Transport {
		tr[i] = string(t)
	}
	return pool.WebAuthnCredential{
		ID: c.ID, PublicKey: c.PublicKey, AttestationType: c.AttestationType, AAGUID: c.Authenticator.AAGUID,
		SignCount: c.Authenticator.SignCount, Transports: tr, Attachment: string(c.Authenticator.Attachment),
		UserPresent: c.Flags.UserPresent, UserVerified: c.Flags.UserVerified,
		BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState,
	}
}

// descriptors lists passkeys for allowCredentials and excludeCredentials.
func descriptors(creds []pool.WebAuthnCredential) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, len(creds))
	for i, c := range creds {
		lc := toLibrary(c)
		out[i] = lc.Descriptor()
	}
	return out
}

// relyingParty returns the library's relying party for rp.
func relyingParty(rp RP) (*webauthn.WebAuthn, error) {
	rrk := true
	return webauthn.New(&webauthn.Config{
		RPID: rp.ID, RPDisplayName: rp.Name, RPOrigins: rp.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			RequireResidentKey: &rrk, ResidentKey: protocol.ResidentKeyRequirementRequired,
			UserVerification: uvRequirement(rp),
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
			Registration: webauthn.TimeoutConfig{Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
		},
	})
}

func uvRequirement(rp RP) protocol.UserVerificationRequirement {
	if rp.UserVerification == pool.UserVerificationRequired {
		return protocol.VerificationRequired
	}
	return protocol.VerificationPreferred
}
