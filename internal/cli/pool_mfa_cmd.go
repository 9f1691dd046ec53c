package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
)

func runPoolMFA(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "pool mfa", args, map[string]func(context.Context, *env, []string) error{
		"show": runPoolMFAShow,
		"set":  runPoolMFASet,
	})
}

// mfaView is what `pool mfa show --json` and `pool mfa set --json` print:
// the pool's fields of the same names (pool show --json).
type mfaView struct {
	MFA                     pool.MFAConfig `json:"MfaConfig"`
	AllowedFirstAuthFactors []string       `json:"AllowedFirstAuthFactors"`
}

func mfaViewOf(p pool.Pool) mfaView {
	return mfaView{MFA: p.MFA, AllowedFirstAuthFactors: p.FirstFactors()}
}

func runPoolMFAShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool mfa show", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	return printMFA(e.stdout, c.json, p)
}

// mfaSettings are the flags of `pool mfa set`; only those given change.
type mfaSettings struct {
	mode             string
	totp             optBool
	email            optBool
	emailSubject     string
	emailMessage     string
	rpID             string
	userVerification string
	passkeyFactor    string
	firstFactors     stringList
}

var mfaSettingFlags = []string{"mode", "totp", "email", "email-subject", "email-message", "rp-id",
	"user-verification", "passkey-factor", "first-factors"}

func (s *mfaSettings) register(c *adminCmd) {
	fs := c.fs
	fs.StringVar(&s.mode, "mode", "", "MFA: OFF, OPTIONAL (users choose) or ON (every user signs in with a second factor)")
	fs.Var(&s.totp, "totp", "offer authenticator apps (TOTP) as a second factor: true or false")
	fs.Var(&s.email, "email", "offer one-time codes by email as a second factor (and, with EMAIL_OTP in --first-factors, as a first one): true or false")
	fs.StringVar(&s.emailSubject, "email-subject", "", "subject of the code mails (empty: the localized default)")
	fs.StringVar(&s.emailMessage, "email-message", "", "text of the code mails with the {####} placeholder (empty: the localized default)")
	fs.StringVar(&s.rpID, "rp-id", "", "passkeys' relying party: a host name the hosted pages are served at or under (empty: the page's host)")
	fs.StringVar(&s.userVerification, "user-verification", "", "passkeys' user verification: required or preferred")
	fs.StringVar(&s.passkeyFactor, "passkey-factor", "", "SINGLE_FACTOR, or MULTI_FACTOR_WITH_USER_VERIFICATION: a passkey that verified the user satisfies MFA")
	fs.Var(&s.firstFactors, "first-factors", "first factors the sign-in offers, comma-separated: PASSWORD (always), EMAIL_OTP, WEB_AUTHN")
}

// apply changes c and returns the first factors to set, nil when
// --first-factors was not given.
func (s *mfaSettings) apply(c *pool.MFAConfig, given map[string]bool) []string {
	if given["mode"] {
		c.Mode = strings.ToUpper(s.mode)
	}
	if s.totp.set {
		c.SoftwareToken = s.totp.v
	}
	if s.email.set {
		c.Email = s.email.v
	}
	if given["email-subject"] {
		c.EmailSubject = s.emailSubject
	}
	if given["email-message"] {
		c.EmailMessage = s.emailMessage
	}
	if given["rp-id"] {
		c.WebAuthn.RelyingPartyID = s.rpID
	}
	if given["user-verification"] {
		c.WebAuthn.UserVerification = strings.ToLower(s.userVerification)
	}
	if given["passkey-factor"] {
		c.WebAuthn.FactorConfiguration = strings.ToUpper(s.passkeyFactor)
	}
	if !given["first-factors"] {
		return nil
	}
	f := make([]string, 0, len(s.firstFactors))
	for _, v := range s.firstFactors {
		f = append(f, strings.ToUpper(v))
	}
	return f
}

func runPoolMFASet(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool mfa set", true)
	var s mfaSettings
	c.fs.String("pool", "", "pool id (required)")
	s.register(c)
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	changes := false
	for _, f := range mfaSettingFlags {
		changes = changes || c.given[f]
	}
	if !changes {
		return usagef("nothing to set: give the settings to change (see 'linkpool pool mfa set -h')")
	}
	d, p, err := c.openInPool(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	cfg := p.MFA
	first := s.apply(&cfg, c.given)
	updated, err := d.admin.SetSignInFactors(ctx, p.ID, cfg, first)
	if err != nil {
		return adminErr(err)
	}
	if !c.json {
		fmt.Fprintf(e.stdout, "Updated the MFA settings of pool %s.\n\n", p.ID)
	}
	return printMFA(e.stdout, c.json, updated)
}

func printMFA(w io.Writer, asJSON bool, p pool.Pool) error {
	if asJSON {
		return printJSON(w, mfaViewOf(p))
	}
	m := p.MFA
	orDefault := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	factor := pool.WebAuthnSingleFactor
	if m.WebAuthn.PasskeyIsMultiFactor() {
		factor = pool.WebAuthnMultiFactorWithUserVerification
	}
	return printFields(w, [][2]string{
		{"MFA", m.MFAMode()},
		{"Authenticator apps (TOTP)", enabled(m.SoftwareToken)},
		{"Codes by email", enabled(m.Email)},
		{"Email subject", orDefault(m.EmailSubject, "(default)")},
		{"Email message", orDefault(m.EmailMessage, "(default)")},
		{"Passkey relying party", orDefault(m.WebAuthn.RelyingPartyID, "(the host of the page)")},
		{"Passkey user verification", m.WebAuthn.UserVerificationOrDefault()},
		{"Passkey factor", factor},
		{"First factors", strings.Join(p.FirstFactors(), ", ")},
	})
}

// enabled renders a factor's switch for human output.
func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}
