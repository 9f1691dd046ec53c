package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
)

// poolSettings are the flags of `pool create` and `pool update`: every
// setting of pool.Pool. Only flags that were given are applied, so an
// update changes exactly what the operator names; defaults shown in the
// help are Cognito's, which pool.NewPool sets.
type poolSettings struct {
	name          string
	signingAlg    string
	usernameAttrs stringList
	aliasAttrs    stringList
	autoVerified  stringList
	caseSensitive optBool
	autoConfirm   optBool
	adminOnly     optBool

	minLength  int
	upper      optBool
	lower      optBool
	numbers    optBool
	symbols    optBool
	tempDays   int
	lockMax    int
	lockBase   int
	lockMaxSec int

	logoURL    string
	primary    string
	background string
	cssFile    string
	// messages are --message values, lang:key=text; messagesFile a
	// JSON file of every overridden message.
	messages     messageList
	messagesFile string
	emailFrom    string
	// inviteSubject and inviteMessage are the pool's own invitation
	// (AdminCreateUserConfig.InviteMessageTemplate).
	inviteSubject string
	inviteMessage string
	customAttr    stringList
	corsOrigin    stringList

	// css is the content of cssFile, read by load.
	css string
	// fileMessages is the content of messagesFile, read by load.
	fileMessages map[string]map[string]string
	// schema holds the parsed --custom-attribute values.
	schema []pool.SchemaAttribute
}

// poolSettingFlags names every flag poolSettings registers.
var poolSettingFlags = []string{
	"name", "signing-alg", "username-attributes", "alias-attributes", "auto-verified-attributes",
	"case-sensitive", "auto-confirm", "admin-create-user-only",
	"min-length", "require-uppercase", "require-lowercase", "require-numbers", "require-symbols",
	"temporary-password-days", "lockout-max-attempts", "lockout-base-seconds", "lockout-max-seconds",
	"logo-url", "primary-color", "background-color", "css-file", "message", "messages-file", "email-from", "custom-attribute",
	"cors-origin", "invite-subject", "invite-message",
}

// immutablePoolSettings are fixed when a pool is created, as in Cognito's
// CreateUserPool (UsernameAttributes, AliasAttributes,
// UsernameConfiguration.CaseSensitive).
var immutablePoolSettings = []struct{ flag, field string }{
	{"username-attributes", "UsernameAttributes"},
	{"alias-attributes", "AliasAttributes"},
	{"case-sensitive", "CaseSensitive"},
}

