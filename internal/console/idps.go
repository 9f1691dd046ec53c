package console

import (
	"bufio"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/federation"
	"github.com/linkpool/linkpool/internal/pool"
)

// maxProviderForm bounds the posts of the provider forms: a SAML
// metadata file may be up to pool.MaxProviderDetailLen characters, each
// up to three bytes once form-encoded.
const maxProviderForm = 1 << 20

// federationRoutes registers the identity-provider, trigger and group
// pages (idps.go, triggers.go, groups.go).
func (c *Console) federationRoutes(m *http.ServeMux) {
	m.Handle("GET /console/pools/{pool}/idps", c.authorized(false, c.idps))
	m.Handle("GET /console/pools/{pool}/idps/new", c.authorized(true, c.newIdpForm))
	m.Handle("POST /console/pools/{pool}/idps", withBodyLimit(maxProviderForm, c.authorized(true, c.createIdp)))
	m.Handle("GET /console/pools/{pool}/idps/{name}", c.authorized(false, c.idp))
	m.Handle("POST /console/pools/{pool}/idps/{name}/update", withBodyLimit(maxProviderForm, c.authorized(true, c.updateIdp)))
	m.Handle("POST /console/pools/{pool}/idps/{name}/delete", c.authorized(true, c.deleteIdp))
	c.triggerRoutes(m)
	c.groupRoutes(m)
}

// registration is what an operator registers at a provider for a pool:
// the redirect URI of OAuth 2.0 and OpenID Connect providers, and the
// SAML service provider's ACS URL and entity id, as docs/federation.md
// and `linkpool idp create` give them.
type registration struct {
	RedirectURI, ACS, EntityID string
}

// registrationOf returns the values of the pool p.
func (c *Console) registrationOf(r *http.Request, p pool.Pool) (registration, error) {
	domains, err := c.cfg.Admin.ListUserPoolDomains(r.Context(), p.ID)
	if err != nil {
		return registration{}, err
	}
	base := admin.PoolBaseURL(c.cfg.PublicURL, c.cfg.AuthDomain, domains, p.ID)
	return registration{RedirectURI: base + federation.OIDCCallbackPath, ACS: base + federation.SAMLCallbackPath,
		EntityID: admin.SAMLEntityID(p.ID)}, nil
}

// idpLink is a provider with the path of its page.
type idpLink struct {
	pool.IdentityProvider
	URL string
}

// idpsData is a pool's identity providers.
type idpsData struct {
	Pool      pool.Pool
	Providers []idpLink
	Register  registration
	Done      string
}

func (c *Console) idps(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	ps, err := allPages(func(next string) ([]pool.IdentityProvider, string, error) {
		return c.cfg.Admin.ListIdentityProviders(r.Context(), p.ID, admin.MaxPageSize, next)
	})
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d := idpsData{Pool: p}
	for _, idp := range ps {
		d.Providers = append(d.Providers, idpLink{IdentityProvider: idp, URL: idpURL(p.ID, idp.ProviderName)})
	}
	if d.Register, err = c.registrationOf(r, p); err != nil {
		c.failure(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "deleted" {
		d.Done = "console.idp.deleted_done"
	}
	c.render(w, r, http.StatusOK, "idps", view{Op: &op, Title: "console.title.idps", Nav: "pools", Page: d})
}

// idpForm is the form that creates or edits a provider: OIDC or SAML
// details, or for the social types their client id and scopes, with the
// attribute mapping (one "pool attribute = provider claim" a line) and
// the identifiers. The secret fields are never filled in from the
// store: an empty client secret on an edit keeps the stored one.
type idpForm struct {
	Type, Name                               string
	ClientID, Scopes, Issuer, RequestMethod  string
	MetadataURL, MetadataFile                string
	Mapping, Identifiers                     string
	ClientSecretSet, PrivateKeySet, HasScope bool
}

// idpFormOf returns the form of a stored provider (its details without
// secrets, secrets only said to be set).
func idpFormOf(p pool.IdentityProvider, secrets []string) idpForm {
	d := p.ProviderDetails
	f := idpForm{Type: p.ProviderType, Name: p.ProviderName, ClientID: d[pool.DetailClientID], Scopes: d[pool.DetailAuthorizeScopes],
		Issuer: d[pool.DetailOIDCIssuer], RequestMethod: d[pool.DetailAttributesRequestMethod],
		MetadataURL: d[pool.DetailMetadataURL], MetadataFile: d[pool.DetailMetadataFile],
		Identifiers:     strings.Join(p.IdpIdentifiers, ", "),
		ClientSecretSet: slices.Contains(secrets, pool.DetailClientSecret), PrivateKeySet: slices.Contains(secrets, pool.DetailPrivateKey)}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(p.AttributeMapping)) {
		b.WriteString(k + " = " + p.AttributeMapping[k] + "\n")
	}
	f.Mapping = b.String()
	return f
}

// postedForm reads the provider form of the request.
func postedForm(r *http.Request) idpForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return idpForm{Type: v("type"), Name: v("name"), ClientID: v("client_id"), Scopes: v("authorize_scopes"),
		Issuer: v("oidc_issuer"), RequestMethod: v("attributes_request_method"), MetadataURL: v("metadata_url"),
		MetadataFile: strings.TrimSpace(r.PostFormValue("metadata_file")), Mapping: r.PostFormValue("mapping"),
		Identifiers: v("identifiers")}
}

