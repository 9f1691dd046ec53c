package transfer

import (
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// typeWebAuthnCredential is a user's passkey (pool.WebAuthnCredential),
// after every pool and so after its user. An export of a deployment
// without passkeys has no such line, and its end record no
// webauthn_credentials count, so readers from before them read it.
const typeWebAuthnCredential = "webauthn_credential"

// webAuthnCredentialRecord is pool.WebAuthnCredential field for field,
// its pool and user included. Nothing in it is secret.
type webAuthnCredentialRecord struct {
	PoolID          string    `json:"pool_id"`
	Sub             string    `json:"sub"`
	ID              []byte    `json:"id"`
	PublicKey       []byte    `json:"public_key"`
	AttestationType string    `json:"attestation_type,omitempty"`
	AAGUID          []byte    `json:"aaguid,omitempty"`
	SignCount       uint32    `json:"sign_count"`
	Transports      []string  `json:"transports,omitempty"`
	Attachment      string    `json:"attachment,omitempty"`
	UserPresent     bool      `json:"user_present,omitempty"`
	UserVerified    bool      `json:"user_verified,omitempty"`
	BackupEligible  bool      `json:"backup_eligible,omitempty"`
	BackupState     bool      `json:"backup_state,omitempty"`
	Name            string    `json:"name,omitempty"`
	RelyingPartyID  string    `json:"relying_party_id"`
	CreatedAt       time.Time `json:"created_at,omitzero"`
	LastUsedAt      time.Time `json:"last_used_at,omitzero"`
}

// checkWebAuthnCredential returns why the passkey cannot be stored, or
// "". That its user precedes it is the store's check (a foreign key):
// the validator keeps no user ids.
func checkWebAuthnCredential(c pool.WebAuthnCredential) string {
	switch {
	case c.Sub == "":
		return "passkey without a sub"
	case len(c.ID) == 0:
		return "passkey of user " + c.Sub + " without an id"
	case len(c.PublicKey) == 0:
		return "passkey of user " + c.Sub + " without a public key"
	case c.RelyingPartyID == "":
		return "passkey of user " + c.Sub + " without a relying party"
	}
	return ""
}
