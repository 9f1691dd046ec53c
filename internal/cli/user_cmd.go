package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func runUser(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "user", args, map[string]func(context.Context, *env, []string) error{
		"create":              runUserCreate,
		"show":                runUserShow,
		"list":                runUserList,
		"update":              runUserUpdate,
		"delete":              runUserDelete,
		"set-password":        runUserSetPassword,
		"confirm":             runUserConfirm,
		"disable":             runUserDisable,
		"enable":              runUserEnable,
		"sign-out-everywhere": runUserSignOut,
		"mfa":                 runUserMFA,
		"passkeys":            runUserPasskeys,
	})
}

// userRef names a user: --pool and --username (or an email address the
// pool signs users in with).
type userRef struct {
	pool     string
	username string
}

func (r *userRef) register(c *adminCmd) {
	c.fs.StringVar(&r.pool, "pool", "", "pool id (required)")
	c.fs.StringVar(&r.username, "username", "", "username, or the email address where the pool signs users in with it (required)")
}

func runUserCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user create", true)
	var r userRef
	var pw passwordFlags
	var attrs attrList
	var email string
	var emailVerified, permanent, suppress, resend bool
	r.register(c)
	pw.register(c, true)
	c.fs.Var(&attrs, "attribute", "user attribute name=value, standard or custom:name (repeatable)")
	c.fs.StringVar(&email, "email", "", "email address (the email attribute)")
	c.fs.BoolVar(&emailVerified, "email-verified", false, "mark the email address verified")
	c.fs.BoolVar(&permanent, "permanent", false, "the password is permanent and the user CONFIRMED; otherwise it is temporary and must be changed at the first sign-in")
	c.fs.BoolVar(&suppress, "suppress-message", false, "mail no invitation (MessageAction SUPPRESS); by default a user with an email address and a temporary password is mailed one")
	c.fs.BoolVar(&resend, "resend", false, "mail the invitation of an existing user again, with a new temporary password (MessageAction RESEND)")
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	if pw.temporary != "" && permanent {
		return usagef("--temporary-password and --permanent contradict each other: use --password with --permanent")
	}
	if resend && (suppress || permanent || email != "" || emailVerified || len(attrs.m) > 0) {
		return usagef("--resend takes only --pool, --username and a new temporary password")
	}
	password, err := pw.read(e, false)
	if err != nil {
		return err
	}
	d, p, err := c.openInPool(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	in := account.AdminCreateUserInput{
		Username:          r.username,
		TemporaryPassword: password,
		Attributes:        attrs.m,
		EmailVerified:     emailVerified,
		Permanent:         permanent,
	}
	switch {
	case suppress:
		in.MessageAction = account.MessageSuppress
	case resend:
		in.MessageAction = account.MessageResend
	}
	if email != "" {
		in.Attributes = maps.Clone(in.Attributes)
		if in.Attributes == nil {
			in.Attributes = map[string]string{}
		}
		in.Attributes[pool.AttrEmail] = email
	}
	if in.Username == "" && p.EmailIsUsername() {
		in.Username = in.Attributes[pool.AttrEmail]
	}
	if in.Username == "" {
		return usagef("--username is required")
	}
	res, err := d.accounts.AdminCreateUser(ctx, p, in)
	if err != nil {
		return err
	}
	var generated string
	if password == "" {
		generated = res.TemporaryPassword
	}
	if c.json {
		return printJSON(e.stdout, struct {
			userView
			TemporaryPassword string                `json:"TemporaryPassword,omitempty"`
			Invitation        *account.CodeDelivery `json:"Invitation,omitempty"`
		}{userView{User: res.User, Groups: []string{}}, generated, res.Invitation})
	}
	if resend {
		return printResent(e, p, res, generated)
	}
	fmt.Fprintf(e.stdout, "Created user %s in pool %s.\n\n", res.User.Username, p.ID)
	if err := printFields(e.stdout, userFields(res.User, nil)); err != nil {
		return err
	}
	switch {
	case generated != "" && permanent:
		fmt.Fprintf(e.stdout, "\nPassword (shown once): %s\n", generated)
	case generated != "":
		fmt.Fprintf(e.stdout, "\nTemporary password (shown once): %s\nThe user chooses a new password at the first sign-in, within %d days.\n", generated, tempDays(p))
	case !permanent:
		fmt.Fprintf(e.stdout, "\nThe password is temporary: the user chooses a new one at the first sign-in, within %d days.\n", tempDays(p))
	}
	printInvitation(e, res.Invitation)
	return nil
}

// printResent reports `user create --resend`.
func printResent(e *env, p pool.Pool, res account.AdminCreateUserResult, generated string) error {
	switch {
	case res.Invitation != nil && generated != "":
		fmt.Fprintf(e.stdout, "New temporary password of %s (shown once): %s\nThe user chooses a new password at the first sign-in, within %d days.\n", res.User.Username, generated, tempDays(p))
	case res.Invitation != nil:
		fmt.Fprintf(e.stdout, "The temporary password of %s is replaced.\n", res.User.Username)
	case res.TemporaryPassword != "":
		fmt.Fprintf(e.stdout, "The temporary password of %s is replaced; the user has no email address, so no invitation is mailed.\n", res.User.Username)
	default:
		fmt.Fprintf(e.stdout, "Nothing changed: %s has no email address to mail an invitation to; give a new temporary password with --temporary-password.\n", res.User.Username)
	}
	printInvitation(e, res.Invitation)
	return nil
}

