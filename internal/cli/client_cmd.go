package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

func runClient(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "client", args, map[string]func(context.Context, *env, []string) error{
		"create":        runClientCreate,
		"show":          runClientShow,
		"list":          runClientList,
		"update":        runClientUpdate,
		"delete":        runClientDelete,
		"rotate-secret": runClientRotateSecret,
	})
}

func runClientCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "client create", true)
	var poolID string
	var generate bool
	var s clientSettings
	c.fs.StringVar(&poolID, "pool", "", "pool id (required)")
	c.fs.BoolVar(&generate, "generate-secret", false, "make a confidential client with a generated secret, printed once (Alexa needs one)")
	s.register(c.fs)
	d, _, err := c.startInPool(ctx, args, "name")
	if err != nil {
		return err
	}
	defer d.close()
	cl := pool.NewClient(poolID, s.name, time.Now())
	s.apply(&cl, c.given)
	cl, secret, err := d.admin.CreateUserPoolClient(ctx, cl, generate)
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, clientView{Client: cl, ClientSecret: secret})
	}
	fmt.Fprintf(e.stdout, "Created app client %s in pool %s.\n\n", cl.ID, poolID)
	if err := printFields(e.stdout, clientFields(cl, secret)); err != nil {
		return err
	}
	if secret != "" {
		fmt.Fprintln(e.stdout, "\nThe client secret is shown once here; 'linkpool client show --reveal-secret' shows it again.")
	}
	return nil
}

func runClientShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "client show", true)
	var id string
	var reveal bool
	c.fs.StringVar(&id, "client", "", "client id (required)")
	c.fs.BoolVar(&reveal, "reveal-secret", false, "print the client secret")
	d, err := c.start(ctx, args, "client")
	if err != nil {
		return err
	}
	defer d.close()
	cl, err := d.admin.DescribeUserPoolClient(ctx, "", id)
	if err != nil {
		return adminErr(err)
	}
	var secret string
	if reveal {
		if secret, err = d.admin.ClientSecret(cl); err != nil {
			return err
		}
	}
	if c.json {
		return printJSON(e.stdout, clientView{Client: cl, ClientSecret: secret})
	}
	return printFields(e.stdout, clientFields(cl, secret))
}

func runClientList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "client list", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	clients, err := listPages(ctx, func(ctx context.Context, limit int, next string) ([]pool.Client, string, error) {
		return d.admin.ListUserPoolClients(ctx, p.ID, limit, next)
	})
	if err != nil {
		return err
	}
	return printList(e.stdout, c.json, clients, []string{"CLIENT-ID", "NAME", "SECRET", "FLOWS", "SCOPES", "CREATED"}, func(cl pool.Client) []string {
		return []string{cl.ID, cl.Name, yesNo(cl.HasSecret()), join(cl.AllowedOAuthFlows), join(cl.AllowedOAuthScopes), fmtTime(cl.CreatedAt)}
	})
}

func runClientUpdate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "client update", true)
	var id string
	var s clientSettings
	c.fs.StringVar(&id, "client", "", "client id (required)")
	s.register(c.fs)
	if err := c.parse(args, "client"); err != nil {
		return err
	}
	if !s.changes(c.given) {
		return usagef("nothing to update: give the settings to change (see 'linkpool client update -h')")
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	updated, err := d.admin.UpdateUserPoolClient(ctx, "", id, func(cl *pool.Client) { s.apply(cl, c.given) })
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, clientView{Client: updated})
	}
	fmt.Fprintf(e.stdout, "Updated app client %s.\n\n", id)
	return printFields(e.stdout, clientFields(updated, ""))
}

var runClientDelete = deleteCommand("client", "client id (required)", (*admin.Service).DeleteUserPoolClient,
	"Deleted app client %s; its refresh tokens no longer work.\n")

// runClientRotateSecret replaces a confidential client's secret. The
// previous secret stops working at once: the token endpoint reads the
// client from the store on every request, and only one sealed secret is
// kept.
func runClientRotateSecret(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "client rotate-secret", true)
	var id string
	c.fs.StringVar(&id, "client", "", "client id (required); the previous secret stops working immediately")
	d, err := c.start(ctx, args, "client")
	if err != nil {
		return err
	}
	defer d.close()
	secret, err := d.admin.RotateUserPoolClientSecret(ctx, "", id)
	var ae *account.Error
	if errors.As(err, &ae) && ae.Type == account.InvalidParameterException && ae.Field == "ClientId" {
		return fmt.Errorf("%s; create a confidential client with 'linkpool client create --generate-secret'", ae.Message)
	}
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, struct {
			ClientID     string `json:"ClientId"`
			ClientSecret string `json:"ClientSecret"`
		}{id, secret})
	}
	fmt.Fprintf(e.stdout, "New client secret of app client %s:\n\n  %s\n\n", id, secret)
	fmt.Fprintln(e.stdout, "The previous secret stopped working now. Update every place that uses it (for an Alexa skill:")
	fmt.Fprintln(e.stdout, "'Your Secret' under Build > Account Linking in the developer console). Existing refresh tokens")
	fmt.Fprintln(e.stdout, "stay valid once the client authenticates with the new secret.")
	return nil
}
