package postgres

import (
	"encoding/base64"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/linkpool/linkpool/internal/store"
)

// Listings use keyset pagination: rows are ordered by a unique key in
// byte order (COLLATE "C"), a page holds the rows whose key is greater
// than the one in the page token, and the next page's token carries the
// key of the last row returned, so rows created or deleted between pages
// never shift the ones that follow.
//
// A token is the base64url encoding of "<scope>\x00<key>", where scope
// names the listing ("users/<pool id>"). A token that does not decode or
// belongs to another listing fails with store.ErrInvalidPageToken; a
// well-formed token with any key is accepted, since it can only select a
// page of the same listing. PostgreSQL text never contains NUL, so the
// separator is unambiguous.

// pageToken returns the token of the page that follows key in scope.
func pageToken(scope, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(scope + "\x00" + key))
}

// pageKey returns the key in a token issued for scope; the empty token,
// which asks for the first page, yields the empty key, which sorts before
// every key.
func pageKey(op, scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	prefix := scope + "\x00"
	if err != nil || !strings.HasPrefix(string(b), prefix) || len(b) == len(prefix) {
		return "", &Error{Op: op, Err: store.ErrInvalidPageToken}
	}
	return string(b[len(prefix):]), nil
}

// pageLimit returns the number of rows a page holds: the default for a
// zero or negative limit, capped at store.MaxPageSize.
func pageLimit(opts store.ListOptions) int {
	switch {
	case opts.Limit <= 0:
		return store.DefaultPageSize
	case opts.Limit > store.MaxPageSize:
		return store.MaxPageSize
	}
	return opts.Limit
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
			page.Next = pageToken(scope, key(&page.Items[limit-1]))
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
