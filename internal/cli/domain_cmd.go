package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

func runDomain(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "domain", args, map[string]func(context.Context, *env, []string) error{
		"create": runDomainCreate,
		"show":   runDomainShow,
		"list":   runDomainList,
		"delete": runDomainDelete,
	})
}

// urlFlags are serve's --public-url and --auth-domain, with the same
// names, defaults and environment variables, so that domain commands
// print the URLs the server actually serves.
type urlFlags struct {
	publicURL  string
	authDomain string
}

func (u *urlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&u.publicURL, "public-url", "http://localhost:8080", "public URL of the server (as for serve)")
	fs.StringVar(&u.authDomain, "auth-domain", "", "parent domain of prefix domains (as for serve)")
}

// served is the base URL the server answers a domain's pool at.
func (u *urlFlags) served(d pool.Domain) string {
	return poolBase(u.publicURL, u.authDomain, []pool.Domain{d}, d.PoolID)
}

func runDomainCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "domain create", true)
	var poolID, prefix, custom string
	var u urlFlags
	c.fs.StringVar(&poolID, "pool", "", "pool id (required)")
	c.fs.StringVar(&prefix, "domain", "", "domain prefix: served at <prefix>.<auth-domain>")
	c.fs.StringVar(&custom, "custom-domain", "", "custom domain: a full host name that points at the server")
	u.register(c.fs)
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	if (prefix == "") == (custom == "") {
		return usagef("give either --domain <prefix> or --custom-domain <host>")
	}
	dom := pool.Domain{Domain: prefix, PoolID: poolID, CreatedAt: time.Now()}
	if custom != "" {
		dom.Domain, dom.Custom = custom, true
	}
	if err := dom.Validate(); err != nil {
		return err
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	if dom, err = d.admin.CreateUserPoolDomain(ctx, dom); err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, dom)
	}
	fmt.Fprintf(e.stdout, "Created domain %s for pool %s.\n\n", dom.Domain, poolID)
	if err := printFields(e.stdout, domainFields(dom, &u)); err != nil {
		return err
	}
	u.hint(e, dom)
	return nil
}

// hint explains what a prefix domain needs to be reachable.
func (u *urlFlags) hint(e *env, d pool.Domain) {
	if !d.Custom && u.authDomain == "" {
		fmt.Fprintf(e.stdout, "\nPrefix domains are served at <prefix>.<auth-domain>: start the server with --auth-domain (LINKPOOL_AUTH_DOMAIN)\nand give it here too to see the URL. Until then the pool is served at the path URL above.\n")
	}
}

func domainFields(d pool.Domain, u *urlFlags) [][2]string {
	kind := "prefix"
	if d.Custom {
		kind = "custom"
	}
	return [][2]string{
		{"Domain", d.Domain},
		{"Type", kind},
		{"UserPoolId", d.PoolID},
		{"URL", u.served(d)},
		{"CreationDate", fmtTime(d.CreatedAt)},
	}
}

func runDomainShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "domain show", true)
	var name string
	var u urlFlags
	c.fs.StringVar(&name, "domain", "", "domain prefix or custom domain (required)")
	u.register(c.fs)
	d, err := c.start(ctx, args, "domain")
	if err != nil {
		return err
	}
	defer d.close()
	dom, err := d.admin.DescribeUserPoolDomain(ctx, name)
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, dom)
	}
	return printFields(e.stdout, domainFields(dom, &u))
}

func runDomainList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "domain list", true)
	var poolID string
	var u urlFlags
	c.fs.StringVar(&poolID, "pool", "", "pool id (required)")
	u.register(c.fs)
	d, _, err := c.startInPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	domains, err := d.admin.ListUserPoolDomains(ctx, poolID)
	if err != nil {
		return adminErr(err)
	}
	return printList(e.stdout, c.json, domains, []string{"DOMAIN", "TYPE", "URL", "CREATED"}, func(dom pool.Domain) []string {
		f := domainFields(dom, &u)
		return []string{f[0][1], f[1][1], f[3][1], f[4][1]}
	})
}

var runDomainDelete = deleteCommand("domain", "domain prefix or custom domain (required)", (*admin.Service).DeleteUserPoolDomain,
	"Deleted domain %s; the pool stays reachable at its path URL.\n")
