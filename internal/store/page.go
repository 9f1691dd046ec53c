package store

import (
	"encoding/base64"
	"strings"
)

// Both backends paginate listings the same way, with the helpers below.
// Rows are ordered by a unique key in byte order, a page holds the rows
// whose key is greater than the one in the page token, and the next
// page's token carries the key of the last row returned, so rows created
// or deleted between pages never shift the ones that follow.
//
// A token is the base64url encoding (no padding) of "<scope>\x00<key>",
// where scope names the listing: "pools", "clients/<pool id>",
// "users/<pool id>", "groups/<pool id>", "members/<pool id>/<group>",
// "refresh_tokens", "lamps", "alexa_grants". A token that does not decode
// or belongs to another listing fails with ErrInvalidPageToken; a
// well-formed token with any key is accepted, since it can only select a
// page of the same listing. Scopes never contain NUL, so the separator is
// unambiguous.

// PageToken returns the token of the page that follows key in scope.
func PageToken(scope, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(scope + "\x00" + key))
}

// PageKey returns the key in a token issued for scope: the key after
// which the page starts. The empty token, which asks for the first page,
// yields the empty key, which sorts before every key. Any other token
// that PageToken did not make for scope, or that carries an empty key,
// fails with ErrInvalidPageToken.
func PageKey(scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	prefix := scope + "\x00"
	if err != nil || !strings.HasPrefix(string(b), prefix) || len(b) == len(prefix) {
		return "", ErrInvalidPageToken
	}
	return string(b[len(prefix):]), nil
}

// PageLimit returns the number of rows a page holds: DefaultPageSize for
// a zero or negative limit, capped at MaxPageSize.
func PageLimit(opts ListOptions) int {
	switch {
	case opts.Limit <= 0:
		return DefaultPageSize
	case opts.Limit > MaxPageSize:
		return MaxPageSize
	}
	return opts.Limit
}
