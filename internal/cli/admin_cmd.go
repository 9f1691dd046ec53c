package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/console"
)

func runAdmin(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "admin", args, map[string]func(context.Context, *env, []string) error{
		"create": runAdminCreate,
	})
}

// runAdminCreate creates an operator of the console in the system pool
// (console.CreateOperator: the account service's AdminCreateUser, then
// the admin service's AdminAddUserToGroup).
func runAdminCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "admin create", true)
	var username, email, passwordFile string
	var readOnly bool
	c.fs.StringVar(&username, "username", "", "the operator's username (required)")
	c.fs.StringVar(&email, "email", "", "the operator's email address, marked verified: they may also sign in with it and reset a forgotten password (required)")
	c.fs.StringVar(&passwordFile, "password-file", "", "file whose first line is the operator's permanent password; without it a temporary password is generated, printed once, and changed at the first sign-in")
	c.fs.BoolVar(&readOnly, "read-only", false, "put the operator in the read-only group (sees everything, changes nothing) instead of the admin group")
	if err := c.parse(args, "username", "email"); err != nil {
		return err
	}
	password := ""
	if passwordFile != "" {
		var err error
		if password, err = readPasswordFile(passwordFile); err != nil {
			return err
		}
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	res, err := console.CreateOperator(ctx, d.admin, console.CreateOperatorInput{
		Username: username, Email: email, Password: password, ReadOnly: readOnly,
	}, time.Now())
	if err != nil {
		return adminErr(err)
	}
	group := console.GroupAdmin
	if readOnly {
		group = console.GroupReadOnly
	}
	generated := ""
	if password == "" {
		generated = res.TemporaryPassword
	}
	if c.json {
		return printJSON(e.stdout, struct {
			userView
			TemporaryPassword string `json:"TemporaryPassword,omitempty"`
		}{userView{User: res.User, Groups: []string{group}}, generated})
	}
	fmt.Fprintf(e.stdout, "Created console operator %s in the system pool %s, group %s.\n", res.User.Username, console.SystemPoolID, group)
	if generated != "" {
		fmt.Fprintf(e.stdout, "Temporary password (shown once): %s\nThey choose a new password at the first sign-in to the console.\n", generated)
	}
	return nil
}

// readPasswordFile returns the first line of a password file.
func readPasswordFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usagef("--password-file: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPasswordInput))
	if err != nil {
		return "", usagef("--password-file: %v", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", usagef("--password-file: %s holds no password", path)
	}
	return line, nil
}
