package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func (c *Console) groupRoutes(m *http.ServeMux) {
	m.Handle("GET /console/pools/{pool}/groups", c.authorized(false, c.groups))
	m.Handle("POST /console/pools/{pool}/groups", c.authorized(true, c.createGroup))
	m.Handle("GET /console/pools/{pool}/groups/{group}", c.authorized(false, c.group))
	m.Handle("POST /console/pools/{pool}/groups/{group}/update", c.authorized(true, c.updateGroup))
	m.Handle("POST /console/pools/{pool}/groups/{group}/delete", c.authorized(true, c.deleteGroup))
}

// groupForm is the form that creates or edits a group.
type groupForm struct {
	Name, Description, Precedence string
}

// precedence reads the precedence field: nil when empty, and a value
// that is no whole number is handed on as -1, which the service refuses
// with Cognito's error.
func (f groupForm) precedence() *int {
	if f.Precedence == "" {
		return nil
	}
	n, err := strconv.Atoi(f.Precedence)
	if err != nil {
		n = -1
	}
	return &n
}

func postedGroup(r *http.Request) groupForm {
	return groupForm{Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Precedence: strings.TrimSpace(r.PostFormValue("precedence"))}
}

// groupLink is a group with the path of its page.
type groupLink struct {
	pool.Group
	URL string
}

// groupsData is a page of a pool's groups, with the form that creates
// one.
type groupsData struct {
	Pool   pool.Pool
	Groups []groupLink
	Next   string
	CSRF   string
	Form   groupForm
	Done   string
	Error  string
}

// groupsPerPage is the size of a page of the groups and members lists.
const groupsPerPage = 50

func (c *Console) groups(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	d := groupsData{}
	if r.URL.Query().Get("done") == "deleted" {
		d.Done = "console.group.deleted_done"
	}
	c.renderGroups(w, r, op, p, http.StatusOK, d)
}

