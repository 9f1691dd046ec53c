package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

const lampColumns = `owner, id, name, is_on, brightness, hue, saturation, color_bright,
	kelvin, color_mode, reachable, updated_at, created_at, prev_bright, version,
	last_change_by`

const lampValues = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

func lampArgs(l *skillstore.Lamp) []any {
	return []any{
		l.Owner, l.ID, l.Name, l.On, l.Brightness, l.Hue, l.Saturation, l.ColorBright,
		l.Kelvin, l.ColorMode, l.Reachable, ts(l.UpdatedAt), ts(l.CreatedAt), l.PrevBright, l.Version,
		l.LastChangeBy,
	}
}

func scanLamp(row pgx.Row) (skillstore.Lamp, error) {
	var l skillstore.Lamp
	err := row.Scan(&l.Owner, &l.ID, &l.Name, &l.On, &l.Brightness, &l.Hue, &l.Saturation, &l.ColorBright,
		&l.Kelvin, &l.ColorMode, &l.Reachable, (*utcTime)(&l.UpdatedAt), (*utcTime)(&l.CreatedAt),
		&l.PrevBright, &l.Version, &l.LastChangeBy)
	return l, err
}

// CreateLamp stores a new lamp of its owner; the (owner, id) pair must be
// free.
func (db *DB) CreateLamp(ctx context.Context, l skillstore.Lamp) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO lamps (`+lampColumns+`) VALUES `+lampValues, lampArgs(&l)...)
	return wrap("create lamp", err)
}

// GetLamp returns one lamp of the owner.
func (db *DB) GetLamp(ctx context.Context, owner, id string) (skillstore.Lamp, error) {
	l, err := scanLamp(db.pool.QueryRow(ctx, `SELECT `+lampColumns+` FROM lamps WHERE owner = $1 AND id = $2`, owner, id))
	return l, wrap("get lamp", err)
}

// ListLamps returns the owner's lamps ordered by id.
func (db *DB) ListLamps(ctx context.Context, owner string) ([]skillstore.Lamp, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+lampColumns+` FROM lamps WHERE owner = $1 ORDER BY id`, owner)
	if err != nil {
		return nil, wrap("list lamps", err)
	}
	ls, err := collectAll(rows, scanLamp)
	return ls, wrap("list lamps", err)
}

// UpdateLamp runs fn on the locked lamp and stores the result under the
// same owner and id; a changed Owner or ID in the result is ignored.
// Version is stored as fn returns it.
func (db *DB) UpdateLamp(ctx context.Context, owner, id string, fn func(skillstore.Lamp) (skillstore.Lamp, error)) error {
	const op = "update lamp"
	return db.inTx(ctx, op, func(tx pgx.Tx) error {
		cur, err := scanLamp(tx.QueryRow(ctx, `SELECT `+lampColumns+` FROM lamps
			WHERE owner = $1 AND id = $2 FOR UPDATE`, owner, id))
		if err != nil {
			return wrap(op, err)
		}
		next, err := fn(cur)
		if err != nil {
			return &callbackError{err}
		}
		next.Owner, next.ID = cur.Owner, cur.ID
		_, err = tx.Exec(ctx, `UPDATE lamps SET (`+lampColumns+`) = `+lampValues+`
			WHERE owner = $1 AND id = $2`, lampArgs(&next)...)
		return err
	})
}

// DeleteLamp deletes one lamp of the owner.
func (db *DB) DeleteLamp(ctx context.Context, owner, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM lamps WHERE owner = $1 AND id = $2`, owner, id)
	if err != nil {
		return wrap("delete lamp", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("delete lamp")
	}
	return nil
}
