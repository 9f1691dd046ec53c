package postgres

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// filterKey is how one searchable attribute is indexed (migration
// 0011_user_filters.sql; the expressions here must stay identical to the
// indexes' for PostgreSQL to use them).
type filterKey struct {
	key    string // the index key: the (folded) value in byte order, truncated
	full   string // the whole (folded) value, for rechecks
	has    string // the partial index's predicate; empty for a full index
	unique bool   // one user per key: pages are ordered by key alone
}

var filterKeys = func() map[string]filterKey {
	attr := func(name string, fold bool) filterKey {
		v := "(attributes ->> '" + name + "')"
		full := v + ` COLLATE "C"`
		if fold {
			full = "lower(" + full + ")"
		}
		return filterKey{key: "left(" + full + ", " + strconv.Itoa(store.FilterKeyRunes) + ")", full: full, has: v + " IS NOT NULL"}
	}
	const status = `lower(status COLLATE "C")`
	const enabled = `(CASE WHEN enabled THEN 'enabled' ELSE 'disabled' END) COLLATE "C"`
	m := map[string]filterKey{
		store.FilterUsername:   {key: "username_key", full: "username_key", unique: true},
		store.FilterSub:        {key: `(sub COLLATE "C")`, full: `(sub COLLATE "C")`, unique: true},
		store.FilterEmail:      attr("email", true),
		store.FilterUserStatus: {key: status, full: status},
		store.FilterStatus:     {key: enabled, full: enabled},
	}
	for _, a := range []string{"phone_number", "name", "given_name", "family_name", "preferred_username"} {
		m[a] = attr(a, false)
	}
	return m
}()

// filterQuery returns the statement and arguments of one page of the
// pool's users matching f, after the row (afterKey, afterSub) unless
// first, fetching fetch rows. The first column is the row's index key.
func filterQuery(poolID string, f store.UserFilter, first bool, afterKey, afterSub string, fetch int) (string, []any) {
	k := filterKeys[f.Attribute]
	key, end, hasEnd, recheck := f.KeyRange()
	var b strings.Builder
	args := []any{poolID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT ` + k.key + `, ` + userColumns + ` FROM users WHERE pool_id = $1`)
	if k.has != "" {
		b.WriteString(` AND ` + k.has)
	}
	if f.Prefix {
		b.WriteString(` AND ` + k.key + ` >= ` + arg(key))
		if hasEnd {
			b.WriteString(` AND ` + k.key + ` < ` + arg(end))
		}
	} else {
		b.WriteString(` AND ` + k.key + ` = ` + arg(key))
	}
	if recheck {
		v := f.FoldedValue()
		if f.Prefix {
			b.WriteString(` AND left(` + k.full + `, ` + strconv.Itoa(utf8.RuneCountInString(v)) + `) = ` + arg(v))
		} else {
			b.WriteString(` AND ` + k.full + ` = ` + arg(v))
		}
	}
	switch {
	case first:
	case k.unique:
		b.WriteString(` AND ` + k.key + ` > ` + arg(afterKey))
	case !f.Prefix:
		b.WriteString(` AND sub > ` + arg(afterSub))
	default:
		b.WriteString(` AND (` + k.key + `, sub) > (` + arg(afterKey) + `, ` + arg(afterSub) + `)`)
	}
	switch {
	case k.unique:
		b.WriteString(` ORDER BY ` + k.key)
	case !f.Prefix: // the key is the value: ordering by it would cost a sort
		b.WriteString(` ORDER BY sub`)
	default:
		b.WriteString(` ORDER BY ` + k.key + `, sub`)
	}
	b.WriteString(` LIMIT ` + arg(fetch))
	return b.String(), args
}

// FilterUsers lists the pool's users matching f from the attribute's
// index, ordered by its key, then sub; the page key is that pair.
func (db *DB) FilterUsers(ctx context.Context, poolID string, f store.UserFilter, opts store.ListOptions) (store.Page[pool.User], error) {
	const op = "filter users"
	if err := f.Check(); err != nil {
		return store.Page[pool.User]{}, &Error{Op: op, Err: err}
	}
	scope := store.FilterScope(poolID, f)
	afterKey, afterSub, err := store.PageKeyPair(scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.User]{}, &Error{Op: op, Err: err}
	}
	limit := store.PageLimit(opts)
	q, args := filterQuery(poolID, f, opts.PageToken == "", afterKey, afterSub, limit+1)
	var page store.Page[pool.User]
	err = db.inTx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, filterPlanSettings); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		page, err = collectKeyedPage(rows, scope, limit)
		return err
	})
	return page, err
}

// filterPlanSettings, for the transaction of one filtered page, leave
// the planner one way: the ordered scan of the attribute's index that
// stops after the page. A next page's bounds (the prefix's range and the
// row comparison with the last key) estimate as the product of two
// selectivities of the same key, often far below the rows in the range;
// with such an estimate PostgreSQL prefers a bitmap scan of every match
// and a sort, whose cost grows with the matches instead of the page.
const filterPlanSettings = `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`

// collectKeyedPage is collectPage for rows whose first column is the
// index key: the page key is that key and the sub.
func collectKeyedPage(rows pgx.Rows, scope string, limit int) (store.Page[pool.User], error) {
	defer rows.Close()
	page := store.Page[pool.User]{Items: make([]pool.User, 0, min(limit, 64))}
	var key string
	for rows.Next() {
		if len(page.Items) == limit {
			page.Next = store.PageToken(scope, key+"\x00"+page.Items[limit-1].Sub)
			break
		}
		u, err := scanUser(prefixRow{rows, &key})
		if err != nil {
			return store.Page[pool.User]{}, err
		}
		page.Items = append(page.Items, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return store.Page[pool.User]{}, err
	}
	return page, nil
}

// prefixRow scans one column before those its caller asks for.
type prefixRow struct {
	row   pgx.Row
	first any
}

func (p prefixRow) Scan(dest ...any) error { return p.row.Scan(append([]any{p.first}, dest...)...) }
