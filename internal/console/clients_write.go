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

// systemClient reports whether cl is the console's own app client, which
// `serve` manages (EnsureSystemClient): the console neither edits nor
// deletes it, so that it cannot cut off its own sign-in.
func systemClient(p pool.Pool, cl pool.Client) bool {
	return p.ID == SystemPoolID && cl.ID == SystemClientID
}

// confirmed reports whether the posted confirm field names the client:
// its name or its id.
func confirmed(r *http.Request, cl pool.Client) bool {
	got := strings.TrimSpace(r.PostFormValue("confirm"))
	return got != "" && (got == cl.Name || got == cl.ID)
}

// updateClient changes an app client's name, callback and sign-out URLs,
// OAuth grants, scopes, identity providers and token validities with the
// admin service's UpdateUserPoolClient, which validates them as for the
// JSON API. A refused edit is shown on the client's page (400) with
// Cognito's error, and nothing changes.
func (c *Console) updateClient(w http.ResponseWriter, r *http.Request, op operator) {
	p, cl, ok := c.findClient(w, r)
	if !ok {
		return
	}
	if systemClient(p, cl) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.system_client")
		return
	}
	f := postedClientForm(r)
	probe := cl
	err := f.apply(&probe)
	if err == nil {
		_, err = c.cfg.Admin.UpdateUserPoolClient(r.Context(), p.ID, cl.ID, func(x *pool.Client) { _ = f.apply(x) })
	}
	if msg, ok := refusal(err); ok && account.TypeOf(err) != account.ResourceNotFoundException {
		c.renderClient(w, r, op, p, cl, http.StatusBadRequest, clientData{Form: f, Error: msg})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, clientURL(p.ID, cl.ID)+"?done=updated", http.StatusSeeOther)
}

// newClientData is the form that creates an app client.
type newClientData struct {
	Pool      pool.Pool
	CSRF      string
	Form      clientForm
	Secret    bool
	VendorID  string
	Providers []string
	Flows     []string
	Error     string
}

func (c *Console) newClientForm(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	f := clientFormOf(pool.NewClient(p.ID, "", c.now()))
	f.Flows = []string{pool.FlowCode}
	f.Scopes = pool.ScopeOpenID
	c.renderNewClient(w, r, op, p, http.StatusOK, newClientData{Form: f, Secret: true})
}

func (c *Console) renderNewClient(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, status int, d newClientData) {
	providers, err := c.providerNames(r, p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.CSRF, d.Providers, d.Flows = p, op.CSRF, providers, oauthFlows
	c.render(w, r, status, "client_new", view{Op: &op, Title: "console.title.client_new", Nav: "pools", Page: d})
}

// secretData is the page shown once after a client was created with a
// secret or its secret was rotated: the secret, and the Alexa console's
// values of an Alexa client.
type secretData struct {
	Pool    pool.Pool
	Client  *clientView
	Secret  string
	Rotated bool
}

// createClient creates an app client with the admin service's
// CreateUserPoolClient, with Cognito's defaults (pool.NewClient) and the
// settings of the form; with an Amazon vendor id it gets the settings of
// `init alexa`'s client (admin.AlexaClientDefaults) and a secret. A
// client with a secret is answered with the page that shows it, the only
// time it is shown; a public one with its page.
func (c *Console) createClient(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	f := postedClientForm(r)
	d := newClientData{Form: f, Secret: r.PostFormValue("secret") == "on", VendorID: strings.TrimSpace(r.PostFormValue("vendor_id"))}
	cl := pool.NewClient(p.ID, f.Name, c.now())
	f.Access, f.ID, f.Refresh = strconv.Itoa(cl.AccessTokenValidity), strconv.Itoa(cl.IDTokenValidity), strconv.Itoa(cl.RefreshTokenValidity)
	f.AccessUnit, f.IDUnit, f.RefreshUnit = cl.TokenValidityUnits.AccessToken, cl.TokenValidityUnits.IDToken, cl.TokenValidityUnits.RefreshToken
	err := f.apply(&cl)
	if err == nil && d.VendorID != "" {
		err = admin.AlexaClientDefaults(&cl, d.VendorID)
		d.Secret = true
	}
	var secret string
	if err == nil {
		cl, secret, err = c.cfg.Admin.CreateUserPoolClient(r.Context(), cl, d.Secret)
	}
	if msg, ok := refusal(err); ok && account.TypeOf(err) != account.ResourceNotFoundException {
		d.Error = msg
		c.renderNewClient(w, r, op, p, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if secret == "" {
		http.Redirect(w, r, clientURL(p.ID, cl.ID)+"?done=created", http.StatusSeeOther)
		return
	}
	c.renderSecret(w, r, op, p, cl, http.StatusCreated, secretData{Secret: secret})
}

func (c *Console) renderSecret(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, cl pool.Client, status int, d secretData) {
	v, err := c.clientView(r, p, cl)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.Client = p, &v
	title := "console.title.client_created"
	if d.Rotated {
		title = "console.title.client_rotated"
	}
	c.render(w, r, status, "client_secret", view{Op: &op, Title: title, Nav: "pools", Page: d})
}

// confirmedClient reads the client of the request for a change the
// operator confirmed by typing its name or id: never the console's own
// client (400), nor one whose name or id was not typed (400).
func (c *Console) confirmedClient(w http.ResponseWriter, r *http.Request) (pool.Pool, pool.Client, bool) {
	p, cl, ok := c.findClient(w, r)
	if !ok {
		return p, cl, false
	}
	if systemClient(p, cl) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.system_client")
		return p, cl, false
	}
	if !confirmed(r, cl) {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_client")
		return p, cl, false
	}
	return p, cl, true
}

// rotateClientSecret replaces a confidential client's secret with the
// admin service's RotateUserPoolClientSecret, once the operator has typed
// the client's name or id, and shows the new secret once. The old secret
// stops working at once: the token endpoint reads the client on every
// request and only one secret is kept. A public client is refused with
// Cognito's InvalidParameterException.
func (c *Console) rotateClientSecret(w http.ResponseWriter, r *http.Request, op operator) {
	p, cl, ok := c.confirmedClient(w, r)
	if !ok {
		return
	}
	secret, err := c.cfg.Admin.RotateUserPoolClientSecret(r.Context(), p.ID, cl.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderSecret(w, r, op, p, cl, http.StatusOK, secretData{Secret: secret, Rotated: true})
}

// deleteClient deletes an app client with the admin service's
// DeleteUserPoolClient once the operator has typed its name or id; its
// refresh tokens stop working.
func (c *Console) deleteClient(w http.ResponseWriter, r *http.Request, _ operator) {
	p, cl, ok := c.confirmedClient(w, r)
	if !ok {
		return
	}
	if err := c.cfg.Admin.DeleteUserPoolClient(r.Context(), p.ID, cl.ID); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"?done=client_deleted", http.StatusSeeOther)
}
