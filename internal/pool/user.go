package pool

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// User statuses (Cognito UserStatusType).
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
)

// Code purposes of a pending one-time code.
const (
	CodeSignUp        = "signup"
	CodeResetPassword = "reset"
	// CodeVerifyEmail verifies an email address a signed-in user added or
	// changed (GetUserAttributeVerificationCode, VerifyUserAttribute).
	CodeVerifyEmail = "verify_email"
)

// PendingCode is the user's one-time code: the code sent last, stored
// only as a hash, and the day's counts of codes sent and wrong guesses.
// Once the code is used or voided, Purpose and Hash are empty and only
// the counts remain, so that a daily cap holds across codes.
type PendingCode struct {
	Purpose   string    `json:"purpose"`
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempts  int       `json:"attempts"`
	SentAt    time.Time `json:"sent_at"`

	// DayStart starts the 24 hours in which DaySent codes were sent to
	// the user and DayMisses wrong codes were tried, for any purpose.
	DayStart  time.Time `json:"day_start,omitzero"`
	DaySent   int       `json:"day_sent,omitempty"`
	DayMisses int       `json:"day_misses,omitempty"`
}

// Active reports whether a code of purpose is pending (it may have
// expired).
func (c *PendingCode) Active(purpose string) bool {
	return c != nil && c.Hash != "" && c.Purpose == purpose
}

// User is a user of a pool: Cognito's UserType plus the private fields the
// server keeps.
type User struct {
	PoolID   string `json:"UserPoolId"`
	Sub      string `json:"Sub"`
	Username string `json:"Username"`
	// UsernameKey is Username normalised by the pool's case sensitivity;
	// it is unique per pool.
	UsernameKey string `json:"-"`
	// EmailKey is the normalised email address when the pool signs users
	// in by email (username attribute or alias); it is unique per pool.
	// Empty otherwise.
	EmailKey string `json:"-"`

	// Attributes holds standard and "custom:" attributes as strings, the
	// way Cognito stores them. "sub" is not duplicated here.
	Attributes map[string]string `json:"Attributes"`
	Status     string            `json:"UserStatus"`
	Enabled    bool              `json:"Enabled"`

	// PasswordHash is a PHC-format argon2id hash.
	PasswordHash string `json:"-"`
	// PasswordSetAt is when the password was last set; temporary passwords
	// expire relative to it.
	PasswordSetAt time.Time `json:"-"`
	// SRPSalt (hex) and SRPVerifier are the password's SRP verifier
	// (internal/srp) for USER_SRP_AUTH; SRPVerifier is sealed with the
	// master key (SRPVerifierAAD). Both are empty until the password is
	// set or proved with this server (internal/account).
	SRPSalt     string `json:"-"`
	SRPVerifier []byte `json:"-"`

	FailedLogins int       `json:"-"`
	LockedUntil  time.Time `json:"-"`

	Code *PendingCode `json:"-"`

	// Identities are the provider identities linked to the user: the
	// identity a federated user was created by (Primary "true") and any
	// linked by AdminLinkProviderForUser. The store keeps them unique per
	// pool, provider and subject (GetUserByIdentity); they are the
	// "identities" attribute and ID-token claim.
	Identities []Identity `json:"-"`

	// TokensValidAfter invalidates every token and session issued before
	// it (global sign-out).
	TokensValidAfter time.Time `json:"-"`

	// MFA is the user's multi-factor state (its TOTP secret sealed).
	MFA UserMFA `json:"-"`

	CreatedAt time.Time `json:"UserCreateDate"`
	UpdatedAt time.Time `json:"UserLastModifiedDate"`
}

// SRPVerifierAAD binds a sealed SRP verifier to its pool and user, so
// that sealed values cannot be swapped between rows.
func (u *User) SRPVerifierAAD() []byte { return []byte("srp-verifier/" + u.PoolID + "/" + u.Sub) }

// Email returns the email attribute.
func (u *User) Email() string { return u.Attributes[AttrEmail] }

