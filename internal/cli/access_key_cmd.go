package cli

import (
	"context"
	"fmt"

	"github.com/linkpool/linkpool/internal/accesskey"
)

func runAccessKey(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "access-key", args, map[string]func(context.Context, *env, []string) error{
		"create": runAccessKeyCreate,
		"list":   runAccessKeyList,
		"delete": runAccessKeyDelete,
	})
}

// createdAccessKey is what access-key create --json prints: the key and,
// this once, its secret.
type createdAccessKey struct {
	accesskey.Key
	SecretAccessKey string `json:"SecretAccessKey"`
}

func runAccessKeyCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "access-key create", true)
	var in accesskey.CreateInput
	var pools stringList
	c.fs.StringVar(&in.Description, "description", "", "what the key is for (at most 256 characters)")
	c.fs.Var(&pools, "pool", "pool id the key may act on (repeatable or comma-separated; default every pool)")
	c.fs.BoolVar(&in.ReadOnly, "read-only", false, "allow only actions that change nothing (Describe*, Get*, List*)")
	d, err := c.start(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	in.PoolIDs = pools
	k, secret, err := d.accessKeys.Create(ctx, in)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, createdAccessKey{Key: k, SecretAccessKey: secret})
	}
	fmt.Fprintf(e.stdout, "Created access key %s. The secret is shown only now: store it, then use the pair with the AWS CLI or an SDK.\n\n", k.ID)
	return printFields(e.stdout, append([][2]string{
		{"AccessKeyId", k.ID},
		{"SecretAccessKey", secret},
	}, accessKeyFields(k)...))
}

func accessKeyFields(k accesskey.Key) [][2]string {
	return [][2]string{
		{"Pools", accessKeyPools(k)},
		{"ReadOnly", yesNo(k.ReadOnly)},
		{"Description", orDash(k.Description)},
		{"CreateDate", fmtTime(k.CreatedAt)},
	}
}

func accessKeyPools(k accesskey.Key) string {
	if k.AllPools {
		return "all"
	}
	return join(k.PoolIDs)
}

func runAccessKeyList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "access-key list", true)
	d, err := c.start(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	keys, err := d.accessKeys.List(ctx)
	if err != nil {
		return err
	}
	return printList(e.stdout, c.json, keys, []string{"ACCESS KEY ID", "POOLS", "READ-ONLY", "CREATED", "LAST USED", "DESCRIPTION"}, func(k accesskey.Key) []string {
		return []string{k.ID, accessKeyPools(k), yesNo(k.ReadOnly), fmtTime(k.CreatedAt), fmtTime(k.LastUsedAt), orDash(k.Description)}
	})
}

func runAccessKeyDelete(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "access-key delete", false)
	var id string
	c.fs.StringVar(&id, "id", "", "access key id (required)")
	d, err := c.start(ctx, args, "id")
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.accessKeys.Delete(ctx, id); err != nil {
		return notFound(err, "access key %s", id)
	}
	fmt.Fprintf(e.stdout, "Deleted access key %s; running servers refuse it within %s.\n", id, accesskey.DefaultCacheTTL)
	return nil
}
