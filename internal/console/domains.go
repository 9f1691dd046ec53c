package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// domainView is a domain with the URL the server answers its pool at.
type domainView struct {
	pool.Domain
	URL string
	// Host is the host name browsers use: the custom domain, or the
	// prefix under the auth domain ("" without one).
	Host string
}

// domainsData is the domains page.
type domainsData struct {
	Pool    pool.Pool
	CSRF    string
	Domains []domainView
	// AuthDomain is the parent domain of prefix domains (serve's
	// --auth-domain), "" when the server has none; PublicHost the public
	// URL's host.
	AuthDomain, PublicHost string
	// Created is the domain just created, with what the operator must do
	// next; Deleted the name of the one just deleted.
	Created *domainView
	Deleted string
	// Form: the domain and its kind ("prefix" or "custom") last posted,
	// and the service's refusal.
	Name, Kind, Error string
}

func (c *Console) domainView(d pool.Domain) domainView {
	v := domainView{Domain: d, URL: admin.PoolBaseURL(c.cfg.PublicURL, c.cfg.AuthDomain, []pool.Domain{d}, d.PoolID), Host: d.Domain}
	if !d.Custom {
		v.Host = ""
		if c.cfg.AuthDomain != "" {
			v.Host = d.Domain + "." + strings.Trim(c.cfg.AuthDomain, ".")
		}
	}
	return v
}

func (c *Console) renderDomains(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, status int, d domainsData) {
	domains, err := c.cfg.Admin.ListUserPoolDomains(r.Context(), p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.CSRF, d.AuthDomain = p, op.CSRF, strings.Trim(c.cfg.AuthDomain, ".")
	if u, err := url.Parse(c.cfg.PublicURL); err == nil {
		d.PublicHost = u.Hostname()
	}
	if d.Kind == "" {
		d.Kind = "prefix"
	}
	for _, dom := range domains {
		d.Domains = append(d.Domains, c.domainView(dom))
	}
	c.render(w, r, status, "domains", view{Op: &op, Title: "console.title.domains", Nav: "pools", Page: d})
}

// domains lists the pool's domains; after a creation (done=created and
// the domain), it says what the operator must do for it to work.
func (c *Console) domains(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var d domainsData
	switch q.Get("done") {
	case "created":
		dom, err := c.cfg.Admin.DescribeUserPoolDomain(r.Context(), q.Get("domain"))
		if err == nil && dom.PoolID == p.ID {
			v := c.domainView(dom)
			d.Created = &v
		}
	case "deleted":
		d.Deleted = q.Get("domain")
	}
	c.renderDomains(w, r, op, p, http.StatusOK, d)
}

// createDomain creates a prefix or a custom domain with the admin
// service's CreateUserPoolDomain (`linkpool domain create`): one audit
// record. A refusal (a bad or taken name) shows Cognito's error, 400,
// with the form as posted.
func (c *Console) createDomain(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	d := domainsData{Name: strings.TrimSpace(r.PostFormValue("domain")), Kind: r.PostFormValue("kind")}
	dom := pool.Domain{Domain: d.Name, PoolID: p.ID, Custom: d.Kind == "custom", CreatedAt: c.now()}
	dom, err := c.cfg.Admin.CreateUserPoolDomain(r.Context(), dom)
	var ae *account.Error
	if asAccountError(err, &ae) && ae.Type != account.ResourceNotFoundException {
		d.Error = ae.Type + ": " + ae.Message
		c.renderDomains(w, r, op, p, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, domainsURL(p.ID)+"?"+url.Values{"done": {"created"}, "domain": {dom.Domain}}.Encode(), http.StatusSeeOther)
}

// deleteDomain deletes a domain of the pool with the admin service's
// DeleteUserPoolDomain (`linkpool domain delete`) once the operator has
// typed it; the pool stays reachable at its path URL.
func (c *Console) deleteDomain(w http.ResponseWriter, r *http.Request, _ operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	name := r.PathValue("domain")
	if r.PostFormValue("confirm") != name {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_domain")
		return
	}
	if err := c.cfg.Admin.DeleteUserPoolDomain(r.Context(), p.ID, name); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, domainsURL(p.ID)+"?"+url.Values{"done": {"deleted"}, "domain": {name}}.Encode(), http.StatusSeeOther)
}

// domainsURL is the console path of a pool's domains page.
func domainsURL(poolID string) string {
	return "/console/pools/" + url.PathEscape(poolID) + "/domains"
}