func (s *poolSettings) register(fs *flag.FlagSet) {
	pp := pool.DefaultPasswordPolicy()
	lp := pool.DefaultLockoutPolicy()
	fs.StringVar(&s.name, "name", "", "pool name (PoolName: 1-128 letters, digits, spaces and +=,.@-)")
	fs.StringVar(&s.signingAlg, "signing-alg", pool.AlgRS256, "token signing algorithm: RS256 or ES256 (a change takes two 'keys rotate': the first publishes keys of the new algorithm, one 11 minutes later makes them sign)")
	fs.Var(&s.usernameAttrs, "username-attributes", "attributes users sign in with instead of a username: email or phone_number (create only)")
	fs.Var(&s.aliasAttrs, "alias-attributes", "attributes users may sign in with besides the username: email, phone_number, preferred_username (create only)")
	fs.Var(&s.autoVerified, "auto-verified-attributes", "attributes verified by a code at sign-up: email (default email; give \"\" for none)")
	fs.Var(&s.caseSensitive, "case-sensitive", "usernames are case sensitive (create only; default false)")
	fs.Var(&s.autoConfirm, "auto-confirm", "confirm self sign-ups without a code and mark their email verified (default false)")
	fs.Var(&s.adminOnly, "admin-create-user-only", "disable self sign-up: only administrators create users (default false)")
	fs.IntVar(&s.minLength, "min-length", pp.MinimumLength, "minimum password length (6-99)")
	fs.Var(&s.upper, "require-uppercase", fmt.Sprintf("passwords need an upper-case letter (default %v)", pp.RequireUppercase))
	fs.Var(&s.lower, "require-lowercase", fmt.Sprintf("passwords need a lower-case letter (default %v)", pp.RequireLowercase))
	fs.Var(&s.numbers, "require-numbers", fmt.Sprintf("passwords need a digit (default %v)", pp.RequireNumbers))
	fs.Var(&s.symbols, "require-symbols", fmt.Sprintf("passwords need a symbol (default %v)", pp.RequireSymbols))
	fs.IntVar(&s.tempDays, "temporary-password-days", pp.TemporaryPasswordValidityDays, "days a temporary password set by an administrator stays valid (0-365)")
	fs.IntVar(&s.lockMax, "lockout-max-attempts", lp.MaxFailedAttempts, "failed sign-ins before a user is locked out (1-100)")
	fs.IntVar(&s.lockBase, "lockout-base-seconds", lp.BaseLockoutSeconds, "first lockout, doubled with every further failure")
	fs.IntVar(&s.lockMaxSec, "lockout-max-seconds", lp.MaxLockoutSeconds, "longest lockout (at most 86400)")
	fs.StringVar(&s.logoURL, "logo-url", "", "logo of the hosted pages: an https: or data:image/ URL (\"\" removes it)")
	fs.StringVar(&s.primary, "primary-color", "", "primary colour of the hosted pages, like #0a7c59")
	fs.StringVar(&s.background, "background-color", "", "background colour of the hosted pages, like #ffffff")
	fs.StringVar(&s.cssFile, "css-file", "", "file with CSS appended to the hosted pages' stylesheet (at most 64 KiB; \"\" removes it)")
	fs.Var(&s.messages, "message", "the pool's own wording of a message of the hosted pages or mails: lang:key=text, like 'de:login.intro=Melden Sie sich mit Ihrem {pool}-Konto an.' (keys and placeholders as in internal/locales/en.json; repeatable; an empty text restores the built-in message)")
	fs.StringVar(&s.messagesFile, "messages-file", "", "JSON file of the pool's own wording of messages, {\"lang\": {\"key\": \"text\"}}, replacing all of them (\"\" removes them all; --message then applies on top)")
	fs.StringVar(&s.emailFrom, "email-from", "", "sender address of verification and reset mails")
	fs.StringVar(&s.inviteSubject, "invite-subject", "", "subject of the invitation user create mails (AdminCreateUserConfig.InviteMessageTemplate.EmailSubject, 1-140 characters; \"\" restores the built-in, localized one)")
	fs.StringVar(&s.inviteMessage, "invite-message", "", "text of the invitation user create mails, with {username} and {####} for the username and temporary password (EmailMessage, 6-20000 characters; HTML when it has tags; \"\" restores the built-in, localized one)")
	fs.Var(&s.customAttr, "custom-attribute", "custom attribute name:String|Number|DateTime|Boolean[:mutable] (repeatable; update adds attributes, none can be removed)")
	fs.Var(&s.corsOrigin, "cors-origin", "web origin, like https://app.example.com, whose browser apps may call the pool's unsigned Cognito API actions (repeatable; replaces the list; default, and \"\": the origins of the pool's clients' callback URLs)")
}

// changes reports whether any setting flag was given.
func (s *poolSettings) changes(given map[string]bool) bool {
	for _, f := range poolSettingFlags {
		if given[f] {
			return true
		}
	}
	return false
}

// load reads the CSS file and parses the custom attributes. It runs
// before the store is opened.
func (s *poolSettings) load(given map[string]bool) error {
	if given["css-file"] && s.cssFile != "" {
		css, err := readLimited(s.cssFile, 64<<10)
		if err != nil {
			return fmt.Errorf("--css-file: %w", err)
		}
		s.css = css
	}
	if given["messages-file"] && s.messagesFile != "" {
		raw, err := readLimited(s.messagesFile, 1<<20)
		if err != nil {
			return fmt.Errorf("--messages-file: %w", err)
		}
		if len(raw) > 1<<20 {
			return usagef("--messages-file: at most 1 MiB")
		}
		if err := json.Unmarshal([]byte(raw), &s.fileMessages); err != nil {
			return usagef("--messages-file: want a JSON object of language to key to text: %v", err)
		}
	}
	for _, spec := range s.customAttr {
		a, err := parseCustomAttribute(spec)
		if err != nil {
			return err
		}
		s.schema = append(s.schema, a)
	}
	return nil
}

