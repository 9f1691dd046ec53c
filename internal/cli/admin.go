package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// adminCmd is the part every administration subcommand shares: its flag
// set, the storage flags, --json for commands that print resources, and
// after parsing the names of the flags that were given.
type adminCmd struct {
	e       *env
	fs      *flag.FlagSet
	storage storageFlags
	json    bool
	given   map[string]bool
}

// newAdminCmd returns the flag set of "linkpool <name>" with the storage
// flags registered, and --json when the command prints resources.
func newAdminCmd(e *env, name string, withJSON bool) *adminCmd {
	c := &adminCmd{e: e, fs: newFlagSet(name, e.stderr)}
	c.storage.register(c.fs)
	if withJSON {
		c.fs.BoolVar(&c.json, "json", false, "print JSON (Cognito field names)")
	}
	return c
}

// parse parses the command line and the environment with the shared
// parse, records which flags were given (on the command line or through
// the environment) and turns flag mistakes and stray arguments into
// usage errors (exit code 2). It then checks the required flags, in the
// order named.
func (c *adminCmd) parse(args []string, required ...string) error {
	if err := parse(c.fs, args, c.e.getenv); err != nil {
		return err
	}
	if c.fs.NArg() > 0 {
		return usagef("unexpected arguments %q", c.fs.Args())
	}
	c.given = map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { c.given[f.Name] = true })
	return c.require(required...)
}

// require reports a usage error naming the first of the flags whose value
// is empty.
func (c *adminCmd) require(names ...string) error {
	for _, name := range names {
		if strings.TrimSpace(c.fs.Lookup(name).Value.String()) == "" {
			return usagef("--%s is required", name)
		}
	}
	return nil
}

// open opens the store and the master key.
func (c *adminCmd) open(ctx context.Context) (*deps, error) {
	return openDeps(ctx, &c.storage, c.e)
}

// start parses the command line, checks the required flags and opens the
// store and the master key; the caller closes the deps.
func (c *adminCmd) start(ctx context.Context, args []string, required ...string) (*deps, error) {
	if err := c.parse(args, required...); err != nil {
		return nil, err
	}
	return c.open(ctx)
}

// startInPool is start for a command that works in the pool --pool
// names: --pool is required, and the pool must exist. The caller closes
// the deps.
func (c *adminCmd) startInPool(ctx context.Context, args []string, required ...string) (*deps, pool.Pool, error) {
	if err := c.parse(args, append([]string{"pool"}, required...)...); err != nil {
		return nil, pool.Pool{}, err
	}
	return c.openInPool(ctx)
}

// openInPool is open for a command that works in the pool --pool names,
// once the command line is parsed: the pool must exist. The caller
// closes the deps.
func (c *adminCmd) openInPool(ctx context.Context) (*deps, pool.Pool, error) {
	d, err := c.open(ctx)
	if err != nil {
		return nil, pool.Pool{}, err
	}
	p, err := d.getPool(ctx, c.fs.Lookup("pool").Value.String())
	if err != nil {
		d.close()
		return nil, p, err
	}
	return d, p, nil
}

// startOnPool is startInPool for a command whose only required flag is
// --pool, which it registers: the commands that act on a whole pool.
func (c *adminCmd) startOnPool(ctx context.Context, args []string) (*deps, pool.Pool, error) {
	c.fs.String("pool", "", "pool id (required)")
	return c.startInPool(ctx, args)
}

// deleteCommand returns "linkpool <kind> delete" for a resource that the
// flag --<kind> names: it deletes the resource with del, an action of the
// admin service, and prints done, a format taking the name.
func deleteCommand(kind, usage string, del func(s *admin.Service, ctx context.Context, poolID, id string) error, done string) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		c := newAdminCmd(e, kind+" delete", false)
		var id string
		c.fs.StringVar(&id, kind, "", usage)
		d, err := c.start(ctx, args, kind)
		if err != nil {
			return err
		}
		defer d.close()
		// No pool is named: the command line finds clients and domains
		// by their id alone.
		if err := del(d.admin, ctx, "", id); err != nil {
			return adminErr(err)
		}
		fmt.Fprintf(e.stdout, done, id)
		return nil
	}
}

// printList prints items as a JSON array (empty, not null, when there are
// none) or as a table with a row per item.
func printList[T any](w io.Writer, asJSON bool, items []T, headers []string, row func(T) []string) error {
	if asJSON {
		if items == nil {
			items = []T{}
		}
		return printJSON(w, items)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		rows = append(rows, row(it))
	}
	return printTable(w, headers, rows)
}

// listPages collects every page of a List action of the admin service.
func listPages[T any](ctx context.Context, list func(ctx context.Context, limit int, next string) ([]T, string, error)) ([]T, error) {
	var all []T
	next := ""
	for {
		items, n, err := list(ctx, admin.MaxPageSize, next)
		if err != nil {
			return nil, adminErr(err)
		}
		all = append(all, items...)
		if n == "" {
			return all, nil
		}
		next = n
	}
}

// adminErr renders an error of the admin service the way the command
// line prints it: a missing or taken resource as "pool <id> does not
// exist" or "group <name> already exists", a rejected setting as the
// *pool.ValidationError naming it. Other errors keep their Cognito type
// and message.
func adminErr(err error) error {
	var re *admin.ResourceError
	if errors.As(err, &re) {
		return re
	}
	var ve *pool.ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	return err
}

// yesNo renders a boolean for human output.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
