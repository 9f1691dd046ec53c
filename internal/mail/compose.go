package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmlpkg "html"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"

	"github.com/linkpool/linkpool/internal/locales"
)

// Kind selects a templated mail.
type Kind string

// The templated mails.
const (
	// SignUpCode carries the code that confirms a sign-up and verifies
	// the email address (Cognito's verification message).
	SignUpCode Kind = "signup_code"
	// ResetCode carries the code of a forgotten-password reset.
	ResetCode Kind = "reset_code"
	// VerifyCode carries the code that verifies the email address a
	// signed-in user added or changed (GetUserAttributeVerificationCode,
	// UpdateUserAttributes).
	VerifyCode Kind = "verify_code"
	// SignUpAttempt tells the owner of an address that someone tried to
	// sign up with it although it already has an account. The hosted
	// sign-up page answers such an attempt exactly like a fresh sign-up,
	// so the page reveals nothing; the owner learns of it by mail.
	SignUpAttempt Kind = "signup_attempt"
	// MFACode carries the one-time code of the email factor, the second
	// step of a sign-in after the password.
	MFACode Kind = "mfa_code"
	// SignInCode carries the one-time code that signs a user in without
	// a password (the email-code first factor).
	SignInCode Kind = "signin_code"
	// Invitation tells a user an administrator created of the account:
	// the username and, as Code, the temporary password, valid for
	// ValidFor (Cognito's AdminCreateUser invitation).
	Invitation Kind = "invitation"
)

// subjects are the catalog keys of the mails' subjects.
var subjects = map[Kind]string{
	SignUpCode:    "mail.signup_code.subject",
	ResetCode:     "mail.reset_code.subject",
	VerifyCode:    "mail.verify_code.subject",
	SignUpAttempt: "mail.signup_attempt.subject",
	MFACode:       "mail.mfa_code.subject",
	SignInCode:    "mail.signin_code.subject",
	Invitation:    "mail.invitation.subject",
}

// CodePlaceholder stands for the code in a pool's own message text
// (Cognito's {####}); in an invitation, for the temporary password.
const CodePlaceholder = "{####}"

// UsernamePlaceholder stands for the username in a pool's own
// invitation and in a custom message (Cognito's {username}).
const UsernamePlaceholder = "{username}"

// Content is what a templated mail says.
type Content struct {
	Kind Kind
	// To is the recipient address; From the optional header sender.
	To   string
	From string
	// Lang is the user's language preference (a BCP 47 tag or an
	// Accept-Language value), chosen by locales.Match as for the hosted
	// pages; unsupported languages fall back to English.
	Lang     string
	PoolName string
	// Code and ValidFor are the one-time code and its lifetime, for
	// SignUpCode, ResetCode, VerifyCode, MFACode and SignInCode; the
	// temporary password and its lifetime for Invitation.
	Code     string
	ValidFor time.Duration
	// Username is the invited user's username (Invitation).
	Username string
	// Subject and Message, when set, replace the localized subject and
	// body: a pool's own wording (its EmailMfaConfiguration). Message is
	// plain text with CodePlaceholder where the code goes, and the mail
	// is then plain text only; line breaks in Subject become spaces.
	Subject string
	Message string
	// HTMLMessage, when set, replaces the localized body with an HTML
	// message (a custom message trigger's emailMessage), CodePlaceholder
	// where the code goes; the text part is derived from it
	// (TextFromHTML). It takes precedence over Message.
	HTMLMessage string
	// Messages is the pool's own wording of catalog messages by language
	// and key (pool.Branding.Messages), used in place of the catalog's.
	Messages map[string]map[string]string
}

//go:embed templates
var templateFS embed.FS

var (
	textTemplates = template.Must(template.ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html"))
)

// view is the data of a mail template.
type view struct {
	cat      *locales.Catalog
	Lang     string
	Dir      string
	Pool     string
	Code     string
	Duration string
	User     string
}

// T translates key with the pool name, the code lifetime and the
// username available as {pool}, {duration} and {username}.
func (v *view) T(key string) string {
	return v.cat.T(key, "pool", v.Pool, "duration", v.Duration, "username", v.User)
}

// Compose renders c into a message with a text and an HTML part.
func Compose(c Content) (Message, error) {
	switch c.Kind {
	case SignUpCode, ResetCode, VerifyCode, MFACode, SignInCode:
		if c.Code == "" {
			return Message{}, fmt.Errorf("%w: %s mail without a code", ErrInvalidMessage, c.Kind)
		}
	case Invitation:
		if c.Code == "" || c.Username == "" {
			return Message{}, fmt.Errorf("%w: invitation without a username or password", ErrInvalidMessage)
		}
	case SignUpAttempt:
	default:
		return Message{}, fmt.Errorf("%w: unknown mail kind %q", ErrInvalidMessage, c.Kind)
	}
	cat := locales.Match(c.Lang)
	cat = cat.WithOverrides(c.Messages[cat.Lang()])
	v := &view{cat: cat, Lang: cat.Lang(), Dir: cat.Dir(), Pool: c.PoolName, Code: c.Code, Duration: Duration(cat, c.ValidFor), User: c.Username}
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, string(c.Kind)+".txt", v); err != nil {
		return Message{}, fmt.Errorf("mail: render %s text: %w", c.Kind, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, string(c.Kind)+".html", v); err != nil {
		return Message{}, fmt.Errorf("mail: render %s html: %w", c.Kind, err)
	}
	m := Message{
		From:    c.From,
		To:      c.To,
		Subject: v.T(subjects[c.Kind]),
		Text:    text.String(),
		HTML:    html.String(),
		// An invitation holds a password, which no log may show.
		Confidential: c.Kind == Invitation,
	}
	if c.Subject != "" {
		m.Subject = strings.Join(strings.FieldsFunc(c.Subject, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
	}
	switch {
	case c.HTMLMessage != "":
		// A temporary password may hold characters HTML gives meaning.
		m.HTML = strings.ReplaceAll(c.HTMLMessage, CodePlaceholder, htmlpkg.EscapeString(c.Code))
		m.Text = TextFromHTML(m.HTML)
	case c.Message != "":
		m.Text, m.HTML = strings.ReplaceAll(c.Message, CodePlaceholder, c.Code), ""
	default:
		// The body is the catalog's; a pool's own message may be in any
		// language, so it goes without.
		m.Lang = cat.Lang()
	}
	return m, nil
}

// Duration renders d in whole days, hours or minutes in the catalog's
// language, with its plural forms and digits ("24 hours", "1 小时",
// "٥ دقائق"), rounding down to the largest unit that divides it.
func Duration(cat *locales.Catalog, d time.Duration) string {
	units := []struct {
		d   time.Duration
		key string
	}{
		{24 * time.Hour, "duration.days"},
		{time.Hour, "duration.hours"},
		{time.Minute, "duration.minutes"},
	}
	if d < time.Minute {
		d = time.Minute
	}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 || u.d == time.Minute {
			return cat.T(u.key, "n", int64(d/u.d))
		}
	}
	return ""
}
