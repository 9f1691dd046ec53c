package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

func runKeys(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "keys", args, map[string]func(context.Context, *env, []string) error{
		"list":       runKeysList,
		"rotate":     runKeysRotate,
		"master-key": runKeysMasterKey,
	})
}

// keyView is a signing key as printed; it never holds private material.
type keyView struct {
	KID       string     `json:"kid"`
	Use       string     `json:"use"`
	Alg       string     `json:"alg"`
	State     string     `json:"state"`
	CreatedAt time.Time  `json:"created"`
	NotAfter  *time.Time `json:"not_after,omitempty"`
	Published bool       `json:"published"`
	// ReadyAt is when a next key may start signing (token.KeyInfo.ReadyAt).
	ReadyAt *time.Time `json:"ready_at,omitempty"`
}

func viewKey(k token.KeyInfo) keyView {
	v := keyView{KID: k.KID, Use: k.Use, Alg: k.Alg, State: k.State, CreatedAt: k.CreatedAt, Published: k.Published}
	if !k.NotAfter.IsZero() {
		na := k.NotAfter
		v.NotAfter = &na
	}
	if !k.ReadyAt.IsZero() {
		ra := k.ReadyAt
		v.ReadyAt = &ra
	}
	return v
}

func runKeysList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "keys list", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	keys, err := d.keys.List(ctx, p.ID)
	if err != nil {
		if errors.Is(err, token.ErrNoKeys) {
			return fmt.Errorf("pool %s has no signing keys yet; 'linkpool serve' creates them at start", p.ID)
		}
		return err
	}
	views := make([]keyView, 0, len(keys))
	for _, k := range keys {
		views = append(views, viewKey(k))
	}
	if c.json {
		return printJSON(e.stdout, views)
	}
	rows := make([][]string, 0, len(views))
	for _, k := range views {
		notAfter := "-"
		if k.NotAfter != nil {
			notAfter = fmtTime(*k.NotAfter)
		}
		readyAt := "-"
		if k.ReadyAt != nil {
			readyAt = fmtTime(*k.ReadyAt)
		}
		rows = append(rows, []string{k.KID, k.Use, k.Alg, k.State, fmtTime(k.CreatedAt), notAfter, readyAt, yesNo(k.Published)})
	}
	return printTable(e.stdout, []string{"KID", "USE", "ALG", "STATE", "CREATED", "NOT-AFTER", "READY-AT", "IN-JWKS"}, rows)
}

// runKeysRotate rotates the pool's signing keys for ID and access tokens
// (token.Keys.Rotate): the published next key starts signing, the active
// key is retired but stays in the JWKS for the longest token lifetime of
// the pool's clients, and a new next key is published. A next key signs
// only after it has been published for token.PublishFor, so a rotation
// sooner is refused with the time it becomes possible. A changed
// --signing-alg of the pool publishes next keys of the new algorithm,
// which the first rotation after their ReadyAt makes sign.
func runKeysRotate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "keys rotate", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	res, ttl, err := d.admin.RotateSigningKeys(ctx, p.ID)
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		return printJSON(e.stdout, rotationView(res, ttl))
	}
	fmt.Fprintf(e.stdout, "Rotated the signing keys of pool %s (key set version %d).\n\n", p.ID, res.Version)
	rows := [][]string{}
	for _, use := range []string{store.UseID, store.UseAccess} {
		rows = append(rows, []string{use, kidsOf(res.Retired, use), kidsOf(res.Activated, use), kidsOf(res.Created, use)})
	}
	if err := printTable(e.stdout, []string{"USE", "OLD (RETIRED)", "NEW (ACTIVE)", "NEXT"}, rows); err != nil {
		return err
	}
	if len(res.Retired) > 0 {
		fmt.Fprintf(e.stdout, "\nThe retired keys stay in the JWKS until %s, when every token they signed has expired\n(the longest ID- or access-token lifetime of the pool's clients is %v).\n", fmtTime(res.Retired[0].NotAfter), ttl)
	}
	if len(res.Activated) > 0 {
		fmt.Fprintf(e.stdout, "Running servers sign with the new keys within %v.\n", token.DefaultRefreshInterval)
	} else {
		fmt.Fprintf(e.stdout, "\nThe current keys keep signing: the new %s next keys must be published for %v first.\n", p.SigningAlgorithm, token.PublishFor)
	}
	fmt.Fprintf(e.stdout, "The new next keys can start signing at %s: the first 'keys rotate' from then on activates them.\n", fmtTime(res.ReadyAt))
	return nil
}

func kidsOf(keys []token.KeyInfo, use string) string {
	var kids []string
	for _, k := range keys {
		if k.Use == use {
			kids = append(kids, k.KID)
		}
	}
	if len(kids) == 0 {
		return "-"
	}
	return strings.Join(kids, ", ")
}

type rotationJSON struct {
	Version       int64     `json:"version"`
	RetiredFor    string    `json:"retired_published_for"`
	Activated     []keyView `json:"activated"`
	Retired       []keyView `json:"retired"`
	Created       []keyView `json:"created"`
	DroppedFromDB []keyView `json:"dropped"`
	ReadyAt       time.Time `json:"next_ready_at"`
}

func rotationView(res token.RotateResult, ttl time.Duration) rotationJSON {
	views := func(keys []token.KeyInfo) []keyView {
		out := make([]keyView, 0, len(keys))
		for _, k := range keys {
			out = append(out, viewKey(k))
		}
		return out
	}
	return rotationJSON{
		Version: res.Version, RetiredFor: ttl.String(),
		Activated: views(res.Activated), Retired: views(res.Retired),
		Created: views(res.Created), DroppedFromDB: views(res.Dropped),
		ReadyAt: res.ReadyAt,
	}
}

// runKeysMasterKey writes a new master key file for deployments whose
// instances share one PostgreSQL database and so must share one key. It
// never overwrites a file: replacing a key makes every sealed secret
// unreadable.
func runKeysMasterKey(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("keys master-key", e.stderr)
	var out string
	flags.StringVar(&out, "out", "", "file to write the new master key to (mode 0600; must not exist) (required)")
	c := &adminCmd{e: e, fs: flags}
	if err := c.parse(args, "out"); err != nil {
		return err
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists: refusing to overwrite a master key (secrets sealed with it would be lost)", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	_, created, err := seal.LoadOrCreate(out)
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("%s already exists: refusing to overwrite a master key (secrets sealed with it would be lost)", out)
	}
	fmt.Fprintf(e.stdout, "Wrote a new master key to %s (mode 0600).\n", out)
	fmt.Fprintln(e.stdout, "Give the same file to every instance (--master-key-file or LINKPOOL_MASTER_KEY_FILE) and back it up")
	fmt.Fprintln(e.stdout, "apart from the database: without it, client secrets and signing keys cannot be opened.")
	return nil
}
