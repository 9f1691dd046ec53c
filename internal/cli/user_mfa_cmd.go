package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func runUserMFA(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "user mfa", args, map[string]func(context.Context, *env, []string) error{
		"show":  runUserMFAShow,
		"set":   runUserMFASet,
		"reset": runUserMFAReset,
	})
}

// userMFAView is what `user mfa show --json` prints, with Cognito's
// names where AdminGetUser has them.
type userMFAView struct {
	Username string `json:"Username"`
	// UserMFASettingList is the factors the user has enabled.
	UserMFASettingList  []string `json:"UserMFASettingList"`
	PreferredMfaSetting string   `json:"PreferredMfaSetting,omitempty"`
	// SoftwareTokenDevice is the verified authenticator app;
	// SoftwareTokenPending tells that one is being set up.
	SoftwareTokenDevice  *totpDeviceView `json:"SoftwareTokenDevice,omitempty"`
	SoftwareTokenPending bool            `json:"SoftwareTokenPending"`
	// Passkeys is how many passkeys the user has.
	Passkeys int `json:"Passkeys"`
}

type totpDeviceView struct {
	FriendlyDeviceName string    `json:"FriendlyDeviceName,omitempty"`
	CreatedDate        time.Time `json:"CreatedDate"`
}

func userMFAViewOf(u pool.User, passkeys int) userMFAView {
	m := u.MFA
	v := userMFAView{Username: u.Username, UserMFASettingList: append([]string{}, m.EnabledFactors()...), PreferredMfaSetting: m.Preferred,
		SoftwareTokenPending: m.PendingTOTP != nil, Passkeys: passkeys}
	if m.TOTP != nil {
		v.SoftwareTokenDevice = &totpDeviceView{FriendlyDeviceName: m.TOTP.Name, CreatedDate: m.TOTP.CreatedAt}
	}
	return v
}

// printUserMFA prints the user's factors; with the pool, also those a
// sign-in asks for now (the pool's mode and offered factors decide).
func printUserMFA(ctx context.Context, w io.Writer, asJSON bool, d *deps, p pool.Pool, u pool.User) error {
	passkeys, err := d.passkeys.List(ctx, p, u.Sub)
	if err != nil {
		return err
	}
	v := userMFAViewOf(u, len(passkeys))
	if asJSON {
		return printJSON(w, v)
	}
	device := "none"
	if t := v.SoftwareTokenDevice; t != nil {
		device = fmt.Sprintf("%s, set up %s", orDash(t.FriendlyDeviceName), fmtTime(t.CreatedDate))
	}
	return printFields(w, [][2]string{
		{"Username", u.Username},
		{"Enabled factors", join(v.UserMFASettingList)},
		{"Preferred factor", orDash(v.PreferredMfaSetting)},
		{"Authenticator app", device},
		{"Authenticator app being set up", yesNo(v.SoftwareTokenPending)},
		{"Passkeys", fmt.Sprint(v.Passkeys)},
		{"Second factors at sign-in", join(u.MFAFactors(p.MFA))},
	})
}

func runUserMFAShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user mfa show", true)
	var r userRef
	r.register(c)
	d, p, u, err := r.start(ctx, c, args)
	if err != nil {
		return err
	}
	defer d.close()
	return printUserMFA(ctx, e.stdout, c.json, d, p, u)
}

// factorFlag is --totp or --email of `user mfa set`: enabled, disabled
// or preferred (enabled and preferred).
type factorFlag struct{ set *account.FactorSetting }

func (f *factorFlag) String() string {
	switch {
	case f.set == nil:
		return ""
	case f.set.Preferred:
		return "preferred"
	case f.set.Enabled:
		return "enabled"
	}
	return "disabled"
}

func (f *factorFlag) Set(v string) error {
	switch strings.ToLower(v) {
	case "enabled":
		f.set = &account.FactorSetting{Enabled: true}
	case "disabled":
		f.set = &account.FactorSetting{}
	case "preferred":
		f.set = &account.FactorSetting{Enabled: true, Preferred: true}
	default:
		return fmt.Errorf("must be enabled, disabled or preferred, not %q", v)
	}
	return nil
}

func runUserMFASet(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user mfa set", true)
	var r userRef
	var totp, email factorFlag
	r.register(c)
	c.fs.Var(&totp, "totp", "the authenticator app (TOTP) factor: enabled, disabled or preferred (needs a verified app)")
	c.fs.Var(&email, "email", "the factor of codes by email: enabled, disabled or preferred (needs an email address)")
	if err := c.parse(args, "pool", "username"); err != nil {
		return err
	}
	if totp.set == nil && email.set == nil {
		return usagef("nothing to set: give --totp or --email (enabled, disabled or preferred)")
	}
	d, p, u, err := r.open(ctx, c)
	if err != nil {
		return err
	}
	defer d.close()
	u, err = d.accounts.SetMFAPreference(ctx, p, u.Sub, account.MFAPreference{SoftwareToken: totp.set, Email: email.set})
	if err != nil {
		return userErr(err, r.username)
	}
	if !c.json {
		fmt.Fprintf(e.stdout, "Updated the MFA settings of user %s.\n\n", u.Username)
	}
	return printUserMFA(ctx, e.stdout, c.json, d, p, u)
}

func runUserMFAReset(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user mfa reset", false)
	var r userRef
	r.register(c)
	d, p, u, err := r.start(ctx, c, args)
	if err != nil {
		return err
	}
	defer d.close()
	if _, err := d.accounts.ResetMFA(ctx, p, u.Sub); err != nil {
		return userErr(err, r.username)
	}
	next := "signs in with the password alone"
	if p.MFA.MFAMode() == pool.MFAOn {
		next = "sets up a second factor at the next sign-in"
	}
	fmt.Fprintf(e.stdout, "Removed the authenticator app, the enabled factors and every passkey of user %s: the user %s.\n", u.Username, next)
	return nil
}