// printInvitation says where the invitation went: into the outbox that
// the servers deliver from.
func printInvitation(e *env, d *account.CodeDelivery) {
	if d != nil {
		fmt.Fprintf(e.stdout, "\nInvitation queued for %s: a running linkpool serve mails it through its --smtp-url.\n", d.Destination)
	}
}

func tempDays(p pool.Pool) int {
	if d := p.PasswordPolicy.TemporaryPasswordValidityDays; d > 0 {
		return d
	}
	return account.DefaultTemporaryPasswordDays
}

// userView is a user as printed: Cognito's UserType (no password hash,
// codes or counters) and the names of the user's groups.
type userView struct {
	pool.User
	Groups []string `json:"Groups"`
}

func userFields(u pool.User, groups []string) [][2]string {
	fields := [][2]string{
		{"Username", u.Username},
		{"Sub", u.Sub},
		{"UserStatus", u.Status},
		{"Enabled", yesNo(u.Enabled)},
	}
	for _, k := range slices.Sorted(maps.Keys(u.Attributes)) {
		fields = append(fields, [2]string{"Attribute " + k, u.Attributes[k]})
	}
	for _, id := range u.Identities {
		fields = append(fields, [2]string{"Identity", fmt.Sprintf("%s %s (%s)", id.ProviderName, id.UserID, map[bool]string{true: "created the user", false: "linked"}[id.Primary == "true"])})
	}
	fields = append(fields,
		[2]string{"Groups", join(groups)},
		[2]string{"UserCreateDate", fmtTime(u.CreatedAt)},
		[2]string{"UserLastModifiedDate", fmtTime(u.UpdatedAt)},
	)
	if !u.PasswordSetAt.IsZero() {
		fields = append(fields, [2]string{"PasswordLastSet", fmtTime(u.PasswordSetAt)})
	}
	if !u.LockedUntil.IsZero() {
		fields = append(fields, [2]string{"LockedUntil", fmtTime(u.LockedUntil)})
	}
	if !u.TokensValidAfter.IsZero() {
		fields = append(fields, [2]string{"SignedOutEverywhereAt", fmtTime(u.TokensValidAfter)})
	}
	return fields
}

func runUserShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user show", true)
	var r userRef
	r.register(c)
	d, _, u, err := r.start(ctx, c, args)
	if err != nil {
		return err
	}
	defer d.close()
	groups, err := d.admin.AdminListGroupsForUser(ctx, r.pool, u.Username)
	if err != nil {
		return adminErr(err)
	}
	names := make([]string, 0, len(groups))
	for _, g := range groups {
		names = append(names, g.Name)
	}
	if c.json {
		return printJSON(e.stdout, userView{User: u, Groups: names})
	}
	return printFields(e.stdout, userFields(u, names))
}

func runUserList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user list", true)
	var poolID, pageToken, filterText string
	var limit int
	c.fs.StringVar(&poolID, "pool", "", "pool id (required)")
	c.fs.IntVar(&limit, "limit", store.DefaultPageSize, fmt.Sprintf("users per page (1-%d)", store.MaxPageSize))
	c.fs.StringVar(&pageToken, "page-token", "", "page token printed by the previous page")
	c.fs.StringVar(&filterText, "filter", "", `only the users matching a ListUsers filter: 'email = "a@example.com"', 'name ^= "Jo"'`)
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	if limit < 1 || limit > store.MaxPageSize {
		return usagef("--limit must be between 1 and %d", store.MaxPageSize)
	}
	filter, err := account.ParseUserFilter(filterText)
	if ae := (*account.Error)(nil); errors.As(err, &ae) {
		return usagef("--filter: %s", ae.Message)
	} else if err != nil {
		return err
	}
	d, p, err := c.openInPool(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	users, next, err := d.accounts.ListUsers(ctx, p, filter, limit, pageToken)
	if errors.Is(err, store.ErrInvalidPageToken) {
		return usagef("--page-token is not a token printed by 'linkpool user list'")
	}
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	if c.json {
		if users == nil {
			users = []pool.User{}
		}
		// Cognito ListUsers response shape.
		return printJSON(e.stdout, struct {
			Users           []pool.User `json:"Users"`
			PaginationToken string      `json:"PaginationToken,omitempty"`
		}{users, next})
	}
	if err := printUsers(e, false, users); err != nil {
		return err
	}
	if next != "" {
		more := fmt.Sprintf("linkpool user list --pool %s --limit %d", poolID, limit)
		if filter.Attribute != "" {
			more += " --filter " + shellQuote(filterText)
		}
		fmt.Fprintf(e.stdout, "\nMore users: %s --page-token %s\n", more, next)
	}
	return nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// printUsers prints users as a table or a JSON array.
func printUsers(e *env, asJSON bool, users []pool.User) error {
	return printList(e.stdout, asJSON, users, []string{"USERNAME", "SUB", "STATUS", "ENABLED", "EMAIL", "CREATED"}, func(u pool.User) []string {
		return []string{u.Username, u.Sub, u.Status, yesNo(u.Enabled), orDash(u.Email()), fmtTime(u.CreatedAt)}
	})
}

func runUserUpdate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user update", false)
	var r userRef
	var attrs attrList
	r.register(c)
	c.fs.Var(&attrs, "attribute", "attribute to set, name=value; name= removes it (repeatable, required)")
	if err := c.parse(args, "pool", "username"); err != nil {
		return err
	}
	if len(attrs.m) == 0 {
		return usagef("--attribute is required: give name=value pairs to set")
	}
	return userAction(ctx, c, r, func(d *deps, p pool.Pool) (string, error) {
		if err := d.accounts.AdminUpdateUserAttributes(ctx, p, r.username, attrs.m); err != nil {
			return "", err
		}
		return fmt.Sprintf("Updated the attributes of user %s.", r.username), nil
	})
}

