package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// identitiesValue encodes pool.User.Identities for users.identities:
// '[]' when there are none.
func identitiesValue(e *encoder, ids []pool.Identity) string {
	if len(ids) == 0 {
		return "[]"
	}
	return e.json(ids)
}

// identityKey is a user_identities primary key within a pool.
type identityKey struct{ provider, subject string }

func identityKeys(ids []pool.Identity) map[identityKey]bool {
	keys := make(map[identityKey]bool, len(ids))
	for _, id := range ids {
		keys[identityKey{id.ProviderName, id.UserID}] = true
	}
	return keys
}

// linkIdentities brings the user's user_identities rows from old to ids
// in the running transaction: the rows of identities no longer listed
// are deleted, those of new ones inserted. An identity another user holds
// (or ids listing one twice) violates the primary key:
// store.ErrAlreadyExists once wrapped.
func linkIdentities(tx *wtx, poolID, sub string, old, ids []pool.Identity) error {
	had, want := identityKeys(old), identityKeys(ids)
	for k := range had {
		if !want[k] {
			if _, err := tx.Exec(`DELETE FROM user_identities
				WHERE pool_id = ? AND provider_name = ? AND subject = ? AND sub = ?`, poolID, k.provider, k.subject, sub); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		k := identityKey{id.ProviderName, id.UserID}
		if had[k] {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO user_identities (pool_id, provider_name, subject, sub)
			VALUES (?, ?, ?, ?)`, poolID, k.provider, k.subject, sub); err != nil {
			return err
		}
	}
	return nil
}

// GetUserByIdentity returns the user that subject at the provider named
// providerName is linked to: one primary-key read of user_identities
// joined with the user's row.
func (db *DB) GetUserByIdentity(ctx context.Context, poolID, providerName, subject string) (pool.User, error) {
	u, err := scanUser(db.rq.QueryRowContext(ctx, `SELECT `+store.Qualified("u", userColumns)+`
		FROM user_identities i JOIN users u ON u.pool_id = i.pool_id AND u.sub = i.sub
		WHERE i.pool_id = ? AND i.provider_name = ? AND i.subject = ?`, poolID, providerName, subject))
	return u, wrap("get user by identity", err)
}
