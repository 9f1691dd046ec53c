package pool

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Multi-factor modes (Cognito's MfaConfiguration, UserPoolMfaType).
const (
	MFAOff      = "OFF"
	MFAOptional = "OPTIONAL"
	MFAOn       = "ON"
)

// Factors, by their Cognito challenge names. FactorSoftwareToken and
// FactorEmail are second factors (and FactorEmail a passwordless first
// factor); FactorWebAuthn is a passkey, a first factor that satisfies
// the second when the authenticator verified the user and the pool's
// WebAuthn FactorConfiguration says so.
const (
	FactorSoftwareToken = "SOFTWARE_TOKEN_MFA"
	FactorEmail         = "EMAIL_OTP"
	FactorWebAuthn      = "WEB_AUTHN"
)

// First authentication factors (Cognito's SignInPolicy
// AllowedFirstAuthFactors, AuthFactorType) a pool may allow in the
// choice-based USER_AUTH flow and on the hosted sign-in page.
const (
	FirstFactorPassword = "PASSWORD"
	FirstFactorEmailOTP = "EMAIL_OTP"
	FirstFactorWebAuthn = "WEB_AUTHN"
)

// WebAuthn settings (Cognito's WebAuthnConfigurationType).
const (
	UserVerificationRequired  = "required"
	UserVerificationPreferred = "preferred"

	WebAuthnSingleFactor                    = "SINGLE_FACTOR"
	WebAuthnMultiFactorWithUserVerification = "MULTI_FACTOR_WITH_USER_VERIFICATION"
)

// Code purposes of the one-time codes mailed by the email factor; they
// live in UserMFA.EmailCode, apart from PendingCode's sign-up, reset and
// verification codes, so a sign-in never voids a reset code.
const (
	CodeEmailMFA    = "email_mfa"     // second factor after a password
	CodeEmailSignIn = "email_sign_in" // passwordless first factor (USER_AUTH EMAIL_OTP)
)

// Limits.
const (
	// MaxPasskeys is how many passkeys a user may register (Cognito: 20).
	MaxPasskeys = 20
	// MaxEmailMFAMessage bounds EmailMfaConfiguration.Message (Cognito:
	// 6-20000 characters, with the {####} placeholder).
	MaxEmailMFAMessage = 20000
	// MaxEmailMFASubject bounds EmailMfaConfiguration.Subject (1-140).
	MaxEmailMFASubject = 140
	// MaxDeviceNameLen bounds a TOTP device's FriendlyDeviceName and a
	// passkey's FriendlyCredentialName.
	MaxDeviceNameLen = 128
)

// MFAConfig is a pool's multi-factor configuration, Cognito's
// SetUserPoolMfaConfig / GetUserPoolMfaConfig. The zero value is MFA
// off, TOTP and email disabled, passkeys with the defaults.
type MFAConfig struct {
	// Mode is MFAOff ("" reads as off), MFAOptional or MFAOn.
	Mode string `json:"MfaConfiguration,omitempty"`
	// SoftwareToken enables TOTP authenticator apps as a second factor
	// (SoftwareTokenMfaConfiguration.Enabled).
	SoftwareToken bool `json:"SoftwareTokenEnabled,omitempty"`
	// Email enables one-time codes by email as a second factor
	// (EmailMfaConfiguration present); with FirstFactorEmailOTP in the
	// pool's AllowedFirstAuthFactors, as a passwordless first factor too.
	Email bool `json:"EmailEnabled,omitempty"`
	// EmailSubject and EmailMessage override the localized mail of the
	// email factor; EmailMessage holds Cognito's {####} placeholder.
	EmailSubject string `json:"EmailSubject,omitempty"`
	EmailMessage string `json:"EmailMessage,omitempty"`
	// WebAuthn configures passkeys.
	WebAuthn WebAuthnConfig `json:"WebAuthn"`
}

// WebAuthnConfig is Cognito's WebAuthnConfigurationType.
type WebAuthnConfig struct {
	// RelyingPartyID is the passkeys' relying party: a host name the
	// pages' origins are equal to or under. Empty: the host the hosted
	// pages are served at (the pool's domain).
	RelyingPartyID string `json:"RelyingPartyId,omitempty"`
	// UserVerification is UserVerificationPreferred ("" reads so) or
	// UserVerificationRequired.
	UserVerification string `json:"UserVerification,omitempty"`
	// FactorConfiguration is WebAuthnSingleFactor ("" reads so) or
	// WebAuthnMultiFactorWithUserVerification: a passkey sign-in whose
	// authenticator verified the user then satisfies MFA.
	FactorConfiguration string `json:"FactorConfiguration,omitempty"`
}

// MFAMode returns the pool's MFA mode, MFAOff when unset.
func (c MFAConfig) MFAMode() string {
	if c.Mode == "" {
		return MFAOff
	}
	return c.Mode
}

// Factors returns the second factors the pool offers, in Cognito's
// order: SOFTWARE_TOKEN_MFA, EMAIL_OTP. None when MFA is off.
func (c MFAConfig) Factors() []string {
	if c.MFAMode() == MFAOff {
		return nil
	}
	var f []string
	if c.SoftwareToken {
		f = append(f, FactorSoftwareToken)
	}
	if c.Email {
		f = append(f, FactorEmail)
	}
	return f
}

// UserVerificationOrDefault returns UserVerification, "preferred" when
// unset.
func (w WebAuthnConfig) UserVerificationOrDefault() string {
	if w.UserVerification == "" {
		return UserVerificationPreferred
	}
	return w.UserVerification
}

// PasskeyIsMultiFactor reports whether a passkey sign-in with user
// verification satisfies MFA.
func (w WebAuthnConfig) PasskeyIsMultiFactor() bool {
	return w.FactorConfiguration == WebAuthnMultiFactorWithUserVerification
}

// Validate checks the configuration; the error is a *ValidationError
// with Cognito's member names.
func (c MFAConfig) Validate() error {
	switch c.Mode {
	case "", MFAOff, MFAOptional, MFAOn:
	default:
		return invalid("MfaConfiguration", "must be OFF, OPTIONAL or ON, got %q", c.Mode)
	}
	if c.MFAMode() != MFAOff && !c.SoftwareToken && !c.Email {
		return invalid("MfaConfiguration", "%s needs a factor: enable SoftwareTokenMfaConfiguration or EmailMfaConfiguration", c.Mode)
	}
	if c.EmailMessage != "" {
		n := utf8.RuneCountInString(c.EmailMessage)
		if n < 6 || n > MaxEmailMFAMessage || !strings.Contains(c.EmailMessage, "{####}") {
			return invalid("EmailMfaConfiguration.Message", "must be 6-%d characters and contain {####}", MaxEmailMFAMessage)
		}
	}
	if n := utf8.RuneCountInString(c.EmailSubject); n > MaxEmailMFASubject || (c.EmailSubject != "" && strings.TrimSpace(c.EmailSubject) == "") {
		return invalid("EmailMfaConfiguration.Subject", "must be 1-%d characters", MaxEmailMFASubject)
	}
	w := c.WebAuthn
	if w.RelyingPartyID != "" && !validHostName(w.RelyingPartyID) {
		return invalid("WebAuthnConfiguration.RelyingPartyId", "must be a host name of at most 127 characters, got %q", w.RelyingPartyID)
	}
	switch w.UserVerification {
	case "", UserVerificationPreferred, UserVerificationRequired:
	default:
		return invalid("WebAuthnConfiguration.UserVerification", "must be required or preferred, got %q", w.UserVerification)
	}
	switch w.FactorConfiguration {
	case "", WebAuthnSingleFactor, WebAuthnMultiFactorWithUserVerification:
	default:
		return invalid("WebAuthnConfiguration.FactorConfiguration", "must be SINGLE_FACTOR or MULTI_FACTOR_WITH_USER_VERIFICATION, got %q", w.FactorConfiguration)
	}
	return nil
}

// validHostName reports whether s is a lower-case DNS host name (or
// "localhost") of at most 127 characters.
func validHostName(s string) bool {
	return len(s) <= 127 && IsDNSName(s)
}

// IsDNSName reports whether s is a lower-case DNS name: labels of 1 to 63
// letters, digits and hyphens, none at either end of a label, joined by
// dots (so no empty name, and no dot at either end).
func IsDNSName(s string) bool {
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// FirstFactors returns the first factors the pool allows
// (AllowedFirstAuthFactors), [PASSWORD] when unset.
func (p *Pool) FirstFactors() []string {
	if len(p.AllowedFirstAuthFactors) == 0 {
		return []string{FirstFactorPassword}
	}
	return p.AllowedFirstAuthFactors
}

// AllowsFirstFactor reports whether the pool allows first factor f.
func (p *Pool) AllowsFirstFactor(f string) bool { return slices.Contains(p.FirstFactors(), f) }

// ValidateFirstFactors checks AllowedFirstAuthFactors: PASSWORD must be
// among them (Cognito), each at most once, and EMAIL_OTP needs the
// email factor enabled.
func (p *Pool) ValidateFirstFactors() error {
	f := p.AllowedFirstAuthFactors
	if len(f) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, v := range f {
		switch v {
		case FirstFactorPassword, FirstFactorEmailOTP, FirstFactorWebAuthn:
		default:
			return invalid("Policies.SignInPolicy.AllowedFirstAuthFactors", "%q is not PASSWORD, EMAIL_OTP or WEB_AUTHN", v)
		}
		if seen[v] {
			return invalid("Policies.SignInPolicy.AllowedFirstAuthFactors", "%q is listed twice", v)
		}
		seen[v] = true
	}
	if !seen[FirstFactorPassword] {
		return invalid("Policies.SignInPolicy.AllowedFirstAuthFactors", "must include PASSWORD")
	}
	if seen[FirstFactorEmailOTP] && !p.MFA.Email {
		return invalid("Policies.SignInPolicy.AllowedFirstAuthFactors", "EMAIL_OTP needs EmailMfaConfiguration")
	}
	return nil
}

// UserMFA is a user's multi-factor state: the TOTP device, the enabled
// factors and the preferred one (Cognito's UserMFASettingList and
// PreferredMfaSetting), and the pending one-time codes and ceremonies.
// Passkeys are rows of their own (WebAuthnCredential).
type UserMFA struct {
	// TOTP is the verified authenticator app; PendingTOTP one associated
	// (AssociateSoftwareToken) but not yet verified.
	TOTP        *TOTPDevice `json:"totp,omitempty"`
	PendingTOTP *TOTPDevice `json:"pending_totp,omitempty"`
	// SoftwareTokenEnabled and EmailEnabled are the enabled factors.
	SoftwareTokenEnabled bool `json:"totp_enabled,omitempty"`
	EmailEnabled         bool `json:"email_enabled,omitempty"`
	// Preferred is FactorSoftwareToken, FactorEmail or "".
	Preferred string `json:"preferred,omitempty"`
	// EmailCode is the mailed one-time code of the email factor
	// (Purpose CodeEmailMFA or CodeEmailSignIn), stored as its HMAC, with
	// its own daily send and miss counts.
	EmailCode *PendingCode `json:"email_code,omitempty"`
	// WebAuthnRegistration is the pending passkey registration
	// (StartWebAuthnRegistration): the ceremony's state, opaque to all
	// but internal/passkey, and when it expires.
	WebAuthnRegistration *PendingCeremony `json:"webauthn_registration,omitempty"`
}

// EnabledFactors returns the second factors the user has enabled, as
// Cognito's UserMFASettingList has them: the authenticator app's once
// its device is verified, then email; nil for none.
func (m UserMFA) EnabledFactors() []string {
	var f []string
	if m.SoftwareTokenEnabled && m.TOTP != nil {
		f = append(f, FactorSoftwareToken)
	}
	if m.EmailEnabled {
		f = append(f, FactorEmail)
	}
	return f
}

// TOTPDevice is an authenticator app's shared secret.
type TOTPDevice struct {
	// Secret is the RFC 6238 key sealed with the master key, bound to the
	// pool and user (never the clear key).
	Secret []byte `json:"secret"`
	// Name is the FriendlyDeviceName.
	Name string `json:"name,omitempty"`
	// LastStep is the time step (unix time / 30) of the last code
	// accepted: a code of that step or an earlier one is refused, so a
	// used code cannot be used again.
	LastStep  int64     `json:"last_step,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// PendingCeremony is the stored state of an unfinished WebAuthn
// ceremony.
type PendingCeremony struct {
	State     []byte    `json:"state"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MFAFactors returns the second factors the user has enabled and the
// pool offers, the preferred one first.
func (u *User) MFAFactors(c MFAConfig) []string {
	var f []string
	enabled := u.MFA.EnabledFactors()
	for _, v := range c.Factors() {
		if slices.Contains(enabled, v) && (v != FactorEmail || u.Attributes[AttrEmail] != "") {
			f = append(f, v)
		}
	}
	if i := slices.Index(f, u.MFA.Preferred); i > 0 {
		f[0], f[i] = f[i], f[0]
	}
	return f
}

// WebAuthnCredential is a user's passkey: the public key and what the
// authenticator reported at registration. Nothing in it is secret.
type WebAuthnCredential struct {
	PoolID string `json:"-"`
	Sub    string `json:"-"`
	// ID is the credential id, unique in the pool.
	ID              []byte   `json:"id"`
	PublicKey       []byte   `json:"public_key"`
	AttestationType string   `json:"attestation_type,omitempty"`
	AAGUID          []byte   `json:"aaguid,omitempty"`
	SignCount       uint32   `json:"sign_count"`
	Transports      []string `json:"transports,omitempty"`
	// Attachment is "platform" or "cross-platform" (or "").
	Attachment     string `json:"attachment,omitempty"`
	UserPresent    bool   `json:"user_present,omitempty"`
	UserVerified   bool   `json:"user_verified,omitempty"`
	BackupEligible bool   `json:"backup_eligible,omitempty"`
	BackupState    bool   `json:"backup_state,omitempty"`
	// Name is the FriendlyCredentialName.
	Name string `json:"name,omitempty"`
	// RelyingPartyID is the RP id it was registered for.
	RelyingPartyID string    `json:"relying_party_id"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
}
