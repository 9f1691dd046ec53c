package cognitoapi

import (
	"strconv"

	"github.com/linkpool/linkpool/internal/pool"
)

// The group actions: CreateGroup, GetGroup, UpdateGroup, DeleteGroup,
// ListGroups, AdminAddUserToGroup, AdminRemoveUserFromGroup,
// AdminListGroupsForUser, ListUsersInGroup, over admin.Service.

// groupType is Cognito's GroupType.
type groupType struct {
	GroupName        string `json:"GroupName"`
	UserPoolId       string `json:"UserPoolId"`
	Description      string `json:"Description,omitempty"`
	RoleArn          string `json:"RoleArn,omitempty"`
	Precedence       *int   `json:"Precedence,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

func newGroupType(g pool.Group) groupType {
	return groupType{g.Name, g.PoolID, g.Description, g.RoleArn, g.Precedence, epoch(g.UpdatedAt), epoch(g.CreatedAt)}
}

type groupOut struct {
	Group groupType `json:"Group"`
}

func groupsOut(gs []pool.Group) []groupType {
	out := []groupType{}
	for _, g := range gs {
		out = append(out, newGroupType(g))
	}
	return out
}

type groupRequest struct {
	poolIDRequest
	GroupName *string `json:"GroupName"`
}

// groupSettings are the members CreateGroup and UpdateGroup set.
type groupSettings struct {
	Description *string `json:"Description"`
	RoleArn     *string `json:"RoleArn"`
	Precedence  *int    `json:"Precedence"`
}

func (v *validation) groupName(s *string) {
	v.str("groupName", s, true, 1, 128, namePattern, nameRe, false)
}

func (s *groupSettings) check(v *validation) {
	v.str("description", s.Description, false, 0, 2048, "", nil, false)
	v.str("roleArn", s.RoleArn, false, 20, 2048, "", nil, false)
	if s.Precedence != nil && *s.Precedence < 0 {
		p := itoa(*s.Precedence)
		v.add("precedence", &p, false, "Member must have value greater than or equal to 0")
	}
}

func createGroup(c *call) (any, error) {
	var req struct {
		groupRequest
		groupSettings
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.groupName(req.GroupName)
		req.check(v)
	})
	if err != nil {
		return nil, err
	}
	g, err := c.api.cfg.Admin.CreateGroup(c.ctx, pool.Group{PoolID: id, Name: *req.GroupName,
		Description: deref(req.Description), RoleArn: deref(req.RoleArn), Precedence: req.Precedence})
	if err != nil {
		return nil, err
	}
	return groupOut{newGroupType(g)}, nil
}

func getGroup(c *call) (any, error) {
	var req groupRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.groupName(req.GroupName) })
	if err != nil {
		return nil, err
	}
	g, err := c.api.cfg.Admin.GetGroup(c.ctx, id, *req.GroupName)
	if err != nil {
		return nil, err
	}
	return groupOut{newGroupType(g)}, nil
}

// updateGroup changes the members the request names and keeps the
// others, as Cognito's UpdateGroup does.
func updateGroup(c *call) (any, error) {
	var req struct {
		groupRequest
		groupSettings
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.groupName(req.GroupName)
		req.check(v)
	})
	if err != nil {
		return nil, err
	}
	g, err := c.api.cfg.Admin.UpdateGroup(c.ctx, id, *req.GroupName, func(g *pool.Group) {
		setStr(&g.Description, req.Description)
		setStr(&g.RoleArn, req.RoleArn)
		if req.Precedence != nil {
			g.Precedence = req.Precedence
		}
	})
	if err != nil {
		return nil, err
	}
	return groupOut{newGroupType(g)}, nil
}

func deleteGroup(c *call) (any, error) {
	var req groupRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.groupName(req.GroupName) })
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Admin.DeleteGroup(c.ctx, id, *req.GroupName)
}

// pageRequest is the paging members of ListGroups, ListUsersInGroup
// and AdminListGroupsForUser.
type pageRequest struct {
	Limit     *int    `json:"Limit"`
	NextToken *string `json:"NextToken"`
}

func (p *pageRequest) check(v *validation) {
	v.limit("limit", p.Limit, false, 0)
	v.str("nextToken", p.NextToken, false, 1, 131072, "", nil, false)
}

func (p *pageRequest) size() int {
	n := 0
	setInt(&n, p.Limit)
	return n
}

// maxResultsRequest is the paging members of ListUserPoolClients and
// ListIdentityProviders: MaxResults (optional, at least 1) and NextToken.
type maxResultsRequest struct {
	MaxResults *int    `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

func (p *maxResultsRequest) check(v *validation) {
	v.limit("maxResults", p.MaxResults, false, 1)
	v.str("nextToken", p.NextToken, false, 1, 131072, "", nil, false)
}

func (p *maxResultsRequest) size() int {
	n := 0
	setInt(&n, p.MaxResults)
	return n
}

func listGroups(c *call) (any, error) {
	var req struct {
		poolIDRequest
		pageRequest
	}
	id, err := c.onPool(&req, &req.poolIDRequest, req.pageRequest.check)
	if err != nil {
		return nil, err
	}
	gs, next, err := c.api.cfg.Admin.ListGroups(c.ctx, id, req.size(), deref(req.NextToken))
	if err != nil {
		return nil, err
	}
	return struct {
		Groups    []groupType `json:"Groups"`
		NextToken string      `json:"NextToken,omitempty"`
	}{groupsOut(gs), next}, nil
}

type membershipRequest struct {
	groupRequest
	Username *string `json:"Username"`
}

func membership(op func(c *call, poolID, group, username string) error) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		var req membershipRequest
		id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
			v.username(req.Username)
			v.groupName(req.GroupName)
		})
		if err != nil {
			return nil, err
		}
		return nil, op(c, id, *req.GroupName, *req.Username)
	}
}

