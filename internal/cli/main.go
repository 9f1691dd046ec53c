package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/linkpool/linkpool/internal/audit"
)

// env is what a command runs with: its output streams and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// usageError is a command-line mistake: printed with a hint, exit code 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the user pool server", runServe},
		"init":        {"set up a pool for a use case: init alexa --vendor-id <id>", runInit},
		"pool":        {"manage user pools", runPool},
		"client":      {"manage app clients", runClient},
		"domain":      {"manage pool domains", runDomain},
		"user":        {"manage users", runUser},
		"group":       {"manage groups", runGroup},
		"idp":         {"manage identity providers (federation) and linked identities: idp create|update|show|list|delete|link|unlink", runIdp},
		"keys":        {"list and rotate signing keys", runKeys},
		"access-key":  {"manage access keys of the Cognito JSON API (AWS SigV4): access-key create|list|delete", runAccessKey},
		"admin":       {"create operators of the console in the system pool: admin create --username <u> --email <e> [--read-only]", runAdmin},
		"audit":       {"read the audit log of administrative changes: audit list --since 24h --json", runAudit},
		"migrate":     {"show or apply database migrations", runMigrate},
		"export":      {"write the whole deployment to a file or standard output", runExport},
		"import":      {"load an export into an empty database", runImport},
		"bench":       {"load-test a running pool's token endpoint", runBench},
		"seed":        {"generate a test deployment of N users and links as an export (TEST DATA ONLY)", runSeed},
		"version":     {"print the version", runVersion},
		"healthcheck": {"ask a running server's /healthz: exit 0 when healthy, 1 otherwise (the container image's HEALTHCHECK)", runHealthcheck},
		"alexa":       {"play Amazon's side of account linking and Smart Home directives", runAlexa},
		"skill":       {"run or manage the SmartLamp Alexa skill: skill serve, skill lamp add|list|remove", runSkill},
	}
}

// Main runs the linkpool command line and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return e.main(ctx, args)
}

func (e *env) main(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		e.usage(cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "linkpool: unknown command %q\n\n", args[0])
		e.usage(cmds)
		return 2
	}
	if adminCommands[args[0]] {
		ctx = audit.WithActor(ctx, audit.CLIActor())
	}
	err := c.run(ctx, e, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "linkpool %s: %v\n", commandName(args), err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "linkpool %s: %v\n", commandName(args), err)
		return 1
	}
}

// commandName is the command an error message names: the noun and, for
// "<noun> <verb>" commands, the verb ("client create"), and for the
// commands of a group within a noun the group's verb too ("pool mfa
// set").
func commandName(args []string) string {
	word := func(i int) bool { return len(args) > i && args[i] != "" && !strings.HasPrefix(args[i], "-") }
	switch {
	case word(2) && nestedGroups[args[1]]:
		return strings.Join(args[:3], " ")
	case word(1):
		return args[0] + " " + args[1]
	}
	return args[0]
}

// adminCommands are the commands whose changes the audit log records
// under the OS user (audit.KindCLI). Servers (serve, skill) are not:
// their requests carry actors of their own.
var adminCommands = map[string]bool{
	"init": true, "pool": true, "client": true, "domain": true, "user": true, "group": true, "idp": true,
	"keys": true, "access-key": true, "admin": true,
}

// nestedGroups are the verbs that are groups of commands of their own
// ("pool mfa show", "user passkeys list").
var nestedGroups = map[string]bool{"mfa": true, "passkeys": true, "triggers": true}

func (e *env) usage(cmds map[string]command) {
	fmt.Fprintln(e.stderr, "Usage: linkpool <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(e.stderr, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(e.stderr, "\nRun 'linkpool <command> -h' for the flags of a command. Every flag can also be set")
	fmt.Fprintln(e.stderr, "with an environment variable, e.g. --public-url as LINKPOOL_PUBLIC_URL.")
}

// subcommands dispatches "<noun> <verb> ..." commands.
func subcommands(ctx context.Context, e *env, noun string, args []string, verbs map[string]func(context.Context, *env, []string) error) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		names := make([]string, 0, len(verbs))
		for v := range verbs {
			names = append(names, v)
		}
		sort.Strings(names)
		fmt.Fprintf(e.stderr, "Usage: linkpool %s <%s> [flags]\n", noun, strings.Join(names, "|"))
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return nil
	}
	f, ok := verbs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q", args[0])
	}
	return f(ctx, e, args[1:])
}

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "linkpool", Version)
	return nil
}