func (c *Console) renderGroups(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, status int, d groupsData) {
	groups, next, err := c.cfg.Admin.ListGroups(r.Context(), p.ID, groupsPerPage, r.URL.Query().Get("page"))
	if account.TypeOf(err) == account.InvalidParameterException {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.page_token")
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.CSRF = p, op.CSRF
	for _, g := range groups {
		d.Groups = append(d.Groups, groupLink{Group: g, URL: groupURL(p.ID, g.Name)})
	}
	if next != "" {
		d.Next = "?" + url.Values{"page": {next}}.Encode()
	}
	c.render(w, r, status, "groups", view{Op: &op, Title: "console.title.groups", Nav: "pools", Page: d})
}

// groupURL is the console path of a group's page.
func groupURL(poolID, name string) string {
	return "/console/pools/" + url.PathEscape(poolID) + "/groups/" + url.PathEscape(name)
}

// createGroup creates a group with the admin service's CreateGroup
// (`linkpool group create`).
func (c *Console) createGroup(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	f := postedGroup(r)
	g, err := c.cfg.Admin.CreateGroup(r.Context(), pool.Group{PoolID: p.ID, Name: f.Name, Description: f.Description, Precedence: f.precedence()})
	var ae *account.Error
	if asAccountError(err, &ae) {
		c.renderGroups(w, r, op, p, http.StatusBadRequest, groupsData{Form: f, Error: ae.Type + ": " + ae.Message})
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	http.Redirect(w, r, groupURL(p.ID, g.Name)+"?done=created", http.StatusSeeOther)
}

// memberLink is a member of a group with the path of their page.
type memberLink struct {
	pool.User
	URL string
}

// groupData is a group's page: its settings and a page of its members.
type groupData struct {
	Pool    pool.Pool
	Group   pool.Group
	URL     string
	Members []memberLink
	Next    string
	CSRF    string
	Form    groupForm
	// Console: a group of the system pool that makes console operators,
	// which the console does not delete.
	Console bool
	Done    string
	Error   string
}

// findGroup reads the pool and the group of the request.
func (c *Console) findGroup(w http.ResponseWriter, r *http.Request) (pool.Pool, pool.Group, bool) {
	p, ok := c.findPool(w, r)
	if !ok {
		return p, pool.Group{}, false
	}
	g, err := c.cfg.Admin.GetGroup(r.Context(), p.ID, r.PathValue("group"))
	if account.TypeOf(err) == account.ResourceNotFoundException {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return p, g, false
	}
	if err != nil {
		c.failure(w, r, err)
		return p, g, false
	}
	return p, g, true
}

// consoleGroup reports whether the group is one of the system pool's
// console groups.
func consoleGroup(poolID, name string) bool {
	return poolID == SystemPoolID && (name == GroupAdmin || name == GroupReadOnly)
}

func (c *Console) group(w http.ResponseWriter, r *http.Request, op operator) {
	p, g, ok := c.findGroup(w, r)
	if !ok {
		return
	}
	d := groupData{}
	switch r.URL.Query().Get("done") {
	case "created":
		d.Done = "console.group.created_done"
	case "updated":
		d.Done = "console.group.updated_done"
	}
	c.renderGroup(w, r, op, p, g, http.StatusOK, d)
}

func (c *Console) renderGroup(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, g pool.Group, status int, d groupData) {
	members, next, err := c.cfg.Admin.ListUsersInGroup(r.Context(), p.ID, g.Name, groupsPerPage, r.URL.Query().Get("page"))
	if account.TypeOf(err) == account.InvalidParameterException {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.page_token")
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	if d.Form == (groupForm{}) {
		d.Form = groupForm{Description: g.Description}
		if g.Precedence != nil {
			d.Form.Precedence = strconv.Itoa(*g.Precedence)
		}
	}
	d.Pool, d.Group, d.CSRF, d.Console, d.URL = p, g, op.CSRF, consoleGroup(p.ID, g.Name), groupURL(p.ID, g.Name)
	for _, u := range members {
		d.Members = append(d.Members, memberLink{User: u, URL: userURL(p.ID, u.Sub)})
	}
	if next != "" {
		d.Next = "?" + url.Values{"page": {next}}.Encode()
	}
	c.render(w, r, status, "group", view{Op: &op, Title: "console.title.group", Nav: "pools", Page: d})
}

// updateGroup changes a group's description and precedence with the
// admin service's UpdateGroup (`linkpool group update`); an empty
// precedence removes it.
func (c *Console) updateGroup(w http.ResponseWriter, r *http.Request, op operator) {
	p, g, ok := c.findGroup(w, r)
	if !ok {
		return
	}
	f := postedGroup(r)
	_, err := c.cfg.Admin.UpdateGroup(r.Context(), p.ID, g.Name, func(e *pool.Group) {
		e.Description, e.Precedence = f.Description, f.precedence()
	})
	var ae *account.Error
	if asAccountError(err, &ae) {
		c.renderGroup(w, r, op, p, g, http.StatusBadRequest, groupData{Form: f, Error: ae.Type + ": " + ae.Message})
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	http.Redirect(w, r, groupURL(p.ID, g.Name)+"?done=updated", http.StatusSeeOther)
}

// deleteGroup deletes a group with the admin service's DeleteGroup once
// its name is typed; its members stay in the pool. The system pool's
// console groups are never deleted from the console, which lets in only
// their members.
func (c *Console) deleteGroup(w http.ResponseWriter, r *http.Request, _ operator) {
	p, g, ok := c.findGroup(w, r)
	if !ok {
		return
	}
	if consoleGroup(p.ID, g.Name) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.delete_console_group")
		return
	}
	if r.PostFormValue("confirm") != g.Name {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_group")
		return
	}
	if err := c.cfg.Admin.DeleteGroup(r.Context(), p.ID, g.Name); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/groups?done=deleted", http.StatusSeeOther)
}
