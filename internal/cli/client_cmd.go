package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
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
	var secret string
	if generate {
		secret = sealSecret(d.box, &cl)
	}
	s.apply(&cl, c.given)
	if err := createClient(ctx, d.store, cl); err != nil {
		return named(err, "client", cl.ID)
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
	cl, err := d.store.GetClient(ctx, id)
	if err != nil {
		return named(err, "client", id)
	}
	var secret string
	if reveal {
		if secret, err = openSecret(d.box, &cl); err != nil {
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
	var poolID string
	c.fs.StringVar(&poolID, "pool", "", "pool id (required)")
	d, _, err := c.startInPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	clients, err := listAll(ctx, func(ctx context.Context, o store.ListOptions) (store.Page[pool.Client], error) {
		return d.store.ListClients(ctx, poolID, o)
	})
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
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
	var updated pool.Client
	err = d.store.UpdateClient(ctx, id, func(cl pool.Client) (pool.Client, error) {
		s.apply(&cl, c.given)
		cl.UpdatedAt = time.Now()
		if err := cl.Validate(); err != nil {
			return cl, err
		}
		updated = cl
		return cl, nil
	})
	if err != nil {
		return named(err, "client", id)
	}
	if c.json {
		return printJSON(e.stdout, clientView{Client: updated})
	}
	fmt.Fprintf(e.stdout, "Updated app client %s.\n\n", id)
	return printFields(e.stdout, clientFields(updated, ""))
}

var runClientDelete = deleteCommand("client", "client id (required)", store.Store.DeleteClient,
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
	var secret string
	err = d.store.UpdateClient(ctx, id, func(cl pool.Client) (pool.Client, error) {
		if !cl.HasSecret() {
			return cl, fmt.Errorf("app client %s is public (it has no secret); create a confidential client with 'linkpool client create --generate-secret'", id)
		}
		// The stored run is the last one, so secret ends up matching it.
		secret = sealSecret(d.box, &cl)
		cl.UpdatedAt = time.Now()
		return cl, nil
	})
	if err != nil {
		return named(err, "client", id)
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
