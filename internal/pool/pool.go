package pool

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Signing algorithms a pool can sign tokens with.
const (
	AlgRS256 = "RS256" // default: what Cognito publishes and what most verifiers expect
	AlgES256 = "ES256" // faster signing, smaller tokens
)

// Attribute names with special meaning.
const (
	AttrEmail             = "email"
	AttrEmailVerified     = "email_verified"
	AttrPhoneNumber       = "phone_number"
	AttrPreferredUsername = "preferred_username"
)

// PasswordPolicy is Cognito's Policies.PasswordPolicy.
type PasswordPolicy struct {
	MinimumLength                 int  `json:"MinimumLength"`
	RequireUppercase              bool `json:"RequireUppercase"`
	RequireLowercase              bool `json:"RequireLowercase"`
	RequireNumbers                bool `json:"RequireNumbers"`
	RequireSymbols                bool `json:"RequireSymbols"`
	TemporaryPasswordValidityDays int  `json:"TemporaryPasswordValidityDays"`
}

// LockoutPolicy bounds password guessing against one user. After
// MaxFailedAttempts consecutive failures the user is locked for
// BaseLockoutSeconds, doubling with every further failure up to
// MaxLockoutSeconds. Cognito applies a similar, undocumented policy; here it
// is explicit and configurable.
type LockoutPolicy struct {
	MaxFailedAttempts  int `json:"MaxFailedAttempts"`
	BaseLockoutSeconds int `json:"BaseLockoutSeconds"`
	MaxLockoutSeconds  int `json:"MaxLockoutSeconds"`
}

// Branding customises the hosted pages of a pool.
type Branding struct {
	// LogoURL is an https URL or a data: URL of the logo image.
	LogoURL string `json:"LogoURL,omitempty"`
	// PrimaryColor and BackgroundColor are CSS hex colours ("#0a7c59").
	PrimaryColor    string `json:"PrimaryColor,omitempty"`
	BackgroundColor string `json:"BackgroundColor,omitempty"`
	// CSS is appended to the built-in stylesheet.
	CSS string `json:"CSS,omitempty"`
	// Messages replaces messages of the hosted pages and mails with the
	// pool's own wording: language ("de", "zh-TW") to message key
	// ("login.intro") to text with the placeholders of the message
	// (locales.CheckOverride), as Cognito's managed-login branding
	// allows.
	Messages map[string]map[string]string `json:"Messages,omitempty"`
}

// SchemaAttribute is a custom attribute of a pool ("custom:" prefix implied
// in user attributes). Cognito's SchemaAttributeType.
type SchemaAttribute struct {
	Name              string `json:"Name"`
	AttributeDataType string `json:"AttributeDataType"` // String | Number | DateTime | Boolean
	Mutable           bool   `json:"Mutable"`
}

// Pool is a user pool. It mirrors Cognito's UserPoolType where the settings
// exist in linkpool.
type Pool struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`

	PasswordPolicy PasswordPolicy `json:"PasswordPolicy"`
	LockoutPolicy  LockoutPolicy  `json:"LockoutPolicy"`

	// UsernameAttributes lists attributes users sign in with instead of a
	// username ("email"). The username then equals the sub. Immutable.
	UsernameAttributes []string `json:"UsernameAttributes,omitempty"`
	// AliasAttributes lists attributes users may sign in with besides the
	// username ("email", "preferred_username"). Immutable.
	AliasAttributes []string `json:"AliasAttributes,omitempty"`
	// AutoVerifiedAttributes lists attributes verified by a code at sign-up
	// ("email").
	AutoVerifiedAttributes []string `json:"AutoVerifiedAttributes,omitempty"`
	// CaseSensitive reports whether usernames are case sensitive
	// (UsernameConfiguration.CaseSensitive). Immutable.
	CaseSensitive bool `json:"CaseSensitive"`
	// AllowAdminCreateUserOnly disables self sign-up.
	AllowAdminCreateUserOnly bool `json:"AllowAdminCreateUserOnly"`
	// InviteMessage is the pool's own wording of the invitation mail
	// AdminCreateUser sends (AdminCreateUserConfig.InviteMessageTemplate).
	InviteMessage InviteTemplate `json:"InviteMessageTemplate,omitzero"`
	// AutoConfirmSignUp confirms self sign-ups without a code and marks
	// their email verified. Cognito needs a pre-sign-up Lambda for this.
	AutoConfirmSignUp bool `json:"AutoConfirmSignUp"`

	// SigningAlgorithm is the JWS algorithm of ID and access tokens.
	SigningAlgorithm string `json:"SigningAlgorithm"`

	Schema   []SchemaAttribute `json:"Schema,omitempty"`
	Branding Branding          `json:"Branding"`

	// EmailFrom is the sender address of verification and reset mails.
	EmailFrom string `json:"EmailFrom,omitempty"`

	// CORSOrigins lists the web origins ("https://app.example.com") whose
	// browser apps may call the pool's unsigned Cognito API actions
	// cross-origin (internal/cognitoapi). Empty means the origins of the
	// http(s) callback URLs of the pool's app clients. linkpool's own
	// setting; Cognito has none.
	CORSOrigins []string `json:"CORSOrigins,omitempty"`

	// MFA is the multi-factor configuration (SetUserPoolMfaConfig).
	MFA MFAConfig `json:"MfaConfig"`
	// AllowedFirstAuthFactors is Cognito's
	// Policies.SignInPolicy.AllowedFirstAuthFactors: the first factors of
	// the choice-based sign-in (USER_AUTH, the hosted page). Empty means
	// [PASSWORD].
	AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors,omitempty"`

	// LambdaConfig is the pool's triggers (Lambda functions or webhooks).
	LambdaConfig LambdaConfig `json:"LambdaConfig"`
	// TriggerSecret is the webhook signing secret, sealed with the master
	// key and bound to the pool (TriggerSecretAAD); empty when none. It
	// never leaves the server in clear and is never described.
	TriggerSecret []byte `json:"-"`

	CreatedAt time.Time `json:"CreationDate"`
	UpdatedAt time.Time `json:"LastModifiedDate"`
}