// apply sets the given settings on p. Validation is left to p.Validate.
func (s *poolSettings) apply(p *pool.Pool, given map[string]bool) {
	set := func(flag string, f func()) {
		if given[flag] {
			f()
		}
	}
	set("name", func() { p.Name = s.name })
	set("signing-alg", func() { p.SigningAlgorithm = s.signingAlg })
	set("username-attributes", func() { p.UsernameAttributes = []string(s.usernameAttrs) })
	set("alias-attributes", func() { p.AliasAttributes = []string(s.aliasAttrs) })
	set("auto-verified-attributes", func() { p.AutoVerifiedAttributes = []string(s.autoVerified) })
	setBool(&p.CaseSensitive, s.caseSensitive)
	setBool(&p.AutoConfirmSignUp, s.autoConfirm)
	setBool(&p.AllowAdminCreateUserOnly, s.adminOnly)
	set("min-length", func() { p.PasswordPolicy.MinimumLength = s.minLength })
	setBool(&p.PasswordPolicy.RequireUppercase, s.upper)
	setBool(&p.PasswordPolicy.RequireLowercase, s.lower)
	setBool(&p.PasswordPolicy.RequireNumbers, s.numbers)
	setBool(&p.PasswordPolicy.RequireSymbols, s.symbols)
	set("temporary-password-days", func() { p.PasswordPolicy.TemporaryPasswordValidityDays = s.tempDays })
	set("lockout-max-attempts", func() { p.LockoutPolicy.MaxFailedAttempts = s.lockMax })
	set("lockout-base-seconds", func() { p.LockoutPolicy.BaseLockoutSeconds = s.lockBase })
	set("lockout-max-seconds", func() { p.LockoutPolicy.MaxLockoutSeconds = s.lockMaxSec })
	set("logo-url", func() { p.Branding.LogoURL = s.logoURL })
	set("primary-color", func() { p.Branding.PrimaryColor = s.primary })
	set("background-color", func() { p.Branding.BackgroundColor = s.background })
	set("css-file", func() { p.Branding.CSS = s.css })
	set("messages-file", func() { p.Branding.Messages = s.fileMessages })
	set("message", func() { p.Branding.Messages = s.messages.applyTo(p.Branding.Messages) })
	set("email-from", func() { p.EmailFrom = s.emailFrom })
	set("invite-subject", func() { p.InviteMessage.EmailSubject = s.inviteSubject })
	set("invite-message", func() { p.InviteMessage.EmailMessage = s.inviteMessage })
	set("cors-origin", func() {
		p.CORSOrigins = nil
		for _, o := range s.corsOrigin {
			p.CORSOrigins = append(p.CORSOrigins, normalizeOrigin(o))
		}
	})
	// Custom attributes are only ever added (Cognito AddCustomAttributes);
	// Validate rejects a name that is already in the schema.
	if len(s.schema) > 0 {
		p.Schema = append(p.Schema[:len(p.Schema):len(p.Schema)], s.schema...)
	}
}

// parseCustomAttribute parses name:Type[:mutable|immutable]. The type and
// name are checked by pool.Validate; only the syntax is checked here.
func parseCustomAttribute(spec string) (pool.SchemaAttribute, error) {
	parts := strings.Split(strings.TrimPrefix(spec, "custom:"), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return pool.SchemaAttribute{}, usagef("--custom-attribute %q: want name:Type or name:Type:mutable", spec)
	}
	a := pool.SchemaAttribute{Name: "custom:" + parts[0], AttributeDataType: parts[1]}
	if len(parts) == 3 {
		switch parts[2] {
		case "mutable":
			a.Mutable = true
		case "immutable":
		default:
			return pool.SchemaAttribute{}, usagef("--custom-attribute %q: the third part must be mutable or immutable", spec)
		}
	}
	return a, nil
}

// readLimited reads a file of at most limit bytes; one byte more is read
// so that validation can report a file that is too large.
func readLimited(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	return string(b), err
}

