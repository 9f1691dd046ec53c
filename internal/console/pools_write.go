package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// newPoolData is the form of the "Alexa skill" preset.
type newPoolData struct {
	CSRF                           string
	Name, Region, VendorID, Domain string
	Scopes                         string
	Rotation                       bool
	// Error is the service's refusal of the last post (Cognito's name
	// and message).
	Error string
	// EmptyName, EmptyRegion and EmptyError are the form of a pool
	// without a preset.
	EmptyName, EmptyRegion, EmptyError string
}

func (c *Console) newPoolForm(w http.ResponseWriter, r *http.Request, op operator) {
	c.render(w, r, http.StatusOK, "pool_new", view{Op: &op, Title: "console.title.pool_new", Nav: "pools",
		Page: newPoolData{CSRF: op.CSRF, Name: "SmartLamp", Region: "us-east-1", Scopes: pool.ScopeOpenID, EmptyRegion: "us-east-1"}})
}

// createdPoolData is the page shown once after the preset created a
// pool: the Alexa console's values with the client secret.
type createdPoolData struct {
	Pool   pool.Pool
	Alexa  admin.AlexaValues
	Secret string
}

// createPool creates the pool of an Alexa skill with the admin service's
// CreateAlexaPool, the code of `linkpool init alexa`, and shows the
// values to paste into the Alexa console, the client secret among them:
// this answer is the only place it is shown (it is not cached, and the
// pool's page shows how to reveal it on the server).
func (c *Console) createPool(w http.ResponseWriter, r *http.Request, op operator) {
	if r.PostFormValue("preset") == "empty" {
		c.createEmptyPool(w, r, op)
		return
	}
	d := newPoolData{EmptyRegion: "us-east-1",
		CSRF: op.CSRF, Name: strings.TrimSpace(r.PostFormValue("name")), Region: strings.TrimSpace(r.PostFormValue("region")),
		VendorID: strings.TrimSpace(r.PostFormValue("vendor_id")), Domain: strings.TrimSpace(r.PostFormValue("domain")),
		Scopes: strings.TrimSpace(r.PostFormValue("scopes")), Rotation: r.PostFormValue("rotation") == "on",
	}
	res, err := c.cfg.Admin.CreateAlexaPool(r.Context(), admin.AlexaPreset{
		VendorID: d.VendorID, Name: d.Name, Region: d.Region, Domain: d.Domain,
		Scopes: strings.Fields(d.Scopes), Rotation: d.Rotation,
	}, c.now())
	var ae *account.Error
	if asAccountError(err, &ae) {
		d.Error = ae.Type + ": " + ae.Message
		c.render(w, r, http.StatusBadRequest, "pool_new", view{Op: &op, Title: "console.title.pool_new", Nav: "pools", Page: d})
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	var domains []pool.Domain
	if res.Domain != nil {
		domains = append(domains, *res.Domain)
	}
	v, _ := admin.AlexaConsoleValues(c.cfg.PublicURL, c.cfg.AuthDomain, domains, res.Client)
	c.render(w, r, http.StatusCreated, "pool_created", view{Op: &op, Title: "console.title.pool_created", Nav: "pools",
		Page: createdPoolData{Pool: res.Pool, Alexa: v, Secret: res.Secret}})
}

// createEmptyPool creates a pool with Cognito's defaults and nothing
// else, as `linkpool pool create` does, and leads to its page, where
// clients, domains and users are added. Its settings are checked first,
// so a refused one creates nothing and records nothing (as on the
// command line).
func (c *Console) createEmptyPool(w http.ResponseWriter, r *http.Request, op operator) {
	d := newPoolData{CSRF: op.CSRF, Name: "SmartLamp", Region: "us-east-1", Scopes: pool.ScopeOpenID,
		EmptyName: strings.TrimSpace(r.PostFormValue("name")), EmptyRegion: strings.TrimSpace(r.PostFormValue("region"))}
	p := pool.NewPool(d.EmptyRegion, d.EmptyName, c.now())
	var err error
	if !pool.ValidRegion(d.EmptyRegion) {
		err = &account.Error{Type: account.InvalidParameterException, Message: "Region " + strconv.Quote(d.EmptyRegion) + " is not a region name like us-east-1."}
	} else if err = admin.ValidateUserPool(p); err == nil {
		p, err = c.cfg.Admin.CreateUserPool(r.Context(), p)
	}
	var ae *account.Error
	if asAccountError(err, &ae) {
		d.EmptyError = ae.Type + ": " + ae.Message
		c.render(w, r, http.StatusBadRequest, "pool_new", view{Op: &op, Title: "console.title.pool_new", Nav: "pools", Page: d})
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"?done=created", http.StatusSeeOther)
}

// deletePool deletes a pool with the admin service's DeleteUserPool
// once the operator has typed its name; the system pool is never
// deleted from the console, which signs in through it.
func (c *Console) deletePool(w http.ResponseWriter, r *http.Request, _ operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	if p.ID == SystemPoolID {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.delete_system")
		return
	}
	if r.PostFormValue("confirm") != p.Name {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_pool")
		return
	}
	if err := c.cfg.Admin.DeleteUserPool(r.Context(), p.ID); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools", http.StatusSeeOther)
}
