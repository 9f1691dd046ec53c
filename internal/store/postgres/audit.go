package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

const auditColumns = `id, time, actor_kind, actor_id, action, pool_id, target, changed, result, request_id`

// AppendAudit stores an audit record.
func (db *DB) AppendAudit(ctx context.Context, r store.AuditRecord) error {
	changed := r.Changed
	if changed == nil {
		changed = []store.AuditChange{}
	}
	changedJSON, err := encodeJSON(changed)
	if err != nil {
		return wrap("append audit", err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, ts(r.Time), r.ActorKind, r.ActorID, r.Action, r.PoolID, r.Target, changedJSON, r.Result, r.RequestID)
	return wrap("append audit", err)
}

func scanAudit(row pgx.Row) (store.AuditRecord, error) {
	var r store.AuditRecord
	var changed []byte
	err := row.Scan(&r.ID, (*utcTime)(&r.Time), &r.ActorKind, &r.ActorID, &r.Action, &r.PoolID, &r.Target, &changed, &r.Result, &r.RequestID)
	if err != nil {
		return r, err
	}
	if err := decodeJSON(changed, &r.Changed); err != nil {
		return r, err
	}
	if len(r.Changed) == 0 {
		r.Changed = nil
	}
	return r, nil
}

// ListAudit pages through the audit records f selects, newest first.
func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter, opts store.ListOptions) (store.Page[store.AuditRecord], error) {
	const op = "list audit"
	afterT, afterID, after, err := store.AuditPageAfter(opts.PageToken)
	if err != nil {
		return store.Page[store.AuditRecord]{}, &Error{Op: op, Err: err}
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$", "$"+strconv.Itoa(len(args))))
	}
	if !f.Since.IsZero() {
		add("time >= $", ts(f.Since))
	}
	if !f.Until.IsZero() {
		add("time < $", ts(f.Until))
	}
	if f.PoolID != "" {
		add("pool_id = $", f.PoolID)
	}
	if f.ActorKind != "" {
		add("actor_kind = $", f.ActorKind)
	}
	if f.ActorID != "" {
		add("actor_id = $", f.ActorID)
	}
	if f.Action != "" {
		add("action = $", f.Action)
	}
	if after {
		args = append(args, ts(time.UnixMicro(afterT)), afterID)
		n := len(args)
		where = append(where, "(time, id) < ($"+strconv.Itoa(n-1)+", $"+strconv.Itoa(n)+")")
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := store.PageLimit(opts)
	args = append(args, limit+1)
	q += ` ORDER BY time DESC, id DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return store.Page[store.AuditRecord]{}, wrap(op, err)
	}
	page, err := collectPage(rows, "audit", limit, scanAudit, func(r *store.AuditRecord) string { return store.AuditPageKey(*r) })
	return page, wrap(op, err)
}

// PurgeAudit deletes the audit records older than before.
func (db *DB) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM audit_log WHERE time < $1`, ts(before))
	if err != nil {
		return 0, wrap("purge audit", err)
	}
	return tag.RowsAffected(), nil
}
