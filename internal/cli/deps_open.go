package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/trigger"
)

// deps is what administration commands work with.
type deps struct {
	store    skillstore.Database
	box      *seal.Box
	keys     *token.Keys
	accounts *account.Service
	// admin runs the pool, client, domain and group actions.
	admin *admin.Service
	// accessKeys issues and deletes the JSON API's access keys.
	accessKeys *accesskey.Service
	// passkeys lists and deletes users' passkeys.
	passkeys *passkey.Service
	// audit records the commands' changes and reads the audit log.
	audit *audit.Recorder
}

func (d *deps) close() { _ = d.store.Close() }

// getPool reads a pool, naming it when it does not exist.
func (d *deps) getPool(ctx context.Context, id string) (pool.Pool, error) {
	p, err := d.admin.DescribeUserPool(ctx, id)
	return p, adminErr(err)
}

// openDeps opens the store and master key for an administration command.
func openDeps(ctx context.Context, sf *storageFlags, e *env) (*deps, error) {
	log := warnLogger(e.stderr)
	st, err := sf.openStore(ctx, log)
	if err != nil {
		return nil, err
	}
	box, err := sf.openBox(ctx, st, e.stderr)
	if err != nil {
		st.Close()
		return nil, err
	}
	hasher := password.NewHasher(password.DefaultParams, 2)
	keys := token.NewKeys(st, box, token.KeysOptions{})
	// The user commands are adapters over the same operations as the
	// JSON API's admin actions, so they run the pool's triggers as those
	// do (pre sign-up for `user create`, ...), with the invoker's defaults
	// and the AWS configuration of the environment.
	triggers, err := trigger.New(trigger.Config{Box: box, Logger: log})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("triggers: %w", err)
	}
	// The commands have no mail relay of their own: the mail they send
	// (the invitation of `user create`) goes to the store's outbox, which
	// the servers' outboxes deliver through their relays.
	accounts := account.New(account.Config{Store: st, Hasher: hasher, Mailer: mail.NewQueue(st, box), CodeKey: box.DeriveKey(account.CodeKeyPurpose), Box: box, Log: log, Triggers: triggers, Audit: newAuditRecorder(st, log)})
	return newDeps(st, box, keys, accounts, log), nil
}

// newDeps returns the deps of an open store, with the admin and
// access-key services on them.
func newDeps(st skillstore.Database, box *seal.Box, keys *token.Keys, accounts *account.Service, log *slog.Logger) *deps {
	rec := newAuditRecorder(st, log)
	return &deps{
		store: st, box: box, keys: keys, accounts: accounts,
		admin:      admin.New(admin.Config{Store: st, Box: box, Keys: keys, Accounts: accounts, Audit: rec}),
		accessKeys: accesskey.New(accesskey.Config{Store: st, Box: box, Log: log, Audit: rec}),
		passkeys:   passkey.New(passkey.Config{Store: st, Box: box, Log: log, Audit: rec}),
		audit:      rec,
	}
}

// newAuditRecorder records the commands' changes; a record that cannot
// be written is reported on the command's standard error.
func newAuditRecorder(st skillstore.Database, log *slog.Logger) *audit.Recorder {
	return audit.New(audit.Config{Store: st, Log: log})
}
