package sqlite

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/store"
)

// Page tokens are opaque to callers: base64url of a version tag and the
// sort key of the last item returned. Listings are keyset-paginated on a
// unique key, so a page never skips or repeats an item when rows are
// added or removed between pages.
const pageTokenTag = "p1:"

func encodePageToken(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(pageTokenTag + lastKey))
}

// decodePageToken returns the sort key after which the page starts; ""
// for the first page.
func decodePageToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !utf8.Valid(b) || !strings.HasPrefix(string(b), pageTokenTag) || len(b) == len(pageTokenTag) {
		return "", fmt.Errorf("sqlite: %w", store.ErrInvalidPageToken)
	}
	return string(b[len(pageTokenTag):]), nil
}

// pageLimit applies store.DefaultPageSize and store.MaxPageSize.
func pageLimit(limit int) int {
	switch {
	case limit <= 0:
		return store.DefaultPageSize
	case limit > store.MaxPageSize:
		return store.MaxPageSize
	}
	return limit
}

// pageArgs decodes opts into the sort key to start after and the number
// of rows to fetch: one more than the page, to learn whether another page
// follows without returning an empty last page.
func pageArgs(op string, opts store.ListOptions) (after string, fetch int, err error) {
	after, err = decodePageToken(opts.PageToken)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", op, err)
	}
	return after, pageLimit(opts.Limit) + 1, nil
}

// makePage trims items fetched with pageArgs to the page and sets Next.
func makePage[T any](items []T, opts store.ListOptions, key func(T) string) store.Page[T] {
	limit := pageLimit(opts.Limit)
	if len(items) <= limit {
		return store.Page[T]{Items: items}
	}
	items = items[:limit]
	return store.Page[T]{Items: items, Next: encodePageToken(key(items[limit-1]))}
}