// Region returns the region part of the pool id.
func (p *Pool) Region() string { return RegionOf(p.ID) }

// SignInWithEmail reports whether users can type their email address on
// the sign-in page, as username attribute or as alias.
func (p *Pool) SignInWithEmail() bool {
	return slices.Contains(p.UsernameAttributes, AttrEmail) || slices.Contains(p.AliasAttributes, AttrEmail)
}

// EmailIsUsername reports whether the email address replaces the username.
func (p *Pool) EmailIsUsername() bool { return slices.Contains(p.UsernameAttributes, AttrEmail) }

// VerifiesEmail reports whether sign-up sends an email verification code.
func (p *Pool) VerifiesEmail() bool { return slices.Contains(p.AutoVerifiedAttributes, AttrEmail) }

// UsernameKey returns the key under which a username is unique in this
// pool: the name itself when usernames are case sensitive, otherwise its
// lower-case form.
func (p *Pool) UsernameKey(username string) string {
	if p.CaseSensitive {
		return username
	}
	return strings.ToLower(username)
}

// EmailKey returns the key under which an email address is unique. Email
// addresses are compared case-insensitively, as Cognito does.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// DefaultPasswordPolicy is Cognito's default: eight characters with upper
// and lower case, numbers and symbols.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{
		MinimumLength: 8, RequireUppercase: true, RequireLowercase: true,
		RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7,
	}
}

// DefaultLockoutPolicy locks a user for one minute after five consecutive
// failed sign-ins, doubling up to one hour.
func DefaultLockoutPolicy() LockoutPolicy {
	return LockoutPolicy{MaxFailedAttempts: 5, BaseLockoutSeconds: 60, MaxLockoutSeconds: 3600}
}

// NewPool returns a pool with Cognito's defaults and a fresh id in region.
func NewPool(region, name string, now time.Time) Pool {
	return Pool{
		ID:                     NewPoolID(region),
		Name:                   name,
		PasswordPolicy:         DefaultPasswordPolicy(),
		LockoutPolicy:          DefaultLockoutPolicy(),
		AutoVerifiedAttributes: []string{AttrEmail},
		CaseSensitive:          false,
		SigningAlgorithm:       AlgRS256,
		CreatedAt:              now,
		UpdatedAt:              now,
	}
}

var (
	namePattern      = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)
	colorPattern     = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	customAttrPatten = regexp.MustCompile(`^[\w]{1,20}$`)
)

