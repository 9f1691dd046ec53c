package postgres

import (
	"cmp"
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// identityKey is a user_identities primary key within a pool.
type identityKey struct{ provider, subject string }

// identityKeys returns the keys of ids in key order, so that concurrent
// transactions take the index rows in one order.
func identityKeys(ids []pool.Identity) []identityKey {
	keys := make([]identityKey, 0, len(ids))
	for _, id := range ids {
		keys = append(keys, identityKey{id.ProviderName, id.UserID})
	}
	slices.SortFunc(keys, func(a, b identityKey) int {
		return cmp.Or(cmp.Compare(a.provider, b.provider), cmp.Compare(a.subject, b.subject))
	})
	return keys
}

// linkIdentities brings the user's user_identities rows from old to ids
// in tx: the rows of identities no longer listed are deleted, those of
// new ones inserted. An identity another user holds (or ids listing one
// twice) violates the primary key: store.ErrAlreadyExists once wrapped.
func linkIdentities(ctx context.Context, tx pgx.Tx, poolID, sub string, old, ids []pool.Identity) error {
	had, want := identityKeys(old), identityKeys(ids)
	for _, k := range had {
		if slices.Contains(want, k) {
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_identities
			WHERE pool_id = $1 AND provider_name = $2 AND subject = $3 AND sub = $4`, poolID, k.provider, k.subject, sub); err != nil {
			return err
		}
	}
	for _, k := range want {
		if slices.Contains(had, k) {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_identities (pool_id, provider_name, subject, sub)
			VALUES ($1, $2, $3, $4)`, poolID, k.provider, k.subject, sub); err != nil {
			return err
		}
	}
	return nil
}

// GetUserByIdentity returns the user that subject at the provider named
// providerName is linked to: one primary-key read of user_identities
// joined with the user's row.
func (db *DB) GetUserByIdentity(ctx context.Context, poolID, providerName, subject string) (pool.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+store.Qualified("u", userColumns)+`
		FROM user_identities i JOIN users u ON u.pool_id = i.pool_id AND u.sub = i.sub
		WHERE i.pool_id = $1 AND i.provider_name = $2 AND i.subject = $3`, poolID, providerName, subject))
	return u, wrap("get user by identity", err)
}
