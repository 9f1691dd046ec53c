package cognitoapi

import (
	"fmt"
	"strconv"

	"github.com/linkpool/linkpool/internal/account"
)

// MaxListUsersLimit is the largest ListUsers Limit, Cognito's.
const MaxListUsersLimit = 60

// listUsers serves ListUsers: one page of the users matching Filter
// (account.ParseUserFilter, account.Service.ListUsers), read from the
// filter attribute's index.
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
	f, err := account.ParseUserFilter(deref(req.Filter))
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
	items, next, err := c.api.cfg.Accounts.ListUsers(c.ctx, p, f, limit, deref(req.PaginationToken))
	if err != nil {
		return nil, fmt.Errorf("cognitoapi: list users: %w", err) // an *account.Error is rendered as it is
	}
	users := make([]userType, 0, len(items))
	for _, u := range items {
		users = append(users, newUserType(u, req.AttributesToGet))
	}
	return struct {
		Users           []userType `json:"Users"`
		PaginationToken string     `json:"PaginationToken,omitempty"`
	}{users, next}, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