// Validate checks every setting of the pool. The error is a
// *ValidationError naming the first rejected field.
func (p *Pool) Validate() error {
	if !ValidPoolID(p.ID) {
		return invalid("Id", "must look like <region>_<9 letters or digits>, got %q", p.ID)
	}
	if !namePattern.MatchString(p.Name) {
		return invalid("PoolName", "must be 1-128 characters of letters, digits, spaces and +=,.@-")
	}
	pp := p.PasswordPolicy
	if pp.MinimumLength < 6 || pp.MinimumLength > 99 {
		return invalid("PasswordPolicy.MinimumLength", "must be between 6 and 99, got %d", pp.MinimumLength)
	}
	if pp.TemporaryPasswordValidityDays < 0 || pp.TemporaryPasswordValidityDays > 365 {
		return invalid("PasswordPolicy.TemporaryPasswordValidityDays", "must be between 0 and 365")
	}
	lp := p.LockoutPolicy
	if lp.MaxFailedAttempts < 1 || lp.MaxFailedAttempts > 100 {
		return invalid("LockoutPolicy.MaxFailedAttempts", "must be between 1 and 100")
	}
	if lp.BaseLockoutSeconds < 1 || lp.MaxLockoutSeconds < lp.BaseLockoutSeconds || lp.MaxLockoutSeconds > 86400 {
		return invalid("LockoutPolicy", "need 1 <= BaseLockoutSeconds <= MaxLockoutSeconds <= 86400")
	}
	for _, a := range p.UsernameAttributes {
		if a != AttrEmail && a != AttrPhoneNumber {
			return invalid("UsernameAttributes", "%q is not email or phone_number", a)
		}
	}
	for _, a := range p.AliasAttributes {
		if a != AttrEmail && a != AttrPhoneNumber && a != AttrPreferredUsername {
			return invalid("AliasAttributes", "%q is not email, phone_number or preferred_username", a)
		}
	}
	if len(p.UsernameAttributes) > 0 && len(p.AliasAttributes) > 0 {
		return invalid("AliasAttributes", "cannot be combined with UsernameAttributes")
	}
	for _, a := range p.AutoVerifiedAttributes {
		if a != AttrEmail && a != AttrPhoneNumber {
			return invalid("AutoVerifiedAttributes", "%q is not email or phone_number", a)
		}
	}
	if p.SigningAlgorithm != AlgRS256 && p.SigningAlgorithm != AlgES256 {
		return invalid("SigningAlgorithm", "must be RS256 or ES256, got %q", p.SigningAlgorithm)
	}
	seen := map[string]bool{}
	for i, s := range p.Schema {
		f := fmt.Sprintf("Schema[%d]", i)
		name := strings.TrimPrefix(s.Name, "custom:")
		if !customAttrPatten.MatchString(name) {
			return invalid(f+".Name", "custom attribute names are 1-20 letters, digits or _")
		}
		if seen[name] {
			return invalid(f+".Name", "duplicate attribute %q", name)
		}
		seen[name] = true
		switch s.AttributeDataType {
		case "String", "Number", "DateTime", "Boolean":
		default:
			return invalid(f+".AttributeDataType", "must be String, Number, DateTime or Boolean")
		}
	}
	if err := p.InviteMessage.Validate(); err != nil {
		return err
	}
	if err := p.MFA.Validate(); err != nil {
		return err
	}
	if err := p.ValidateFirstFactors(); err != nil {
		return err
	}
	if err := p.LambdaConfig.Validate(); err != nil {
		return err
	}
	if p.LambdaConfig.HasWebhook() && len(p.TriggerSecret) == 0 {
		return invalid("LambdaConfig", "webhook triggers need the pool's signing secret")
	}
	b := p.Branding
	for field, c := range map[string]string{"Branding.PrimaryColor": b.PrimaryColor, "Branding.BackgroundColor": b.BackgroundColor} {
		if c != "" && !colorPattern.MatchString(c) {
			return invalid(field, "must be a hex colour like #0a7c59")
		}
	}
	if b.LogoURL != "" && !strings.HasPrefix(b.LogoURL, "https://") && !strings.HasPrefix(b.LogoURL, "data:image/") {
		return invalid("Branding.LogoURL", "must be an https: or data:image/ URL")
	}
	if len(b.CSS) > 64<<10 {
		return invalid("Branding.CSS", "must be at most 64 KiB")
	}
	if strings.Contains(strings.ToLower(b.CSS), "</style") {
		return invalid("Branding.CSS", "must not contain </style")
	}
	if err := b.validateMessages(); err != nil {
		return err
	}
	if p.EmailFrom != "" {
		if a, err := mail.ParseAddress(p.EmailFrom); err != nil || !strings.Contains(a.Address, "@") {
			return invalid("EmailFrom", "%q is not a mail address like no-reply@example.com or \"Name\" <no-reply@example.com>", p.EmailFrom)
		}
	}
	if len(p.CORSOrigins) > MaxCORSOrigins {
		return invalid("CORSOrigins", "at most %d origins", MaxCORSOrigins)
	}
	for _, o := range p.CORSOrigins {
		if n, ok := Origin(o); !ok || n != o {
			return invalid("CORSOrigins", "%q is not an origin like https://app.example.com (scheme and host in lower case, an optional port, no path)", o)
		}
	}
	return nil
}

// MaxCORSOrigins bounds Pool.CORSOrigins.
const MaxCORSOrigins = 100

// Origin returns the web origin of an http or https URL, scheme and host
// in lower case and the port kept when it is not the scheme's default:
// "https://App.example.com:443/cb" is "https://app.example.com". ok is
// false for other schemes, for URLs without a host, and for an origin
// (no path) with user information, a query or a fragment.
func Origin(raw string) (origin string, ok bool) {
	if len(raw) > 2048 {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", false
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, true
}

// CustomAttribute returns the schema entry for a "custom:" attribute name.
func (p *Pool) CustomAttribute(name string) (SchemaAttribute, bool) {
	short := strings.TrimPrefix(name, "custom:")
	for _, s := range p.Schema {
		if strings.TrimPrefix(s.Name, "custom:") == short {
			return s, true
		}
	}
	return SchemaAttribute{}, false
}
