package cognitoapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
)

// MaxListUsersLimit is the largest ListUsers Limit, Cognito's.
const MaxListUsersLimit = 60

// listUsers serves ListUsers: one page of the store's listing, filtered
// by Filter. As in Cognito, a page may hold fewer users than Limit, even
// none, and still carry a PaginationToken.
func listUsers(c *call) (any, error) {
	var req struct {
		UserPoolId      *string  `json:"UserPoolId"`
		AttributesToGet []string `json:"AttributesToGet"`
		Limit           *int     `json:"Limit"`
		PaginationToken *string  `json:"PaginationToken"`
		Filter          *string  `json:"Filter"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.poolID(req.UserPoolId)
	if req.Limit != nil && (*req.Limit < 0 || *req.Limit > MaxListUsersLimit) {
		s := strconv.Itoa(*req.Limit)
		if *req.Limit < 0 {
			v.add("limit", &s, false, "Member must have value greater than or equal to 0")
		} else {
			v.add("limit", &s, false, "Member must have value less than or equal to 60")
		}
	}
	v.str("filter", req.Filter, false, 0, 256, "", nil, false)
	v.str("paginationToken", req.PaginationToken, false, 1, 1<<16, `[\S]+`, passwordRe, false)
	for i := range req.AttributesToGet {
		v.str("attributesToGet."+itoa(i+1)+".member", &req.AttributesToGet[i], true, 1, 32, namePattern, nameRe, false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	f, err := parseFilter(deref(req.Filter))
	if err != nil {
		return nil, err
	}
	p, err := c.pool(*req.UserPoolId)
	if err != nil {
		return nil, err
	}
	limit := MaxListUsersLimit
	if req.Limit != nil && *req.Limit > 0 {
		limit = *req.Limit
	}
	items, next, err := c.api.cfg.Accounts.ListUsers(c.ctx, p, limit, deref(req.PaginationToken))
	if err != nil {
		return nil, fmt.Errorf("cognitoapi: list users: %w", err) // an *account.Error is rendered as it is
	}
	users := []userType{}
	for _, u := range items {
		if f.match(p, u) {
			users = append(users, newUserType(u, req.AttributesToGet))
		}
	}
	return struct {
		Users           []userType `json:"Users"`
		PaginationToken string     `json:"PaginationToken,omitempty"`
	}{users, next}, nil
}

// filter is a parsed ListUsers Filter: `attr = "value"` (equals) or
// `attr ^= "value"` (starts with). The zero filter matches every user.
type filter struct {
	attr, value string
	prefix      bool
}

// searchable are the attributes a Filter may name (Cognito's).
var searchable = map[string]bool{
	"username": true, "email": true, "phone_number": true, "name": true, "given_name": true,
	"family_name": true, "preferred_username": true, "cognito:user_status": true, "status": true, "sub": true,
}

var errFilter = NewError(InvalidParameterException, "Error while parsing filter.")

// parseFilter parses Cognito's Filter grammar: an attribute name, "=" or
// "^=", and a double-quoted value in which \" and \\ are escapes.
// Spaces around the operator are optional.
func parseFilter(s string) (filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return filter{}, nil
	}
	i := strings.IndexAny(s, "^= \t")
	if i <= 0 {
		return filter{}, errFilter
	}
	f := filter{attr: s[:i]}
	rest := strings.TrimLeft(s[i:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return filter{}, errFilter
	}
	rest = strings.TrimLeft(rest, " \t")
	if len(rest) < 2 || rest[0] != '"' {
		return filter{}, errFilter
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
				return filter{}, errFilter
			}
			closed = true
			j = len(rest)
		default:
			b.WriteByte(ch)
		}
	}
	if !closed {
		return filter{}, errFilter
	}
	if !searchable[f.attr] {
		return filter{}, NewError(InvalidParameterException, "Invalid search attribute: "+f.attr)
	}
	f.value = b.String()
	return f, nil
}

// match reports whether u passes the filter. username compares as the
// pool compares usernames; cognito:user_status, status and email ignore
// case; the others are exact.
func (f filter) match(p pool.Pool, u pool.User) bool {
	if f.attr == "" {
		return true
	}
	have, want := "", f.value
	fold := false
	switch f.attr {
	case "username":
		have, want = u.UsernameKey, p.UsernameKey(f.value)
	case "sub":
		have = u.Sub
	case "cognito:user_status":
		have, fold = u.Status, true
	case "status":
		have, fold = "Disabled", true
		if u.Enabled {
			have = "Enabled"
		}
	case "email":
		have, fold = u.Attributes[f.attr], true
	default:
		have = u.Attributes[f.attr]
	}
	if fold {
		have, want = strings.ToLower(have), strings.ToLower(want)
	}
	if f.prefix {
		return strings.HasPrefix(have, want)
	}
	return have == want
}

func itoa(i int) string { return strconv.Itoa(i) }