// EmailVerified reports whether the email attribute is verified.
func (u *User) EmailVerified() bool { return u.Attributes[AttrEmailVerified] == "true" }

// Locked reports whether the user is locked out at now.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// RecordFailedLogin counts a failed sign-in and locks the user by policy:
// after MaxFailedAttempts failures the lockout starts at BaseLockoutSeconds
// and doubles with each further failure, capped at MaxLockoutSeconds.
func (u *User) RecordFailedLogin(p LockoutPolicy, now time.Time) {
	u.FailedLogins++
	over := u.FailedLogins - p.MaxFailedAttempts
	if over < 0 {
		return
	}
	d := time.Duration(p.BaseLockoutSeconds) * time.Second
	for i := 0; i < over && d < time.Duration(p.MaxLockoutSeconds)*time.Second; i++ {
		d *= 2
	}
	if max := time.Duration(p.MaxLockoutSeconds) * time.Second; d > max {
		d = max
	}
	u.LockedUntil = now.Add(d)
}

// RecordSuccessfulLogin clears the failure counter.
func (u *User) RecordSuccessfulLogin() {
	u.FailedLogins = 0
	u.LockedUntil = time.Time{}
}

// Standard attributes of OpenID Connect Core §5.1 that Cognito supports.
var StandardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender",
	"given_name", "locale", "middle_name", "name", "nickname", "phone_number",
	"phone_number_verified", "picture", "preferred_username", "profile",
	"updated_at", "website", "zoneinfo",
}

// ProfileAttributes are released by the "profile" scope.
var ProfileAttributes = []string{
	"name", "family_name", "given_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "gender",
	"birthdate", "zoneinfo", "locale", "updated_at", "address",
}

var usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)

// ValidateUsername applies Cognito's username rule: 1-128 letters, marks,
// symbols, digits or punctuation, no white space.
func ValidateUsername(name string) error {
	if !usernamePattern.MatchString(name) {
		return invalid("Username", "must be 1-128 characters without spaces")
	}
	return nil
}

// ValidateEmail checks an email address attribute.
func ValidateEmail(email string) error {
	if len(email) > 254 {
		return invalid("email", "too long")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return invalid("email", "%q is not an email address", email)
	}
	return nil
}

// ValidateAttributes checks user attributes against the pool: names are
// standard or declared custom attributes, values at most 2048 characters,
// without NUL, and email, when present, is an address.
func (p *Pool) ValidateAttributes(attrs map[string]string) error {
	for name, value := range attrs {
		if utf8.RuneCountInString(value) > 2048 {
			return invalid(name, "value longer than 2048 characters")
		}
		// PostgreSQL cannot store NUL, and the filter indexes of
		// ListUsers key pages on values without it.
		if strings.IndexByte(value, 0) >= 0 {
			return invalid(name, "value contains NUL")
		}
		if strings.HasPrefix(name, "custom:") {
			if _, ok := p.CustomAttribute(name); !ok {
				return invalid(name, "custom attribute is not in the pool schema")
			}
			continue
		}
		if name == "sub" {
			return invalid(name, "sub cannot be set")
		}
		if !isStandardAttribute(name) {
			return invalid(name, "unknown attribute; custom attributes need the custom: prefix")
		}
		switch name {
		case AttrEmail:
			if err := ValidateEmail(value); err != nil {
				return err
			}
		case AttrEmailVerified, "phone_number_verified":
			if value != "true" && value != "false" {
				return invalid(name, "must be true or false")
			}
		}
	}
	if p.EmailIsUsername() && attrs[AttrEmail] == "" {
		return invalid(AttrEmail, "required: the pool signs users in with their email address")
	}
	return nil
}

func isStandardAttribute(name string) bool {
	for _, a := range StandardAttributes {
		if a == name {
			return true
		}
	}
	return false
}