var (
	adminAddUserToGroup = membership(func(c *call, poolID, group, username string) error {
		_, err := c.api.cfg.Admin.AdminAddUserToGroup(c.ctx, poolID, group, username)
		return err
	})
	adminRemoveUserFromGroup = membership(func(c *call, poolID, group, username string) error {
		_, err := c.api.cfg.Admin.AdminRemoveUserFromGroup(c.ctx, poolID, group, username)
		return err
	})
)

// adminListGroupsForUser pages through the user's groups, which
// admin.Service returns all at once (a user is in few groups): the
// NextToken is the position of the next group in that list.
func adminListGroupsForUser(c *call) (any, error) {
	var req struct {
		userRequest
		pageRequest
	}
	if _, err := c.target(&req, &req.userRequest, req.pageRequest.check); err != nil {
		return nil, err
	}
	from := 0
	if req.NextToken != nil {
		n, err := strconv.Atoi(*req.NextToken)
		if err != nil || n < 0 {
			return nil, NewError(InvalidParameterException, "NextToken is not a token of this listing.")
		}
		from = n
	}
	gs, err := c.api.cfg.Admin.AdminListGroupsForUser(c.ctx, *req.UserPoolId, *req.Username)
	if err != nil {
		return nil, err
	}
	size := req.size()
	if size == 0 {
		size = 60
	}
	from = min(from, len(gs))
	to := min(from+size, len(gs))
	out := struct {
		Groups    []groupType `json:"Groups"`
		NextToken string      `json:"NextToken,omitempty"`
	}{Groups: groupsOut(gs[from:to])}
	if to < len(gs) {
		out.NextToken = strconv.Itoa(to)
	}
	return out, nil
}

func listUsersInGroup(c *call) (any, error) {
	var req struct {
		groupRequest
		pageRequest
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.groupName(req.GroupName)
		req.pageRequest.check(v)
	})
	if err != nil {
		return nil, err
	}
	us, next, err := c.api.cfg.Admin.ListUsersInGroup(c.ctx, id, *req.GroupName, req.size(), deref(req.NextToken))
	if err != nil {
		return nil, err
	}
	out := struct {
		Users     []userType `json:"Users"`
		NextToken string     `json:"NextToken,omitempty"`
	}{Users: []userType{}, NextToken: next}
	for _, u := range us {
		out.Users = append(out.Users, newUserType(u, nil))
	}
	return out, nil
}
