package account

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// UserFilter is a parsed ListUsers Filter: the users whose Attribute
// equals Value or, with Prefix, starts with it. The zero filter selects
// every user. ParseUserFilter makes one from Cognito's grammar.
//
// username compares as the pool compares usernames (pool.UsernameKey);
// email, cognito:user_status and status (Enabled or Disabled) ignore the
// case of ASCII letters; the others (sub, phone_number, name, given_name,
// family_name, preferred_username) are exact. A user without the
// attribute matches no filter on it. Every filter is served from an
// index (store.UserFilter).
type UserFilter struct {
	Attribute string
	Value     string
	Prefix    bool
}

// MaxFilterLength is the longest Filter, in characters (Cognito's).
const MaxFilterLength = 256

func errParseFilter() *Error {
	return &Error{Type: InvalidParameterException, Message: "Error while parsing filter.", Field: "Filter"}
}

// ParseUserFilter parses Cognito's Filter grammar: an attribute name,
// "=" (equals) or "^=" (starts with), and a double-quoted value in which
// a backslash escapes the next character (\" and \\). Spaces around the
// operator are optional; an empty or blank filter selects every user.
// A malformed filter, or one longer than MaxFilterLength, is an
// InvalidParameterException "Error while parsing filter."; an attribute
// Cognito does not search is "Invalid search attribute: <name>".
func ParseUserFilter(s string) (UserFilter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return UserFilter{}, nil
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxFilterLength {
		return UserFilter{}, errParseFilter()
	}
	i := strings.IndexAny(s, "^= \t")
	if i <= 0 {
		return UserFilter{}, errParseFilter()
	}
	f := UserFilter{Attribute: s[:i]}
	rest := strings.TrimLeft(s[i:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.Prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return UserFilter{}, errParseFilter()
	}
	rest = strings.TrimLeft(rest, " \t")
	if len(rest) < 2 || rest[0] != '"' {
		return UserFilter{}, errParseFilter()
	}
	var b strings.Builder
	closed := false
	for j := 1; j < len(rest); j++ {
		ch := rest[j]
		switch {
		case ch == '\\' && j+1 < len(rest):
			j++
			b.WriteByte(rest[j])
		case ch == '"':
			if strings.TrimSpace(rest[j+1:]) != "" {
				return UserFilter{}, errParseFilter()
			}
			closed = true
			j = len(rest)
		default:
			b.WriteByte(ch)
		}
	}
	if !closed {
		return UserFilter{}, errParseFilter()
	}
	if !slices.Contains(store.FilterAttributes, f.Attribute) {
		return UserFilter{}, &Error{Type: InvalidParameterException, Message: "Invalid search attribute: " + f.Attribute, Field: "Filter"}
	}
	f.Value = b.String()
	// No attribute value holds NUL (pool.ValidateAttributes), and
	// PostgreSQL text cannot.
	if strings.IndexByte(f.Value, 0) >= 0 {
		return UserFilter{}, errParseFilter()
	}
	return f, nil
}

// storeFilter is f as the store compares it in p: a username becomes the
// pool's username key.
func (f UserFilter) storeFilter(p pool.Pool) store.UserFilter {
	v := f.Value
	if f.Attribute == store.FilterUsername {
		v = p.UsernameKey(v)
	}
	return store.UserFilter{Attribute: f.Attribute, Value: v, Prefix: f.Prefix}
}