// CheckPassword applies the pool's password policy. The message follows
// Cognito's InvalidPasswordException wording.
func (p *Pool) CheckPassword(pw string) error {
	pp := p.PasswordPolicy
	const prefix = "Password did not conform with policy: "
	if utf8.RuneCountInString(pw) > 256 || strings.ContainsAny(pw, "\r\n") {
		return &PasswordPolicyError{Reason: prefix + "Password is too long"}
	}
	if utf8.RuneCountInString(pw) < pp.MinimumLength {
		return &PasswordPolicyError{Reason: prefix + "Password not long enough", Rule: "length"}
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(`^$*.[]{}()?"!@#%&/\,><':;|_~`+"`=+- ", r):
			symbol = true
		}
	}
	switch {
	case pp.RequireUppercase && !upper:
		return &PasswordPolicyError{Reason: prefix + "Password must have uppercase characters", Rule: "uppercase"}
	case pp.RequireLowercase && !lower:
		return &PasswordPolicyError{Reason: prefix + "Password must have lowercase characters", Rule: "lowercase"}
	case pp.RequireNumbers && !digit:
		return &PasswordPolicyError{Reason: prefix + "Password must have numeric characters", Rule: "numbers"}
	case pp.RequireSymbols && !symbol:
		return &PasswordPolicyError{Reason: prefix + "Password must have symbol characters", Rule: "symbols"}
	}
	return nil
}

// PasswordPolicyError is a password rejected by the pool's policy. Rule is
// one of length, uppercase, lowercase, numbers or symbols, for messages.
type PasswordPolicyError struct {
	Reason string
	Rule   string
}

func (e *PasswordPolicyError) Error() string { return e.Reason }

// Group is a group of users in a pool (Cognito GroupType).
type Group struct {
	PoolID      string    `json:"UserPoolId"`
	Name        string    `json:"GroupName"`
	Description string    `json:"Description,omitempty"`
	Precedence  *int      `json:"Precedence,omitempty"`
	RoleArn     string    `json:"RoleArn,omitempty"`
	CreatedAt   time.Time `json:"CreationDate"`
	UpdatedAt   time.Time `json:"LastModifiedDate"`
}

var groupNamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)

// Validate checks the group settings.
func (g *Group) Validate() error {
	if !groupNamePattern.MatchString(g.Name) {
		return invalid("GroupName", "must be 1-128 characters without spaces")
	}
	if len(g.Description) > 2048 {
		return invalid("Description", "at most 2048 characters")
	}
	if g.Precedence != nil && *g.Precedence < 0 {
		return invalid("Precedence", "must not be negative")
	}
	if g.RoleArn != "" && !strings.HasPrefix(g.RoleArn, "arn:") {
		return invalid("RoleArn", "must be an ARN")
	}
	return nil
}

// Domain maps a host name to a pool. A prefix domain is served at
// "<prefix>.<auth base domain>"; a custom domain is a full host name.
type Domain struct {
	Domain    string    `json:"Domain"`
	PoolID    string    `json:"UserPoolId"`
	Custom    bool      `json:"Custom"`
	CreatedAt time.Time `json:"CreationDate"`
}

var (
	prefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	hostPattern   = regexp.MustCompile(`^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// Validate applies Cognito's domain rules: a prefix is 1-63 lower-case
// letters, digits and hyphens and may not contain aws, amazon or cognito;
// a custom domain is a fully qualified host name.
func (d *Domain) Validate() error {
	if d.Custom {
		if len(d.Domain) > 253 || !hostPattern.MatchString(d.Domain) {
			return invalid("Domain", "%q is not a fully qualified lower-case host name", d.Domain)
		}
		return nil
	}
	if !prefixPattern.MatchString(d.Domain) {
		return invalid("Domain", "prefix must be 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen")
	}
	for _, w := range []string{"aws", "amazon", "cognito"} {
		if strings.Contains(d.Domain, w) {
			return invalid("Domain", "prefix may not contain %q", w)
		}
	}
	return nil
}

// String renders a short description for logs.
func (d Domain) String() string { return fmt.Sprintf("%s -> %s", d.Domain, d.PoolID) }
