package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// filterKey is how one searchable attribute is indexed (migration
// 0012_user_filters.sql; the expressions here must stay identical to the
// indexes' for SQLite to use them).
type filterKey struct {
	key    string // the index key: the (folded) value, truncated
	full   string // the whole (folded) value, for rechecks
	has    string // the partial index's condition; empty for a full index
	unique bool   // one user per key: pages are ordered by key alone
}

var filterKeys = func() map[string]filterKey {
	attr := func(name string, fold bool) filterKey {
		v := "json_extract(attributes, '$." + name + "')"
		full := v
		if fold {
			full = "lower(" + v + ")"
		}
		return filterKey{key: "substr(" + full + ", 1, " + strconv.Itoa(store.FilterKeyRunes) + ")", full: full, has: v + " IS NOT NULL"}
	}
	m := map[string]filterKey{
		store.FilterUsername:   {key: "username_key", full: "username_key", unique: true},
		store.FilterSub:        {key: "sub", full: "sub", unique: true},
		store.FilterEmail:      attr("email", true),
		store.FilterUserStatus: {key: "lower(status)", full: "lower(status)"},
		store.FilterStatus:     {key: "CASE WHEN enabled THEN 'enabled' ELSE 'disabled' END", full: "CASE WHEN enabled THEN 'enabled' ELSE 'disabled' END"},
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
	b.WriteString(`SELECT ` + k.key + `, ` + userColumns + ` FROM users WHERE pool_id = ?`)
	if k.has != "" {
		b.WriteString(` AND ` + k.has)
	}
	if f.Prefix {
		b.WriteString(` AND ` + k.key + ` >= ?`)
		args = append(args, key)
		if hasEnd {
			b.WriteString(` AND ` + k.key + ` < ?`)
			args = append(args, end)
		}
	} else {
		b.WriteString(` AND ` + k.key + ` = ?`)
		args = append(args, key)
	}
	if recheck {
		v := f.FoldedValue()
		if f.Prefix {
			b.WriteString(` AND substr(` + k.full + `, 1, ` + strconv.Itoa(utf8.RuneCountInString(v)) + `) = ?`)
		} else {
			b.WriteString(` AND ` + k.full + ` = ?`)
		}
		args = append(args, v)
	}
	switch {
	case first:
	case k.unique:
		b.WriteString(` AND ` + k.key + ` > ?`)
		args = append(args, afterKey)
	case !f.Prefix:
		b.WriteString(` AND sub > ?`)
		args = append(args, afterSub)
	default:
		b.WriteString(` AND (` + k.key + `, sub) > (?, ?)`)
		args = append(args, afterKey, afterSub)
	}
	switch {
	case k.unique:
		b.WriteString(` ORDER BY ` + k.key)
	case !f.Prefix: // the key is the value: ordering by it would cost a sort
		b.WriteString(` ORDER BY sub`)
	default:
		b.WriteString(` ORDER BY ` + k.key + `, sub`)
	}
	b.WriteString(` LIMIT ?`)
	return b.String(), append(args, fetch)
}

// FilterUsers lists the pool's users matching f from the attribute's
// index, ordered by its key, then sub; the page key is that pair.
func (db *DB) FilterUsers(ctx context.Context, poolID string, f store.UserFilter, opts store.ListOptions) (store.Page[pool.User], error) {
	const op = "filter users"
	if err := f.Check(); err != nil {
		return store.Page[pool.User]{}, fmt.Errorf("%s: sqlite: %w", op, err)
	}
	scope := store.FilterScope(poolID, f)
	afterKey, afterSub, err := store.PageKeyPair(scope, opts.PageToken)
	if err != nil {
		return store.Page[pool.User]{}, fmt.Errorf("%s: sqlite: %w", op, err)
	}
	q, args := filterQuery(poolID, f, opts.PageToken == "", afterKey, afterSub, store.PageLimit(opts)+1)
	rows, err := queryAll(ctx, db.rq, op, scanKeyedUser, q, args...)
	if err != nil {
		return store.Page[pool.User]{}, err
	}
	limit := store.PageLimit(opts)
	page := store.Page[pool.User]{Items: make([]pool.User, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			last := rows[limit-1]
			page.Next = store.PageToken(scope, last.key+"\x00"+last.user.Sub)
			break
		}
		page.Items = append(page.Items, r.user)
	}
	return page, nil
}

// keyedUser is a user with the index key it was listed by.
type keyedUser struct {
	key  string
	user pool.User
}

func scanKeyedUser(row scanner) (keyedUser, error) {
	var k keyedUser
	u, err := scanUser(prefixScanner{row, &k.key})
	k.user = u
	return k, err
}

// prefixScanner scans one column before those its caller asks for.
type prefixScanner struct {
	row   scanner
	first any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.row.Scan(append([]any{p.first}, dest...)...)
}
