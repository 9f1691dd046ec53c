package sqlite

import (
	"context"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
)

const lampColumns = `owner, id, name, on_state, brightness, hue, saturation, color_bright, kelvin,
	color_mode, reachable, updated_at, created_at, prev_bright, version, last_change_by`

func scanLamp(row scanner) (skillstore.Lamp, error) {
	var l skillstore.Lamp
	err := row.Scan(&l.Owner, &l.ID, &l.Name, &l.On, &l.Brightness, &l.Hue, &l.Saturation, &l.ColorBright, &l.Kelvin,
		&l.ColorMode, &l.Reachable, timeCol{&l.UpdatedAt}, timeCol{&l.CreatedAt}, &l.PrevBright, &l.Version, &l.LastChangeBy)
	return l, err
}

// lampValues returns the columns after owner and id, in lampColumns order.
func lampValues(l skillstore.Lamp) []any {
	return []any{l.Name, l.On, l.Brightness, l.Hue, l.Saturation, l.ColorBright, l.Kelvin,
		l.ColorMode, l.Reachable, micros(l.UpdatedAt), micros(l.CreatedAt), l.PrevBright, l.Version, l.LastChangeBy}
}

// CreateLamp stores a new lamp; ids are unique per owner.
func (db *DB) CreateLamp(ctx context.Context, l skillstore.Lamp) error {
	_, err := db.exec(ctx, "create lamp", `INSERT INTO lamps (`+lampColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{l.Owner, l.ID}, lampValues(l)...)...)
	return err
}

// GetLamp returns the owner's lamp with the given id.
func (db *DB) GetLamp(ctx context.Context, owner, id string) (skillstore.Lamp, error) {
	l, err := scanLamp(db.rq.QueryRowContext(ctx, `SELECT `+lampColumns+` FROM lamps WHERE owner = ? AND id = ?`, owner, id))
	return l, wrap("get lamp", err)
}

// ListLamps returns the owner's lamps ordered by id.
func (db *DB) ListLamps(ctx context.Context, owner string) ([]skillstore.Lamp, error) {
	return queryAll(ctx, db.rq, "list lamps", scanLamp, `SELECT `+lampColumns+` FROM lamps WHERE owner = ? ORDER BY id`, owner)
}

// UpdateLamp runs fn on the stored lamp and stores the result; the owner
// and the id do not change.
func (db *DB) UpdateLamp(ctx context.Context, owner, id string, fn func(skillstore.Lamp) (skillstore.Lamp, error)) error {
	const op = "update lamp"
	return db.writeTx(ctx, op, func(tx *wtx) error {
		old, err := scanLamp(tx.QueryRow(`SELECT `+lampColumns+` FROM lamps WHERE owner = ? AND id = ?`, owner, id))
		if err != nil {
			return wrap(op, err)
		}
		l, err := fn(old)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE lamps SET name = ?, on_state = ?, brightness = ?, hue = ?,
			saturation = ?, color_bright = ?, kelvin = ?, color_mode = ?, reachable = ?, updated_at = ?,
			created_at = ?, prev_bright = ?, version = ?, last_change_by = ?
			WHERE owner = ? AND id = ?`, append(lampValues(l), owner, id)...)
		return wrap(op, err)
	})
}

// DeleteLamp deletes the lamp.
func (db *DB) DeleteLamp(ctx context.Context, owner, id string) error {
	return db.execOne(ctx, "delete lamp", `DELETE FROM lamps WHERE owner = ? AND id = ?`, owner, id)
}