func runUserDelete(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user delete", false)
	var r userRef
	r.register(c)
	if err := c.parse(args, "pool", "username"); err != nil {
		return err
	}
	return userAction(ctx, c, r, func(d *deps, p pool.Pool) (string, error) {
		if err := d.accounts.AdminDeleteUser(ctx, p, r.username); err != nil {
			return "", err
		}
		return fmt.Sprintf("Deleted user %s with their group memberships, sessions and refresh tokens.", r.username), nil
	})
}

func runUserSetPassword(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user set-password", false)
	var r userRef
	var pw passwordFlags
	var permanent bool
	r.register(c)
	pw.register(c, false)
	c.fs.BoolVar(&permanent, "permanent", false, "the password is permanent and the user CONFIRMED; otherwise the user must change it at the next sign-in")
	if err := c.parse(args, "pool", "username"); err != nil {
		return err
	}
	password, err := pw.read(e, true)
	if err != nil {
		return err
	}
	return userAction(ctx, c, r, func(d *deps, p pool.Pool) (string, error) {
		if err := d.accounts.AdminSetUserPassword(ctx, p, r.username, password, permanent); err != nil {
			return "", err
		}
		if permanent {
			return fmt.Sprintf("Set a permanent password for user %s (status CONFIRMED).", r.username), nil
		}
		return fmt.Sprintf("Set a temporary password for user %s: they choose a new one at the next sign-in, within %d days.", r.username, tempDays(p)), nil
	})
}

// simpleUserCommand runs an administrative operation that takes only the
// user.
func simpleUserCommand(name string, op func(s *account.Service, ctx context.Context, p pool.Pool, username string) error, done string) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		c := newAdminCmd(e, "user "+name, false)
		var r userRef
		r.register(c)
		if err := c.parse(args, "pool", "username"); err != nil {
			return err
		}
		return userAction(ctx, c, r, func(d *deps, p pool.Pool) (string, error) {
			if err := op(d.accounts, ctx, p, r.username); err != nil {
				return "", err
			}
			return fmt.Sprintf(done, r.username), nil
		})
	}
}

var (
	runUserConfirm = simpleUserCommand("confirm", (*account.Service).AdminConfirmSignUp,
		"Confirmed user %s. The email address stays unverified until --attribute email_verified=true is set.")
	runUserDisable = simpleUserCommand("disable", (*account.Service).AdminDisableUser,
		"Disabled user %s: sign-in fails, and their tokens, refresh tokens and sessions were revoked.")
	runUserEnable = simpleUserCommand("enable", (*account.Service).AdminEnableUser,
		"Enabled user %s.")
	runUserSignOut = simpleUserCommand("sign-out-everywhere", (*account.Service).GlobalSignOut,
		"Signed user %s out everywhere: tokens issued before now are refused, refresh tokens are revoked and sign-in sessions ended.")
)

// userAction opens the store, reads the pool and runs op, printing the
// message it returns.
func userAction(ctx context.Context, c *adminCmd, r userRef, op func(d *deps, p pool.Pool) (string, error)) error {
	d, p, err := c.openInPool(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	msg, err := op(d, p)
	if err != nil {
		return userErr(err, r.username)
	}
	fmt.Fprintln(c.e.stdout, msg)
	return nil
}

// attrList is a repeatable name=value flag. Values may contain commas,
// so unlike stringList it never splits.
type attrList struct{ m map[string]string }

func (a *attrList) String() string {
	if a == nil || len(a.m) == 0 {
		return ""
	}
	return strings.Join(slices.Sorted(maps.Keys(a.m)), ",")
}

func (a *attrList) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	if a.m == nil {
		a.m = map[string]string{}
	}
	a.m[name] = value
	return nil
}
