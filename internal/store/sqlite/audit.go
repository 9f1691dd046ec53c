package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

const auditColumns = `id, time, actor_kind, actor_id, action, pool_id, target, changed, result, request_id`

// AppendAudit stores an audit record.
func (db *DB) AppendAudit(ctx context.Context, r store.AuditRecord) error {
	var enc encoder
	changed := r.Changed
	if changed == nil {
		changed = []store.AuditChange{}
	}
	changedJSON := enc.json(changed)
	if enc.err != nil {
		return wrap("append audit", enc.err)
	}
	_, err := db.exec(ctx, "append audit", `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Time.UnixMicro(), r.ActorKind, r.ActorID, r.Action, r.PoolID, r.Target, changedJSON, r.Result, r.RequestID)
	return err
}

func scanAudit(row scanner) (store.AuditRecord, error) {
	var r store.AuditRecord
	var t int64
	err := row.Scan(&r.ID, &t, &r.ActorKind, &r.ActorID, &r.Action, &r.PoolID, &r.Target, jsonCol{&r.Changed}, &r.Result, &r.RequestID)
	r.Time = time.UnixMicro(t).UTC()
	if len(r.Changed) == 0 {
		r.Changed = nil
	}
	return r, err
}

// ListAudit pages through the audit records f selects, newest first.
func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter, opts store.ListOptions) (store.Page[store.AuditRecord], error) {
	const op = "list audit"
	afterT, afterID, after, err := store.AuditPageAfter(opts.PageToken)
	if err != nil {
		return store.Page[store.AuditRecord]{}, fmt.Errorf("%s: sqlite: %w", op, err)
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !f.Since.IsZero() {
		add("time >= ?", f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		add("time < ?", f.Until.UnixMicro())
	}
	if f.PoolID != "" {
		add("pool_id = ?", f.PoolID)
	}
	if f.ActorKind != "" {
		add("actor_kind = ?", f.ActorKind)
	}
	if f.ActorID != "" {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if after {
		where = append(where, "(time < ? OR (time = ? AND id < ?))")
		args = append(args, afterT, afterT, afterID)
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := store.PageLimit(opts)
	q += ` ORDER BY time DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return store.Page[store.AuditRecord]{}, wrap(op, err)
	}
	defer rows.Close()
	var items []store.AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return store.Page[store.AuditRecord]{}, wrap(op, err)
		}
		items = append(items, r)
	}
	if err := rows.Err(); err != nil {
		return store.Page[store.AuditRecord]{}, wrap(op, err)
	}
	return makePage(items, "audit", opts, store.AuditPageKey), nil
}

// PurgeAudit deletes the audit records older than before.
func (db *DB) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.exec(ctx, "purge audit", `DELETE FROM audit_log WHERE time < ?`, before.UnixMicro())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, wrap("purge audit", err)
}
