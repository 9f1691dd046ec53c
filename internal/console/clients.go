package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// clientRoutes registers the app client pages (clients.go,
// clients_write.go) and the copy script (copy.go). Every change is for
// administrators only.
func (c *Console) clientRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+copyScriptPath, serveCopyScript)
	m.Handle("GET /console/pools/{pool}/clients/new", c.authorized(true, c.newClientForm))
	m.Handle("POST /console/pools/{pool}/clients", c.authorized(true, c.createClient))
	m.Handle("GET /console/pools/{pool}/clients/{client}", c.authorized(false, c.client))
	m.Handle("POST /console/pools/{pool}/clients/{client}", c.authorized(true, c.updateClient))
	m.Handle("POST /console/pools/{pool}/clients/{client}/rotate-secret", c.authorized(true, c.rotateClientSecret))
	m.Handle("POST /console/pools/{pool}/clients/{client}/delete", c.authorized(true, c.deleteClient))
}

// clientURL is the console path of an app client's page.
func clientURL(poolID, clientID string) string {
	return "/console/pools/" + url.PathEscape(poolID) + "/clients/" + url.PathEscape(clientID)
}

// oauthFlows are the OAuth grants a client may allow, in the order the
// forms offer them.
var oauthFlows = []string{pool.FlowCode, pool.FlowImplicit, pool.FlowClientCredentials}

// validityUnits are the units of token validities.
var validityUnits = []string{pool.UnitSeconds, pool.UnitMinutes, pool.UnitHours, pool.UnitDays}

// clientForm is the settings of an app client as its forms post them:
// lists of URLs one a line, scopes separated by spaces, the validities as
// typed.
type clientForm struct {
	Name                string
	Callbacks, Logouts  string
	Scopes              string
	Flows               []string
	Providers           []string
	Access, ID, Refresh string
	// AccessUnit, IDUnit and RefreshUnit are the validities' units.
	AccessUnit, IDUnit, RefreshUnit string
}

// clientFormOf is the form of a stored client.
func clientFormOf(cl pool.Client) clientForm {
	return clientForm{
		Name: cl.Name, Callbacks: strings.Join(cl.CallbackURLs, "\n"), Logouts: strings.Join(cl.LogoutURLs, "\n"),
		Scopes: strings.Join(cl.AllowedOAuthScopes, " "), Flows: cl.AllowedOAuthFlows, Providers: cl.SupportedIdentityProviders,
		Access: strconv.Itoa(cl.AccessTokenValidity), ID: strconv.Itoa(cl.IDTokenValidity), Refresh: strconv.Itoa(cl.RefreshTokenValidity),
		AccessUnit: cl.TokenValidityUnits.AccessToken, IDUnit: cl.TokenValidityUnits.IDToken, RefreshUnit: cl.TokenValidityUnits.RefreshToken,
	}
}

// postedClientForm reads a client form from the request.
func postedClientForm(r *http.Request) clientForm {
	_ = r.ParseForm()
	f := r.PostForm
	return clientForm{
		Name: strings.TrimSpace(f.Get("name")), Callbacks: f.Get("callbacks"), Logouts: f.Get("logouts"),
		Scopes: f.Get("scopes"), Flows: f["flow"], Providers: f["provider"],
		Access: strings.TrimSpace(f.Get("access")), ID: strings.TrimSpace(f.Get("id_token")), Refresh: strings.TrimSpace(f.Get("refresh")),
		AccessUnit: f.Get("access_unit"), IDUnit: f.Get("id_token_unit"), RefreshUnit: f.Get("refresh_unit"),
	}
}

// Has reports whether the form's list (flows or providers) holds v.
func (f clientForm) Has(list []string, v string) bool { return slices.Contains(list, v) }

// lines splits a list typed one a line (or separated by spaces).
func lines(s string) []string { return strings.Fields(s) }

// keep returns next, or old when both hold the same values, so that an
// edit that leaves a list as it was does not change nil into empty.
func keep(old, next []string) []string {
	if slices.Equal(old, next) {
		return old
	}
	return next
}

// validity reads a typed token validity; a value that is no whole number
// is refused as the JSON API refuses a malformed field.
func validity(field, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &account.Error{Type: account.InvalidParameterException, Field: field,
			Message: field + " must be a whole number"}
	}
	return n, nil
}

// apply sets the settings of the form on cl: name, callback and sign-out
// URLs, OAuth grants (OAuth on when any is allowed), scopes, identity
// providers and token validities. The service validates the result.
func (f clientForm) apply(cl *pool.Client) error {
	access, err := validity("AccessTokenValidity", f.Access)
	if err != nil {
		return err
	}
	id, err := validity("IdTokenValidity", f.ID)
	if err != nil {
		return err
	}
	refresh, err := validity("RefreshTokenValidity", f.Refresh)
	if err != nil {
		return err
	}
	cl.Name = f.Name
	cl.CallbackURLs = keep(cl.CallbackURLs, lines(f.Callbacks))
	cl.LogoutURLs = keep(cl.LogoutURLs, lines(f.Logouts))
	cl.AllowedOAuthFlows = keep(cl.AllowedOAuthFlows, f.Flows)
	cl.AllowedOAuthFlowsUserPoolClient = len(f.Flows) > 0
	cl.AllowedOAuthScopes = keep(cl.AllowedOAuthScopes, strings.Fields(f.Scopes))
	cl.SupportedIdentityProviders = keep(cl.SupportedIdentityProviders, f.Providers)
	cl.AccessTokenValidity, cl.IDTokenValidity, cl.RefreshTokenValidity = access, id, refresh
	cl.TokenValidityUnits = pool.TokenValidityUnits{AccessToken: f.AccessUnit, IDToken: f.IDUnit, RefreshToken: f.RefreshUnit}
	return nil
}

