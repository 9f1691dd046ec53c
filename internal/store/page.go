package store

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Both backends paginate listings the same way, with the helpers below.
// Rows are ordered by a unique key in byte order, a page holds the rows
// whose key is greater than the one in the page token, and the next
// page's token carries the key of the last row returned, so rows created
// or deleted between pages never shift the ones that follow.
//
// A token is the base64url encoding (no padding) of "<scope>\x00<key>",
// where scope names the listing: "pools", "clients/<pool id>",
// "users/<pool id>", "users/<pool id>/<filter attribute>" (FilterScope),
// "groups/<pool id>", "members/<pool id>/<group>", "idps/<pool id>"
// (identity providers, by name),
// "refresh_tokens", "lamps", "alexa_grants", "audit" (AuditPageKey), "webauthn_credentials"
// (BytesKey). A token that does not decode
// or belongs to another listing fails with ErrInvalidPageToken; a
// well-formed token with any UTF-8 key without NUL (but the separator of
// a two-column key) is accepted, since it can only select a page of the
// same listing. Scopes never contain NUL, so the separator is unambiguous.

// PageToken returns the token of the page that follows key in scope.
func PageToken(scope, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(scope + "\x00" + key))
}

// PageKey returns the key in a token issued for scope: the key after
// which the page starts. The empty token, which asks for the first page,
// yields the empty key, which sorts before every key. Any other token
// that PageToken did not make for scope, that carries an empty key, or
// whose key is not UTF-8 without NUL (keys are ids and names, and
// PostgreSQL could not compare others: an internal error, not a
// refusal), fails with ErrInvalidPageToken.
func PageKey(scope, token string) (string, error) {
	key, err := pageKey(scope, token)
	if err != nil || strings.IndexByte(key, 0) >= 0 {
		return "", ErrInvalidPageToken
	}
	return key, nil
}

// PageKeyPair is PageKey for a listing ordered by two columns, whose key
// joins them with NUL (PageToken(scope, a+"\x00"+b)): it returns both
// parts, each UTF-8 without NUL; the empty token yields two empty parts.
func PageKeyPair(scope, token string) (string, string, error) {
	key, err := pageKey(scope, token)
	if err != nil || key == "" {
		return "", "", err
	}
	a, b, ok := strings.Cut(key, "\x00")
	if !ok || strings.IndexByte(b, 0) >= 0 {
		return "", "", ErrInvalidPageToken
	}
	return a, b, nil
}

// BytesKey is the page key of a listing ordered by a text column, then a
// byte-string one (ids of WebAuthn credentials): a, NUL, and b in
// lower-case hex, which sorts as the bytes do.
func BytesKey(a string, b []byte) string { return a + "\x00" + hex.EncodeToString(b) }

// PageKeyBytes is PageKeyPair for a BytesKey: it returns both parts, the
// second decoded; the empty token yields "" and no bytes.
func PageKeyBytes(scope, token string) (string, []byte, error) {
	a, h, err := PageKeyPair(scope, token)
	if err != nil {
		return "", nil, err
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return "", nil, ErrInvalidPageToken
	}
	return a, b, nil
}

func pageKey(scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	prefix := scope + "\x00"
	if err != nil || !strings.HasPrefix(string(b), prefix) || len(b) == len(prefix) || !utf8.Valid(b) {
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
