package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

func runPool(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "pool", args, map[string]func(context.Context, *env, []string) error{
		"create":   runPoolCreate,
		"show":     runPoolShow,
		"list":     runPoolList,
		"update":   runPoolUpdate,
		"delete":   runPoolDelete,
		"mfa":      runPoolMFA,
		"triggers": runPoolTriggers,
	})
}

func runPoolCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool create", true)
	var s poolSettings
	var region string
	c.fs.StringVar(&region, "region", "us-east-1", "region part of the pool id (<region>_<9 characters>)")
	s.register(c.fs)
	if err := c.parse(args, "name"); err != nil {
		return err
	}
	if !pool.ValidRegion(region) {
		return usagef("--region %q is not a region name like us-east-1", region)
	}
	if err := s.load(c.given); err != nil {
		return err
	}
	p := pool.NewPool(region, s.name, time.Now())
	s.apply(&p, c.given)
	// Validate before the store is opened: a rejected setting changes
	// nothing, not even by creating an empty data directory.
	if err := p.Validate(); err != nil {
		return err
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	if _, err := d.admin.CreateUserPool(ctx, p); err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, p)
	}
	fmt.Fprintf(e.stdout, "Created user pool %s with %s signing keys.\n\n", p.ID, p.SigningAlgorithm)
	if err := printFields(e.stdout, poolFields(p, nil)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nNext: linkpool client create --pool %s --name <app> ...\n", p.ID)
	return nil
}

func runPoolShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool show", true)
	var id string
	c.fs.StringVar(&id, "pool", "", "pool id (required)")
	d, err := c.start(ctx, args, "pool")
	if err != nil {
		return err
	}
	defer d.close()
	p, err := d.getPool(ctx, id)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, p)
	}
	domains, err := d.admin.ListUserPoolDomains(ctx, id)
	if err != nil {
		return adminErr(err)
	}
	return printPool(ctx, e.stdout, d, p, domains)
}

// printPool prints a pool and, when the pool's signing algorithm differs
// from the one its active keys use, when the change takes effect.
func printPool(ctx context.Context, w io.Writer, d *deps, p pool.Pool, domains []pool.Domain) error {
	if err := printFields(w, poolFields(p, domains)); err != nil {
		return err
	}
	keys, err := d.keys.List(ctx, p.ID)
	if errors.Is(err, token.ErrNoKeys) {
		// A pool without keys gets them when the server starts.
		return nil
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.State == store.KeyActive && k.Alg != p.SigningAlgorithm {
			fmt.Fprintf(w, "\nTokens are still signed with %s: the next 'linkpool keys rotate --pool %s' publishes %s keys, and the first rotation %v or more after that makes them sign.\n", k.Alg, p.ID, p.SigningAlgorithm, token.PublishFor+token.MaxRefreshInterval)
			break
		}
	}
	return nil
}

func runPoolList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool list", true)
	d, err := c.start(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	pools, err := listPages(ctx, d.admin.ListUserPools)
	if err != nil {
		return err
	}
	return printList(e.stdout, c.json, pools, []string{"ID", "NAME", "SIGNING-ALG", "CREATED"}, func(p pool.Pool) []string {
		return []string{p.ID, p.Name, p.SigningAlgorithm, fmtTime(p.CreatedAt)}
	})
}

func runPoolUpdate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool update", true)
	var id string
	var s poolSettings
	c.fs.StringVar(&id, "pool", "", "pool id (required)")
	s.register(c.fs)
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	if !s.changes(c.given) {
		return usagef("nothing to update: give the settings to change (see 'linkpool pool update -h')")
	}
	// UpdateUserPool cannot change these (Cognito: UsernameAttributes,
	// AliasAttributes and UsernameConfiguration are set at creation only).
	for _, im := range immutablePoolSettings {
		if c.given[im.flag] {
			return &pool.ValidationError{Field: im.field, Message: "cannot be changed after the pool is created; create a new pool instead"}
		}
	}
	if err := s.load(c.given); err != nil {
		return err
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	updated, err := d.admin.UpdateUserPool(ctx, id, func(p *pool.Pool) { s.apply(p, c.given) })
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, updated)
	}
	fmt.Fprintf(e.stdout, "Updated pool %s.\n\n", id)
	domains, err := d.admin.ListUserPoolDomains(ctx, id)
	if err != nil {
		return adminErr(err)
	}
	// printPool says when a changed signing algorithm takes effect.
	return printPool(ctx, e.stdout, d, updated, domains)
}

func runPoolDelete(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "pool delete", false)
	var id string
	var yes bool
	c.fs.StringVar(&id, "pool", "", "pool id (required)")
	c.fs.BoolVar(&yes, "yes", false, "confirm: deletes the pool with all its clients, users, groups, domains, tokens and keys")
	if err := c.parse(args, "pool"); err != nil {
		return err
	}
	if !yes {
		return usagef("deleting pool %s also deletes all its clients, users, groups, domains, tokens and keys and cannot be undone: add --yes", id)
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.admin.DeleteUserPool(ctx, id); err != nil {
		return adminErr(err)
	}
	fmt.Fprintf(e.stdout, "Deleted pool %s with all its clients, users, groups, domains, tokens and keys.\n", id)
	return nil
}