// clientData is an app client's page: every setting, the Alexa console
// values of an Alexa client, and for administrators the forms that edit
// it, rotate its secret and delete it.
type clientData struct {
	Pool pool.Pool
	// Client is a pointer, so that the templates may call the methods of
	// pool.Client (HasSecret).
	Client *clientView
	CSRF   string
	// Form is the edit form: the stored settings, or the refused post's.
	Form clientForm
	// Providers are the identity providers the client may list: COGNITO
	// and the pool's.
	Providers []string
	Flows     []string
	Units     []string
	// Error is the service's refusal of the last edit (Cognito's name and
	// message); Done the message key of the change just made.
	Error string
	Done  string
}

// unitKeys are the message keys of the validity units.
var unitKeys = map[string]string{
	pool.UnitSeconds: "console.client.unit.seconds", pool.UnitMinutes: "console.client.unit.minutes",
	pool.UnitHours: "console.client.unit.hours", pool.UnitDays: "console.client.unit.days",
}

// Unit is the message key of a validity unit ("console.client.unit.hours").
func (clientData) Unit(u string) string {
	if k, ok := unitKeys[u]; ok {
		return k
	}
	return "console.client.unit.hours"
}

// findClient reads the pool and the app client of the request's {pool}
// and {client}, answering 404 when either is missing.
func (c *Console) findClient(w http.ResponseWriter, r *http.Request) (pool.Pool, pool.Client, bool) {
	p, ok := c.findPool(w, r)
	if !ok {
		return p, pool.Client{}, false
	}
	id := r.PathValue("client")
	if !pool.ValidClientID(id) {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return p, pool.Client{}, false
	}
	cl, err := c.cfg.Admin.DescribeUserPoolClient(r.Context(), p.ID, id)
	if account.TypeOf(err) == account.ResourceNotFoundException {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return p, cl, false
	}
	if err != nil {
		c.failure(w, r, err)
		return p, cl, false
	}
	return p, cl, true
}

// clientView is a client with its Alexa console values, read with the
// pool's domains.
func (c *Console) clientView(r *http.Request, p pool.Pool, cl pool.Client) (clientView, error) {
	domains, err := c.cfg.Admin.ListUserPoolDomains(r.Context(), p.ID)
	if err != nil {
		return clientView{}, err
	}
	v := clientView{Client: cl, IsSystem: cl.ID == SystemClientID && p.ID == SystemPoolID}
	v.Alexa, v.IsAlexa = admin.AlexaConsoleValues(c.cfg.PublicURL, c.cfg.AuthDomain, domains, cl)
	return v, nil
}

func (c *Console) client(w http.ResponseWriter, r *http.Request, op operator) {
	p, cl, ok := c.findClient(w, r)
	if !ok {
		return
	}
	d := clientData{Form: clientFormOf(cl)}
	switch r.URL.Query().Get("done") {
	case "updated":
		d.Done = "console.client.updated_done"
	case "created":
		d.Done = "console.client.created_done"
	}
	c.renderClient(w, r, op, p, cl, http.StatusOK, d)
}

// renderClient renders the page of client cl with d's form, error and
// message.
func (c *Console) renderClient(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, cl pool.Client, status int, d clientData) {
	v, err := c.clientView(r, p, cl)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	providers, err := c.providerNames(r, p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	for _, name := range cl.SupportedIdentityProviders {
		if !slices.Contains(providers, name) {
			providers = append(providers, name)
		}
	}
	d.Pool, d.Client, d.CSRF, d.Providers, d.Flows, d.Units = p, &v, op.CSRF, providers, oauthFlows, validityUnits
	c.render(w, r, status, "client", view{Op: &op, Title: "console.title.client", Nav: "pools", Page: d})
}

// providerNames are COGNITO and the names of the pool's identity
// providers.
func (c *Console) providerNames(r *http.Request, poolID string) ([]string, error) {
	idps, err := allPages(func(next string) ([]pool.IdentityProvider, string, error) {
		return c.cfg.Admin.ListIdentityProviders(r.Context(), poolID, admin.MaxPageSize, next)
	})
	if err != nil {
		return nil, err
	}
	names := []string{pool.ProviderCognito}
	for _, idp := range idps {
		names = append(names, idp.ProviderName)
	}
	return names, nil
}

// refusal is a service's refusal as a form shows it (Cognito's error
// name and message), and false for any other error.
func refusal(err error) (string, bool) {
	var ae *account.Error
	if errors.As(err, &ae) {
		return ae.Type + ": " + ae.Message, true
	}
	return "", false
}
