package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// FormatName and Version identify the export format in the header line.
const (
	FormatName = "linkpool-export"
	Version    = 1
)

// header is the first line of an export.
type header struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at,omitzero"`
}

// Record types, the "type" of each line after the header.
const (
	typePool         = "pool"
	typeDomain       = "domain"
	typeClient       = "client"
	typeIdp          = "identity_provider"
	typeKeySet       = "key_set"
	typeUser         = "user"
	typeGroup        = "group"
	typeMember       = "member"
	typeRefreshToken = "refresh_token"
	typeLamp         = "lamp"
	typeAlexaGrant   = "alexa_grant"
	typeEnd          = "end"
)

// envelope is one record line: its type and its data.
type envelope struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// outEnvelope is envelope for writing, without a second encoding pass.
type outEnvelope struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// Counts is how many records of each type an export holds. The end
// record carries the counts, so that an import detects a truncated file.
type Counts struct {
	Pools   int64 `json:"pools"`
	Domains int64 `json:"domains"`
	Clients int64 `json:"clients"`
	// IdentityProviders is omitted when zero, so that an export without
	// providers stays readable by versions that predate them.
	IdentityProviders int64 `json:"identity_providers,omitempty"`
	KeySets           int64 `json:"key_sets"`
	Users             int64 `json:"users"`
	Groups            int64 `json:"groups"`
	Members           int64 `json:"members"`
	RefreshTokens     int64 `json:"refresh_tokens"`
	Lamps             int64 `json:"lamps"`
	AlexaGrants       int64 `json:"alexa_grants"`
	SAMLKeys          int64 `json:"saml_keys,omitempty"`
	// WebAuthnCredentials (passkeys) is omitted when zero, like
	// IdentityProviders.
	WebAuthnCredentials int64 `json:"webauthn_credentials,omitempty"`
	// AuditRecords is omitted when zero, like IdentityProviders.
	AuditRecords int64 `json:"audit_records,omitempty"`
}

// add counts one record of type typ.
func (c *Counts) add(typ string) {
	switch typ {
	case typePool:
		c.Pools++
	case typeDomain:
		c.Domains++
	case typeClient:
		c.Clients++
	case typeIdp:
		c.IdentityProviders++
	case typeKeySet:
		c.KeySets++
	case typeSAMLKey:
		c.SAMLKeys++
	case typeUser:
		c.Users++
	case typeGroup:
		c.Groups++
	case typeMember:
		c.Members++
	case typeRefreshToken:
		c.RefreshTokens++
	case typeWebAuthnCredential:
		c.WebAuthnCredentials++
	case typeLamp:
		c.Lamps++
	case typeAlexaGrant:
		c.AlexaGrants++
	case typeAuditRecord:
		c.AuditRecords++
	}
}

// String lists the counts; identity providers only when there are some,
// as in the end record.
func (c Counts) String() string {
	idps := ""
	if c.IdentityProviders != 0 {
		idps = fmt.Sprintf("%d identity providers, ", c.IdentityProviders)
	}
	return fmt.Sprintf("%d pools, %d domains, %d clients, %s%d key sets, %d users, %d groups, %d memberships, %d refresh tokens, %d lamps, %d Alexa grants",
		c.Pools, c.Domains, c.Clients, idps, c.KeySets, c.Users, c.Groups, c.Members, c.RefreshTokens, c.Lamps, c.AlexaGrants) +
		optionalCount(c.SAMLKeys, "SAML keys") + optionalCount(c.WebAuthnCredentials, "passkeys") + optionalCount(c.AuditRecords, "audit records")
}

// optionalCount lists a count that the end record leaves out when it is
// zero, so that exports without such records read as before.
func optionalCount(n int64, what string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d %s", n, what)
}

// endRecord is the last line.
type endRecord struct {
	Counts Counts `json:"counts"`
}

// ErrNotEmpty is returned by Import when the target store already holds
// pools, lamps or Alexa grants. An import never merges into live data.
var ErrNotEmpty = errors.New("transfer: the target store is not empty; import needs a fresh database")

// FormatError reports input that is not a well-formed export: a bad
// header, a line that does not decode, a record that refers to one not
// seen before it, a missing end record. Line is 1-based. The message
// never quotes record contents, which may include hashes and sealed
// secrets.
type FormatError struct {
	Line   int64
	Reason string
}

func (e *FormatError) Error() string {
	if e.Line == 0 {
		return "transfer: " + e.Reason
	}
	return fmt.Sprintf("transfer: line %d: %s", e.Line, e.Reason)
}

// SealError reports a sealed value in the export that does not open with
// the configured master key: the export was made by a deployment with
// another master key (or was altered). Import needs the same master key
// as the export's source.
type SealError struct {
	Line int64
	What string // "secret of client <id>", "signing keys of pool <id>", ...
	Err  error
}

func (e *SealError) Error() string {
	return fmt.Sprintf("transfer: line %d: %s does not open with this master key (import needs the master key of the exporting deployment): %v", e.Line, e.What, e.Err)
}

func (e *SealError) Unwrap() error { return e.Err }
