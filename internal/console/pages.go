package console

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// routes registers the console's pages.
func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /console/signin", c.signIn)
	m.HandleFunc("GET "+CallbackPath, c.callback)
	m.HandleFunc("GET "+SignedOutPath, func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusOK, "message", view{Title: "console.title.signed_out", Page: message{Key: "console.signed_out", SignIn: true}})
	})
	m.Handle("POST /console/signout", c.authorized(false, c.signOut))
	m.Handle("GET /console/{$}", c.authorized(false, c.dashboard))
	m.Handle("GET /console/pools", c.authorized(false, c.pools))
	m.Handle("GET /console/pools/{pool}", c.authorized(false, c.pool))
	m.Handle("GET /console/pools/{pool}/users", c.authorized(false, c.users))
	m.Handle("GET /console/pools/{pool}/users/{sub}", c.authorized(false, c.user))
	m.Handle("POST /console/pools/{pool}/users/{sub}/disable", c.authorized(true, c.setEnabled(false)))
	m.Handle("POST /console/pools/{pool}/users/{sub}/enable", c.authorized(true, c.setEnabled(true)))
	m.Handle("GET /console/audit", c.authorized(false, c.auditLog))
	c.writeRoutes(m)
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
	})
	c.mux = m
}

// dashboardData is the dashboard's counts and health.
type dashboardData struct {
	Pools, Clients, Users int
	// UsersCapped says Users stopped counting at maxCountedUsers.
	UsersCapped bool
	StoreOK     bool
	// Mail: "none" (the server sends no mail), "log" (development: mail
	// goes to the log) or "relay", with Pending mails in the outbox.
	Mail    string
	Pending int
	// Metrics is the activity of this instance (dashboard_metrics.go).
	Metrics *metricsView
}

// maxCountedUsers bounds the users the dashboard counts.
const maxCountedUsers = 1000

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, op operator) {
	ctx := r.Context()
	var d dashboardData
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	d.StoreOK = c.cfg.Store.Ping(pctx) == nil
	cancel()
	switch {
	case c.cfg.Mail == nil:
		d.Mail = "none"
	case c.cfg.MailToLog:
		d.Mail, d.Pending = "log", c.cfg.Mail.Pending()
	default:
		d.Mail, d.Pending = "relay", c.cfg.Mail.Pending()
	}
	if d.StoreOK {
		pools, err := c.allPools(ctx)
		if err != nil {
			c.failure(w, r, err)
			return
		}
		d.Pools = len(pools)
		for _, p := range pools {
			clients, err := c.allClients(ctx, p.ID)
			if err != nil {
				c.failure(w, r, err)
				return
			}
			d.Clients += len(clients)
			if d.UsersCapped {
				continue
			}
			n, capped, err := c.countUsers(ctx, p, maxCountedUsers-d.Users)
			if err != nil {
				c.failure(w, r, err)
				return
			}
			d.Users += n
			d.UsersCapped = capped
		}
	}
	d.Metrics = c.dashboardMetrics(r, c.catalog(r))
	c.render(w, r, http.StatusOK, "dashboard", view{Op: &op, Title: "console.title.dashboard", Nav: "dashboard", Page: d})
}

// allPools returns every pool, through the admin service's pages.
func (c *Console) allPools(ctx context.Context) ([]pool.Pool, error) {
	return allPages(func(next string) ([]pool.Pool, string, error) {
		return c.cfg.Admin.ListUserPools(ctx, admin.MaxPageSize, next)
	})
}

// allClients returns every app client of a pool.
func (c *Console) allClients(ctx context.Context, poolID string) ([]pool.Client, error) {
	return allPages(func(next string) ([]pool.Client, string, error) {
		return c.cfg.Admin.ListUserPoolClients(ctx, poolID, admin.MaxPageSize, next)
	})
}

// allPages collects every page of a listing, from the first (next "")
// until one comes without a next page token.
func allPages[T any](list func(next string) ([]T, string, error)) ([]T, error) {
	var all []T
	next := ""
	for {
		page, tok, err := list(next)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if tok == "" {
			return all, nil
		}
		next = tok
	}
}

// countUsers counts a pool's users up to limit, and says whether there
// are more.
func (c *Console) countUsers(ctx context.Context, p pool.Pool, limit int) (int, bool, error) {
	n, next := 0, ""
	for {
		users, tok, err := c.cfg.Admin.Accounts().ListUsers(ctx, p, account.UserFilter{}, store.MaxPageSize, next)
		if err != nil {
			return 0, false, err
		}
		n += len(users)
		if n >= limit {
			return limit, true, nil
		}
		if tok == "" {
			return n, false, nil
		}
		next = tok
	}
}

