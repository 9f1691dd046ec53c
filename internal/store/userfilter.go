package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// UserFilter selects the users of one pool by one searchable attribute,
// as Cognito's ListUsers Filter does: the users whose value equals Value
// or, with Prefix, starts with it. Store.FilterUsers serves every
// attribute from an index, in the order of the attribute's key (below),
// then sub.
//
// The attributes and what each compares:
//
//	username             the user's UsernameKey (callers pass a key:
//	                     pool.Pool.UsernameKey of the searched name)
//	sub                  Sub
//	email                the email attribute, ignoring the case of ASCII letters
//	phone_number, name, given_name, family_name, preferred_username
//	                     the attribute, exactly
//	cognito:user_status  Status, ignoring the case of ASCII letters
//	status               "Enabled" or "Disabled", ignoring the case of ASCII letters
//
// Case is folded for ASCII letters only (FoldASCII), as SQLite's lower()
// and PostgreSQL's lower() under the "C" collation do, so that an index
// can hold the folded value. A user without the attribute matches no
// filter on it, not even the empty prefix. Comparisons are in byte order
// of the UTF-8 text. Attribute values are indexed by their first
// FilterKeyRunes characters; longer values still match exactly.
//
// Value must be UTF-8 without NUL (internal/account checks filters).
type UserFilter struct {
	Attribute string
	Value     string
	Prefix    bool
}

// The attributes a UserFilter may name.
const (
	FilterUsername   = "username"
	FilterSub        = "sub"
	FilterEmail      = "email"
	FilterUserStatus = "cognito:user_status"
	FilterStatus     = "status"
)

// FilterAttributes are the attributes a UserFilter may name, Cognito's
// searchable attributes.
var FilterAttributes = []string{
	FilterUsername, FilterEmail, "phone_number", "name", "given_name", "family_name",
	"preferred_username", FilterUserStatus, FilterStatus, FilterSub,
}

// FilterKeyRunes is how many characters of an attribute value the
// filter indexes hold: enough for any Filter Cognito accepts (256
// characters in all), and short enough for PostgreSQL's B-tree entries.
const FilterKeyRunes = 256

// Folds reports whether the attribute is compared ignoring the case of
// ASCII letters.
func (f UserFilter) Folds() bool {
	switch f.Attribute {
	case FilterEmail, FilterUserStatus, FilterStatus:
		return true
	}
	return false
}

// Check reports a filter a backend cannot serve: an attribute that is
// not in FilterAttributes, or a value that is not UTF-8 or holds NUL.
func (f UserFilter) Check() error {
	if !isFilterAttribute(f.Attribute) {
		return fmt.Errorf("store: %q is not a searchable attribute", f.Attribute)
	}
	if !utf8.ValidString(f.Value) || strings.IndexByte(f.Value, 0) >= 0 {
		return fmt.Errorf("store: filter value is not UTF-8 without NUL")
	}
	return nil
}

func isFilterAttribute(a string) bool {
	for _, x := range FilterAttributes {
		if x == a {
			return true
		}
	}
	return false
}

// FilterScope is the page-token scope of a filtered listing of a pool's
// users: one per attribute, since each is ordered by its own key.
func FilterScope(poolID string, f UserFilter) string { return "users/" + poolID + "/" + f.Attribute }

// KeyRange returns what a backend compares the attribute's index key
// with: the folded value (key), truncated to FilterKeyRunes; for a prefix
// filter, end is the first key past the keys that start with it (empty
// with hasEnd false when no key is: the range is open). recheck reports
// that the truncated key does not decide the match alone, so the full
// value must be compared with Value too (folded: FoldedValue).
func (f UserFilter) KeyRange() (key, end string, hasEnd, recheck bool) {
	v := f.FoldedValue()
	key = TruncateRunes(v, FilterKeyRunes)
	recheck = key != v || (!f.Prefix && utf8.RuneCountInString(v) == FilterKeyRunes)
	if f.Prefix {
		end, hasEnd = PrefixEnd(key)
	}
	return key, end, hasEnd, recheck
}

// FoldedValue is Value as the attribute compares it: FoldASCII'd when
// the attribute ignores case.
func (f UserFilter) FoldedValue() string {
	if f.Folds() {
		return FoldASCII(f.Value)
	}
	return f.Value
}

// FoldASCII maps the ASCII letters A-Z of s to lower case and leaves
// every other character as it is: SQLite's lower() and PostgreSQL's
// lower() under the "C" collation.
func FoldASCII(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for j := i; j < len(b); j++ {
		if c := b[j]; 'A' <= c && c <= 'Z' {
			b[j] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TruncateRunes returns the first n characters of s.
func TruncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// PrefixEnd returns the least UTF-8 string that sorts, in byte order,
// after every string that starts with p, so that p <= s < end holds
// exactly for the strings s starting with p. The last character of p
// that is not U+10FFFF is replaced by its successor (skipping the
// surrogates, which UTF-8 text never holds) and the characters after it
// are dropped. There is no such string when p is empty or made only of
// U+10FFFF: ok is false and the range is open.
func PrefixEnd(p string) (end string, ok bool) {
	for len(p) > 0 {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		if r == utf8.MaxRune {
			continue
		}
		r++
		if r == 0xD800 {
			r = 0xE000
		}
		return p + string(r), true
	}
	return "", false
}
