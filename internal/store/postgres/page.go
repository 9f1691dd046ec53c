package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

// Listings use keyset pagination with store's page tokens (store.PageToken).

// pageKey returns the key in a token issued for scope (store.PageKey),
// failing as op.
func pageKey(op, scope, token string) (string, error) {
	key, err := store.PageKey(scope, token)
	if err != nil {
		return "", &Error{Op: op, Err: err}
	}
	return key, nil
}

// collectPage reads up to limit+1 rows with scan; the extra row only
// signals that another page follows, and then Next is the token for the
// key of the last row kept.
func collectPage[T any](rows pgx.Rows, scope string, limit int, scan func(pgx.Row) (T, error), key func(*T) string) (store.Page[T], error) {
	defer rows.Close()
	var page store.Page[T]
	page.Items = make([]T, 0, min(limit, 64))
	for rows.Next() {
		if len(page.Items) == limit {
			page.Next = store.PageToken(scope, key(&page.Items[limit-1]))
			break
		}
		v, err := scan(rows)
		if err != nil {
			return store.Page[T]{}, err
		}
		page.Items = append(page.Items, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return store.Page[T]{}, err
	}
	return page, nil
}

// collectAll reads every row with scan. An empty result is an empty,
// non-nil slice.
func collectAll[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
