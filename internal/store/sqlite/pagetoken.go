package sqlite

import (
	"fmt"

	"github.com/linkpool/linkpool/internal/store"
)

// Listings use keyset pagination with store's page tokens
// (store.PageToken), scoped per listing exactly as in store/postgres, so
// that a token means the same on both backends.

// pageArgs decodes opts into the sort key to start after and the number
// of rows to fetch: one more than the page, to learn whether another page
// follows without returning an empty last page.
func pageArgs(op, scope string, opts store.ListOptions) (after string, fetch int, err error) {
	after, err = store.PageKey(scope, opts.PageToken)
	if err != nil {
		return "", 0, fmt.Errorf("%s: sqlite: %w", op, err)
	}
	return after, store.PageLimit(opts) + 1, nil
}

// makePage trims items fetched with pageArgs to the page and sets Next.
func makePage[T any](items []T, scope string, opts store.ListOptions, key func(T) string) store.Page[T] {
	limit := store.PageLimit(opts)
	if len(items) <= limit {
		return store.Page[T]{Items: items}
	}
	items = items[:limit]
	return store.Page[T]{Items: items, Next: store.PageToken(scope, key(items[limit-1]))}
}