type poolsData struct {
	Pools []pool.Pool
}

func (c *Console) pools(w http.ResponseWriter, r *http.Request, op operator) {
	pools, err := c.allPools(r.Context())
	if err != nil {
		c.failure(w, r, err)
		return
	}
	slices.SortFunc(pools, func(a, b pool.Pool) int { return a.CreatedAt.Compare(b.CreatedAt) })
	c.render(w, r, http.StatusOK, "pools", view{Op: &op, Title: "console.title.pools", Nav: "pools", Page: poolsData{Pools: pools}})
}

type clientView struct {
	pool.Client
	Alexa    admin.AlexaValues
	IsAlexa  bool
	IsSystem bool
}

type poolData struct {
	Pool    pool.Pool
	System  bool
	Base    string
	Issuer  string
	Clients []clientView
	Domains []pool.Domain
	Groups  []pool.Group
	// Done is the message key of the change just made.
	Done string
}

// poolDone are the messages of the pool page's done parameter.
var poolDone = map[string]string{
	"created":        "console.pool.created_done",
	"client_deleted": "console.pool.client_deleted_done",
}

// findPool reads the pool of the request's {pool}, answering 404 when
// there is none.
func (c *Console) findPool(w http.ResponseWriter, r *http.Request) (pool.Pool, bool) {
	id := r.PathValue("pool")
	if !pool.ValidPoolID(id) {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return pool.Pool{}, false
	}
	p, err := c.cfg.Admin.DescribeUserPool(r.Context(), id)
	if account.TypeOf(err) == account.ResourceNotFoundException {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return p, false
	}
	if err != nil {
		c.failure(w, r, err)
		return p, false
	}
	return p, true
}