// poolFields renders a pool for printFields, labelled with Cognito's
// field names.
func poolFields(p pool.Pool, domains []pool.Domain) [][2]string {
	pp, lp, b := p.PasswordPolicy, p.LockoutPolicy, p.Branding
	var schema []string
	for _, a := range p.Schema {
		mut := "immutable"
		if a.Mutable {
			mut = "mutable"
		}
		schema = append(schema, fmt.Sprintf("%s (%s, %s)", a.Name, a.AttributeDataType, mut))
	}
	var doms []string
	for _, d := range domains {
		doms = append(doms, d.Domain)
	}
	css := "-"
	if b.CSS != "" {
		css = fmt.Sprintf("%d bytes", len(b.CSS))
	}
	return [][2]string{
		{"Id", p.ID},
		{"Name", p.Name},
		{"Region", p.Region()},
		{"SigningAlgorithm", p.SigningAlgorithm},
		{"UsernameAttributes", join(p.UsernameAttributes)},
		{"AliasAttributes", join(p.AliasAttributes)},
		{"AutoVerifiedAttributes", join(p.AutoVerifiedAttributes)},
		{"CaseSensitive", yesNo(p.CaseSensitive)},
		{"AllowAdminCreateUserOnly", yesNo(p.AllowAdminCreateUserOnly)},
		{"AutoConfirmSignUp", yesNo(p.AutoConfirmSignUp)},
		{"PasswordPolicy", fmt.Sprintf("at least %d characters; upper case %s, lower case %s, numbers %s, symbols %s",
			pp.MinimumLength, yesNo(pp.RequireUppercase), yesNo(pp.RequireLowercase), yesNo(pp.RequireNumbers), yesNo(pp.RequireSymbols))},
		{"TemporaryPasswordValidityDays", fmt.Sprint(pp.TemporaryPasswordValidityDays)},
		{"LockoutPolicy", fmt.Sprintf("after %d failures %d s, doubling up to %d s", lp.MaxFailedAttempts, lp.BaseLockoutSeconds, lp.MaxLockoutSeconds)},
		{"Schema", join(schema)},
		{"Branding.LogoURL", shorten(b.LogoURL, 80)},
		{"Branding.PrimaryColor", orDash(b.PrimaryColor)},
		{"Branding.BackgroundColor", orDash(b.BackgroundColor)},
		{"Branding.CSS", css},
		{"Branding.Messages", messagesSummary(b.Messages)},
		{"EmailFrom", orDash(p.EmailFrom)},
		{"InviteMessageTemplate", inviteSummary(p.InviteMessage)},
		{"CORSOrigins", corsOrigins(p)},
		{"MfaConfiguration", mfaSummary(p.MFA)},
		{"AllowedFirstAuthFactors", join(p.FirstFactors())},
		{"Domains", join(doms)},
		{"CreationDate", fmtTime(p.CreatedAt)},
		{"LastModifiedDate", fmtTime(p.UpdatedAt)},
	}
}

// normalizeOrigin writes an origin the way pool.Validate wants it (lower
// case, no default port, no trailing slash); anything that is not an
// origin is left for Validate to refuse.
func normalizeOrigin(o string) string {
	u, err := url.Parse(o)
	if err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return o
	}
	if n, ok := pool.Origin(o); ok {
		return n
	}
	return o
}

// corsOrigins renders Pool.CORSOrigins, naming the default.
func corsOrigins(p pool.Pool) string {
	if len(p.CORSOrigins) == 0 {
		return "- (the origins of the clients' callback URLs)"
	}
	return join(p.CORSOrigins)
}

// mfaSummary is the pool's MFA mode and the second factors it offers
// (`pool mfa show` has the details).
func mfaSummary(c pool.MFAConfig) string {
	if f := c.Factors(); len(f) > 0 {
		return c.MFAMode() + " (" + strings.Join(f, ", ") + ")"
	}
	return c.MFAMode()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// shorten keeps long values (data: URLs) on one line.
func shorten(s string, max int) string {
	if len(s) <= max {
		return orDash(s)
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:max-20], len(s))
}

// setBool copies a boolean flag into dst when the flag was given.
func setBool(dst *bool, b optBool) {
	if b.set {
		*dst = b.v
	}
}

// inviteSummary describes the pool's invitation template.
func inviteSummary(t pool.InviteTemplate) string {
	if t == (pool.InviteTemplate{}) {
		return "(default: the localized invitation)"
	}
	subject, message := "(default)", "(default)"
	if t.EmailSubject != "" {
		subject = fmt.Sprintf("%q", t.EmailSubject)
	}
	if t.EmailMessage != "" {
		message = fmt.Sprintf("%q", shorten(t.EmailMessage, 60))
	}
	return "subject " + subject + ", message " + message
}