// mapping reads the attribute mapping lines, "attribute = claim", blank
// lines skipped. A line without "=" becomes an entry without a claim,
// which the service refuses with Cognito's error naming it.
func (f idpForm) mapping() map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(f.Mapping))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

// identifiers splits the identifiers field at commas.
func (f idpForm) identifiers() []string {
	var ids []string
	for id := range strings.SplitSeq(f.Identifiers, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// setDetails writes the form's details for the provider type into d: a
// field left empty removes its detail.
func (f idpForm) setDetails(typ string, d map[string]string) {
	set := func(k, v string) {
		if v == "" {
			delete(d, k)
		} else {
			d[k] = v
		}
	}
	switch typ {
	case pool.ProviderSAML:
		set(pool.DetailMetadataURL, f.MetadataURL)
		set(pool.DetailMetadataFile, f.MetadataFile)
	case pool.ProviderOIDC:
		set(pool.DetailOIDCIssuer, f.Issuer)
		set(pool.DetailAttributesRequestMethod, f.RequestMethod)
		fallthrough
	default:
		set(pool.DetailClientID, f.ClientID)
		set(pool.DetailAuthorizeScopes, f.Scopes)
	}
}

// newIdpData is the page that creates a provider.
type newIdpData struct {
	Pool     pool.Pool
	CSRF     string
	Form     idpForm
	Register registration
	Error    string
}

func (c *Console) newIdpForm(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	f := idpForm{Type: pool.ProviderOIDC, Scopes: "openid email profile", Mapping: "username = sub\nemail = email\n"}
	if r.URL.Query().Get("type") == pool.ProviderSAML {
		f = idpForm{Type: pool.ProviderSAML, Mapping: "username = " + pool.SAMLNameID + "\n"}
	}
	c.renderNewIdp(w, r, op, p, http.StatusOK, newIdpData{Form: f})
}

func (c *Console) renderNewIdp(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, status int, d newIdpData) {
	reg, err := c.registrationOf(r, p)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.CSRF, d.Register = p, op.CSRF, reg
	c.render(w, r, status, "idp_new", view{Op: &op, Title: "console.title.idp_new", Nav: "pools", Page: d})
}

// idpURL is the console path of a provider's page.
func idpURL(poolID, name string) string {
	return "/console/pools/" + url.PathEscape(poolID) + "/idps/" + url.PathEscape(name)
}

// createIdp creates an OIDC or SAML provider with the admin service's
// CreateIdentityProvider, the code of `linkpool idp create`: the client
// secret is sealed there and never shown again.
func (c *Console) createIdp(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	f := postedForm(r)
	if f.Type != pool.ProviderSAML {
		f.Type = pool.ProviderOIDC
	}
	refuse := func(msg string) {
		c.renderNewIdp(w, r, op, p, http.StatusBadRequest, newIdpData{Form: f, Error: msg})
	}
	mapping := f.mapping()
	details := map[string]string{}
	f.setDetails(f.Type, details)
	if s := strings.TrimSpace(r.PostFormValue("client_secret")); s != "" && f.Type == pool.ProviderOIDC {
		details[pool.DetailClientSecret] = s
	}
	created, err := c.cfg.Admin.CreateIdentityProvider(r.Context(), pool.IdentityProvider{PoolID: p.ID, ProviderName: f.Name,
		ProviderType: f.Type, ProviderDetails: details, AttributeMapping: mapping, IdpIdentifiers: f.identifiers()})
	var ae *account.Error
	if asAccountError(err, &ae) {
		refuse(ae.Type + ": " + ae.Message)
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	http.Redirect(w, r, idpURL(p.ID, created.ProviderName)+"?done=created", http.StatusSeeOther)
}

// detail is one of a provider's details; Secret says it is a secret,
// shown only as set.
type detail struct {
	Key, Value string
	Secret     bool
	// Lines is the number of lines of a multi-line value (SAML
	// metadata), shown folded.
	Lines int
}

// idpData is a provider's page.
type idpData struct {
	Pool     pool.Pool
	Provider pool.IdentityProvider
	URL      string
	Details  []detail
	Mapping  []attr
	Form     idpForm
	// Editable: the console's form edits the provider's type.
	Editable bool
	Register registration
	CSRF     string
	Done     string
	Error    string
}

// findIdp reads the pool and the provider of the request, the
// provider's secret details replaced by the list of those set: the
// console never holds them longer, and never shows them.
func (c *Console) findIdp(w http.ResponseWriter, r *http.Request) (pool.Pool, pool.IdentityProvider, []string, bool) {
	p, ok := c.findPool(w, r)
	if !ok {
		return p, pool.IdentityProvider{}, nil, false
	}
	idp, err := c.cfg.Admin.DescribeIdentityProvider(r.Context(), p.ID, r.PathValue("name"))
	if account.TypeOf(err) == account.ResourceNotFoundException {
		c.errorPage(w, r, http.StatusNotFound, "console.error.not_found")
		return p, idp, nil, false
	}
	if err != nil {
		c.failure(w, r, err)
		return p, idp, nil, false
	}
	var secrets []string
	idp.ProviderDetails = maps.Clone(idp.ProviderDetails)
	for _, k := range pool.SecretDetails {
		if _, set := idp.ProviderDetails[k]; set {
			secrets = append(secrets, k)
			delete(idp.ProviderDetails, k)
		}
	}
	return p, idp, secrets, true
}

func (c *Console) idp(w http.ResponseWriter, r *http.Request, op operator) {
	p, idp, secrets, ok := c.findIdp(w, r)
	if !ok {
		return
	}
	d := idpData{Form: idpFormOf(idp, secrets)}
	switch r.URL.Query().Get("done") {
	case "created":
		d.Done = "console.idp.created_done"
	case "updated":
		d.Done = "console.idp.updated_done"
	}
	c.renderIdp(w, r, op, p, idp, secrets, http.StatusOK, d)
}

func (c *Console) renderIdp(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, idp pool.IdentityProvider,
	secrets []string, status int, d idpData) {
	reg, err := c.registrationOf(r, p)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.Provider, d.Register, d.CSRF, d.URL = p, idp, reg, op.CSRF, idpURL(p.ID, idp.ProviderName)
	d.Editable = idp.ProviderType != pool.ProviderSignInWithApple
	for _, k := range slices.Sorted(maps.Keys(idp.ProviderDetails)) {
		v := idp.ProviderDetails[k]
		dt := detail{Key: k, Value: v}
		if strings.Contains(v, "\n") {
			dt.Lines = strings.Count(v, "\n") + 1
		}
		d.Details = append(d.Details, dt)
	}
	for _, k := range secrets {
		d.Details = append(d.Details, detail{Key: k, Secret: true})
	}
	for _, k := range slices.Sorted(maps.Keys(idp.AttributeMapping)) {
		d.Mapping = append(d.Mapping, attr{k, idp.AttributeMapping[k]})
	}
	c.render(w, r, status, "idp", view{Op: &op, Title: "console.title.idp", Nav: "pools", Page: d})
}

// updateIdp edits a provider with the admin service's
// UpdateIdentityProvider: the form's details replace the stored ones of
// its fields (others, set with the command line, stay), the mapping and
// the identifiers are replaced, and an empty client secret keeps the
// stored one (the service refuses that when the issuer changes: the
// secret must then be given again).
func (c *Console) updateIdp(w http.ResponseWriter, r *http.Request, op operator) {
	p, idp, secrets, ok := c.findIdp(w, r)
	if !ok {
		return
	}
	f := postedForm(r)
	f.Type, f.Name = idp.ProviderType, idp.ProviderName
	f.ClientSecretSet, f.PrivateKeySet = slices.Contains(secrets, pool.DetailClientSecret), slices.Contains(secrets, pool.DetailPrivateKey)
	refuse := func(msg string) {
		c.renderIdp(w, r, op, p, idp, secrets, http.StatusBadRequest, idpData{Form: f, Error: msg})
	}
	if idp.ProviderType == pool.ProviderSignInWithApple {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.idp_apple")
		return
	}
	mapping := f.mapping()
	secret := strings.TrimSpace(r.PostFormValue("client_secret"))
	_, err := c.cfg.Admin.UpdateIdentityProvider(r.Context(), p.ID, idp.ProviderName, func(e *pool.IdentityProvider) {
		f.setDetails(e.ProviderType, e.ProviderDetails)
		if secret != "" && e.ProviderType != pool.ProviderSAML {
			e.ProviderDetails[pool.DetailClientSecret] = secret
		}
		e.AttributeMapping = mapping
		if e.ProviderType == pool.ProviderOIDC || e.ProviderType == pool.ProviderSAML {
			e.IdpIdentifiers = f.identifiers()
		}
	})
	var ae *account.Error
	if asAccountError(err, &ae) {
		refuse(ae.Type + ": " + ae.Message)
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	http.Redirect(w, r, idpURL(p.ID, idp.ProviderName)+"?done=updated", http.StatusSeeOther)
}

// deleteIdp deletes a provider with the admin service's
// DeleteIdentityProvider once its name is typed; the service refuses a
// provider that app clients still list.
func (c *Console) deleteIdp(w http.ResponseWriter, r *http.Request, _ operator) {
	p, idp, _, ok := c.findIdp(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != idp.ProviderName {
		c.errorPage(w, r, http.StatusBadRequest, "console.error.confirm_idp")
		return
	}
	if err := c.cfg.Admin.DeleteIdentityProvider(r.Context(), p.ID, idp.ProviderName); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/idps?done=deleted", http.StatusSeeOther)
}