func (c *Console) pool(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	clients, err := c.allClients(ctx, p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	domains, err := c.cfg.Admin.ListUserPoolDomains(ctx, p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	groups, _, err := c.cfg.Admin.ListGroups(ctx, p.ID, admin.MaxPageSize, "")
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d := poolData{Pool: p, System: p.ID == SystemPoolID, Domains: domains, Groups: groups, Done: poolDone[r.URL.Query().Get("done")],
		Base: admin.PoolBaseURL(c.cfg.PublicURL, c.cfg.AuthDomain, domains, p.ID), Issuer: c.cfg.PublicURL + "/" + p.ID}
	for _, cl := range clients {
		v := clientView{Client: cl, IsSystem: cl.ID == SystemClientID && p.ID == SystemPoolID}
		v.Alexa, v.IsAlexa = admin.AlexaConsoleValues(c.cfg.PublicURL, c.cfg.AuthDomain, domains, cl)
		d.Clients = append(d.Clients, v)
	}
	c.render(w, r, http.StatusOK, "pool", view{Op: &op, Title: "console.title.pool", Nav: "pools", Page: d})
}

type usersData struct {
	Pool   pool.Pool
	Filter string
	// FilterError is the Cognito message of a filter that does not parse.
	FilterError string
	Users       []pool.User
	Next        string
}

// usersPerPage is the size of a page of the users list.
const usersPerPage = 50

func (c *Console) users(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := usersData{Pool: p, Filter: q.Get("filter")}
	f, err := account.ParseUserFilter(d.Filter)
	var ae *account.Error
	if errors.As(err, &ae) {
		d.FilterError = ae.Message
		c.render(w, r, http.StatusBadRequest, "users", view{Op: &op, Title: "console.title.users", Nav: "pools", Page: d})
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	users, next, err := c.cfg.Admin.Accounts().ListUsers(r.Context(), p, f, usersPerPage, q.Get("page"))
	if errors.Is(err, store.ErrInvalidPageToken) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.page_token")
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Users = users
	if next != "" {
		v := url.Values{"page": {next}}
		if d.Filter != "" {
			v.Set("filter", d.Filter)
		}
		d.Next = "?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "users", view{Op: &op, Title: "console.title.users", Nav: "pools", Page: d})
}

type attr struct{ Name, Value string }

type userData struct {
	Pool   pool.Pool
	User   pool.User
	Attrs  []attr
	Groups []pool.Group
	CSRF   string
	// Self: the user is the signed-in operator.
	Self bool
	// Done is the message key of the change just made.
	Done string
	// MFA is the user's second factors and passkeys (read-only).
	MFA factorsData
	// Manage is the user's identities and the groups to add them to
	// (users_manage.go).
	Manage userManageData
}

// findUser reads the pool and the user of the request's {pool} and
// {sub}, answering 404 when either is missing.
func (c *Console) findUser(w http.ResponseWriter, r *http.Request) (pool.Pool, pool.User, bool) {
	p, ok := c.findPool(w, r)
	if !ok {
		return p, pool.User{}, false
	}
	u, err := c.cfg.Store.GetUser(r.Context(), p.ID, r.PathValue("sub"))
	if errors.Is(err, store.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return p, u, false
	}
	if err != nil {
		c.failure(w, r, err)
		return p, u, false
	}
	return p, u, true
}

func (c *Console) user(w http.ResponseWriter, r *http.Request, op operator) {
	p, u, ok := c.findUser(w, r)
	if !ok {
		return
	}
	groups, err := c.cfg.Admin.AdminListGroupsForUser(r.Context(), p.ID, u.Username)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d := userData{Pool: p, User: u, Groups: groups, CSRF: op.CSRF, Self: p.ID == SystemPoolID && u.Sub == op.Sub}
	if d.MFA, err = c.factors(r, u); err != nil {
		c.failure(w, r, err)
		return
	}
	if d.Manage, err = c.userManagement(r, op, p, u, groups, len(d.MFA.Passkeys)); err != nil {
		c.failure(w, r, err)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(u.Attributes)) {
		d.Attrs = append(d.Attrs, attr{k, u.Attributes[k]})
	}
	switch r.URL.Query().Get("done") {
	case "disabled":
		d.Done = "console.user.disabled_done"
	case "enabled":
		d.Done = "console.user.enabled_done"
	case "created":
		d.Done = "console.user.created_done"
	case "created_unmailed":
		d.Done = "console.user.created_unmailed_done"
	case "reset":
		d.Done = "console.user.reset_done"
	case "signed_out":
		d.Done = "console.user.signed_out_done"
	default:
		d.Done = userDone[r.URL.Query().Get("done")]
	}
	c.render(w, r, http.StatusOK, "user", view{Op: &op, Title: "console.title.user", Nav: "pools", Page: d})
}

// setEnabled disables or enables the user with the account service's
// AdminDisableUser or AdminEnableUser, which records the change in the
// audit log under the console operator, then shows the user again.
func (c *Console) setEnabled(enable bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, op operator) {
		p, u, ok := c.findUser(w, r)
		if !ok {
			return
		}
		if !enable && p.ID == SystemPoolID && u.Sub == op.Sub {
			// The console would lock its only administrator out as easily.
			c.errorPage(w, r, http.StatusBadRequest, "console.error.disable_self")
			return
		}
		accounts := c.cfg.Admin.Accounts()
		op1, done := accounts.AdminDisableUser, "disabled"
		if enable {
			op1, done = accounts.AdminEnableUser, "enabled"
		}
		if err := op1(r.Context(), p, u.Username); err != nil {
			if account.TypeOf(err) == account.UserNotFoundException {
				c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
				return
			}
			c.failure(w, r, err)
			return
		}
		http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/users/"+url.PathEscape(u.Sub)+"?done="+done, http.StatusSeeOther)
	}
}

type auditData struct {
	Records []store.AuditRecord
	// Operators are the usernames of the console actors' subs.
	Operators map[string]string
	Pool      string
	Next      string
}

// auditPage is the size of a page of the audit log.
const auditPage = 50

func (c *Console) auditLog(w http.ResponseWriter, r *http.Request, op operator) {
	q := r.URL.Query()
	f := store.AuditFilter{PoolID: q.Get("pool")}
	if f.PoolID != "" && !pool.ValidPoolID(f.PoolID) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.bad_pool")
		return
	}
	page, err := c.cfg.Audit.List(r.Context(), f, store.ListOptions{Limit: auditPage, PageToken: q.Get("page")})
	if errors.Is(err, store.ErrInvalidPageToken) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.page_token")
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d := auditData{Records: page.Items, Pool: f.PoolID, Operators: map[string]string{}}
	for _, rec := range page.Items {
		if _, seen := d.Operators[rec.ActorID]; rec.ActorKind != audit.KindConsole || seen {
			continue
		}
		d.Operators[rec.ActorID] = ""
		u, err := c.cfg.Store.GetUser(r.Context(), SystemPoolID, rec.ActorID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			c.failure(w, r, err)
			return
		}
		d.Operators[rec.ActorID] = u.Username
	}
	if page.Next != "" {
		v := url.Values{"page": {page.Next}}
		if f.PoolID != "" {
			v.Set("pool", f.PoolID)
		}
		d.Next = "?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "audit", view{Op: &op, Title: "console.title.audit", Nav: "audit", Page: d})
}
