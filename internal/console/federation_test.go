package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/console"
	"github.com/linkpool/linkpool/internal/pool"
)

// oidcForm is the new-provider form of an OIDC provider.
func oidcForm(token, name, issuer, secret string) url.Values {
	return url.Values{"csrf": {token}, "type": {"OIDC"}, "name": {name}, "oidc_issuer": {issuer}, "client_id": {"linkpool"},
		"client_secret": {secret}, "authorize_scopes": {"openid email"}, "attributes_request_method": {"GET"},
		"mapping": {"username = sub\nemail = email\n"}, "identifiers": {"corp.example, corp2.example"}}
}

// TestIdentityProvidersFromTheConsole: an administrator creates an OIDC
// and a SAML provider, edits and deletes one, each through the admin
// service with exactly one audit record by the console operator that
// holds no client secret; the client secret is never shown, an empty
// one keeps the stored one, the values to register at the provider are
// shown; refusals answer Cognito's error and change nothing; a
// read-only operator sees the pages without forms.
func TestIdentityProvidersFromTheConsole(t *testing.T) {
	e := newEnv(t)
	p, _ := e.customer(t, "ann", "ann@example.com")
	op := e.operator(t, "root", false)
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "root")
	ctx := context.Background()
	base := "/console/pools/" + p.ID + "/idps"
	const secret = "op-client-secret-0123456789"

	res, page := e.get(t, b, base+"/new")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("new provider form: %d: %s", res.StatusCode, page)
	}
	token := csrf(t, page)
	for _, want := range []string{e.URL + "/" + p.ID + "/oauth2/idpresponse", e.URL + "/" + p.ID + "/saml2/idpresponse", "urn:amazon:cognito:sp:" + p.ID} {
		if !strings.Contains(page, want) {
			t.Errorf("the form does not show %s", want)
		}
	}

	// Refused: an issuer that is neither https nor loopback.
	n := len(e.allAudit(t))
	res, body := e.post(t, b, base, e.ConsoleURL, oidcForm(token, "Corp", "http://login.example.com", secret))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="form-error"`) {
		t.Errorf("a plain-http issuer: %d: %s", res.StatusCode, body)
	}
	if strings.Contains(body, secret) {
		t.Error("the refused form shows the client secret again")
	}
	if recs := e.allAudit(t); len(recs) != n+1 || recs[0].Result == "ok" {
		t.Errorf("the refused create wrote %v", actions(recs[:len(recs)-n]))
	}
	if _, err := e.Admin.DescribeIdentityProvider(ctx, p.ID, "Corp"); err == nil {
		t.Error("the refused provider was created")
	}

	n = len(e.allAudit(t))
	res, body = e.post(t, b, base, e.ConsoleURL, oidcForm(token, "Corp", "https://login.corp.example", secret))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/Corp?done=created" {
		t.Fatalf("create: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	recs := e.lastRecords(t, n, op.Sub, secret)
	if got := actions(recs); strings.Join(got, " ") != "CreateIdentityProvider" {
		t.Errorf("create records %q", got)
	}
	idp, err := e.Admin.DescribeIdentityProvider(ctx, p.ID, "Corp")
	if err != nil || idp.ProviderDetails[pool.DetailClientSecret] != secret || idp.ProviderDetails[pool.DetailOIDCIssuer] != "https://login.corp.example" ||
		idp.AttributeMapping["email"] != "email" || strings.Join(idp.IdpIdentifiers, " ") != "corp.example corp2.example" {
		t.Fatalf("created provider %+v, %v", idp, err)
	}
	_, page = e.get(t, b, base+"/Corp?done=created")
	if strings.Contains(page, secret) || !strings.Contains(page, "set (not shown)") || !strings.Contains(page, `id="done"`) ||
		!strings.Contains(page, e.URL+"/"+p.ID+"/oauth2/idpresponse") || !strings.Contains(page, "https://login.corp.example") {
		t.Errorf("provider page: %s", page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the provider page shows the message key %q", k)
	}
	_, page = e.get(t, b, base)
	if !strings.Contains(page, `href="`+base+`/Corp"`) || strings.Contains(page, secret) {
		t.Errorf("providers page: %s", page)
	}

	// Edit without the secret: it is kept.
	n = len(e.allAudit(t))
	form := oidcForm(token, "", "https://login.corp.example", "")
	form.Set("authorize_scopes", "openid email profile")
	form.Set("mapping", "username = sub\nname = name\n")
	res, body = e.post(t, b, base+"/Corp/update", e.ConsoleURL, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/Corp?done=updated" {
		t.Fatalf("update: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub, secret)); strings.Join(got, " ") != "UpdateIdentityProvider" {
		t.Errorf("update records %q", got)
	}
	idp, err = e.Admin.DescribeIdentityProvider(ctx, p.ID, "Corp")
	if err != nil || idp.ProviderDetails[pool.DetailClientSecret] != secret || idp.ProviderDetails[pool.DetailAuthorizeScopes] != "openid email profile" ||
		idp.AttributeMapping["name"] != "name" || idp.AttributeMapping["email"] != "" {
		t.Errorf("updated provider %+v, %v", idp, err)
	}
	// A new issuer without the secret again is refused by the service.
	n = len(e.allAudit(t))
	res, body = e.post(t, b, base+"/Corp/update", e.ConsoleURL, oidcForm(token, "", "https://elsewhere.example", ""))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, "client_secret") {
		t.Errorf("moved issuer without the secret: %d: %s", res.StatusCode, body)
	}
	if recs := e.allAudit(t); len(recs) != n+1 || recs[0].Result == "ok" {
		t.Errorf("the refused update wrote %v", actions(recs[:len(recs)-n]))
	}
	if idp, _ := e.Admin.DescribeIdentityProvider(ctx, p.ID, "Corp"); idp.ProviderDetails[pool.DetailOIDCIssuer] != "https://login.corp.example" {
		t.Errorf("the refused update changed the issuer to %s", idp.ProviderDetails[pool.DetailOIDCIssuer])
	}
	// A taken identifier is refused too.
	if res, body := e.post(t, b, base, e.ConsoleURL, oidcForm(token, "Other", "https://login.other.example", "")); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "corp.example") {
		t.Errorf("a taken identifier: %d: %s", res.StatusCode, body)
	}

	// SAML, with the metadata pasted.
	const metadata = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/saml"></EntityDescriptor>`
	n = len(e.allAudit(t))
	res, body = e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "type": {"SAML"}, "name": {"Okta"},
		"metadata_file": {metadata + "\n<!-- second line -->"}, "mapping": {"username = " + pool.SAMLNameID}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create SAML: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "CreateIdentityProvider" {
		t.Errorf("SAML records %q", got)
	}
	if _, page := e.get(t, b, base+"/Okta"); !strings.Contains(page, "2 lines") || !strings.Contains(page, "urn:amazon:cognito:sp:"+p.ID) {
		t.Errorf("SAML provider page: %s", page)
	}
	// A metadata file larger than an ordinary form post (64 KiB), with a
	// name that needs escaping in a path.
	big := metadata + "\n<!-- " + strings.Repeat("padding ", 12<<10) + "-->"
	res, body = e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "type": {"SAML"}, "name": {"Corp/EU"}, "metadata_file": {big}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/Corp%2FEU?done=created" {
		t.Fatalf("create SAML with a large metadata file: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if res, page := e.get(t, b, base+"/Corp%2FEU"); res.StatusCode != http.StatusOK || !strings.Contains(page, `id="idp-name">Corp/EU<`) {
		t.Errorf("the page of Corp/EU: %d", res.StatusCode)
	}
	if _, page := e.get(t, b, base); !strings.Contains(page, `href="`+base+`/Corp%2fEU"`) && !strings.Contains(page, `href="`+base+`/Corp%2FEU"`) {
		t.Errorf("the providers page does not link Corp/EU: %s", page)
	}
	// Both a metadata URL and a file: Cognito's error.
	if res, body := e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "type": {"SAML"}, "name": {"Two"},
		"metadata_url": {"https://idp.example/metadata"}, "metadata_file": {metadata}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "MetadataURL") {
		t.Errorf("SAML with URL and file: %d: %s", res.StatusCode, body)
	}

	// Read-only: the pages without forms, posts refused.
	viewer := e.signedIn(t, "viewer")
	for _, path := range []string{base, base + "/Corp", base + "/Okta"} {
		res, page := e.get(t, viewer, path)
		if res.StatusCode != http.StatusOK || strings.Contains(page, `id="update-idp"`) || strings.Contains(page, `id="delete-idp"`) || strings.Contains(page, `id="new-idp-link"`) {
			t.Errorf("read-only GET %s: %d", path, res.StatusCode)
		}
		if strings.Contains(page, secret) {
			t.Errorf("read-only GET %s shows the secret", path)
		}
	}

	// Delete: a wrong name deletes nothing.
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, base+"/Corp/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"corp"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "does not match") {
		t.Errorf("delete with a wrong name: %d: %s", res.StatusCode, body)
	}
	if recs := e.allAudit(t); len(recs) != n {
		t.Errorf("a refused delete wrote %v", actions(recs[:len(recs)-n]))
	}
	// A provider an app client lists: the service refuses.
	e.Client(t, p, "web", []string{"https://app.example/cb"}, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{pool.ProviderCognito, "Okta"}
	})
	if res, body := e.post(t, b, base+"/Okta/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Okta"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") {
		t.Errorf("delete a listed provider: %d: %s", res.StatusCode, body)
	}
	n = len(e.allAudit(t))
	res, body = e.post(t, b, base+"/Corp/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Corp"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"?done=deleted" {
		t.Fatalf("delete: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "DeleteIdentityProvider" {
		t.Errorf("delete records %q", got)
	}
	if _, err := e.Admin.DescribeIdentityProvider(ctx, p.ID, "Corp"); err == nil {
		t.Error("the provider is still there")
	}
	if res, _ := e.get(t, b, base+"/Corp"); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted provider's page: %d", res.StatusCode)
	}
	e.Log.NoSecrets(t, secret)
}

// TestTriggersFromTheConsole: the pool's first webhook trigger, set in
// the console with SetLambdaConfig, shows the new signing secret on that
// answer only; a rotation shows the new one once; each writes one audit
// record by the console operator without the secret; a refused target
// changes nothing.
func TestTriggersFromTheConsole(t *testing.T) {
	e := newEnv(t)
	p, _ := e.customer(t, "ann", "ann@example.com")
	op := e.operator(t, "root", false)
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "root")
	ctx := context.Background()
	path := "/console/pools/" + p.ID + "/triggers"

	res, page := e.get(t, b, path)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="save-triggers"`) {
		t.Fatalf("triggers page: %d: %s", res.StatusCode, page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the triggers page shows the message key %q", k)
	}
	token := csrf(t, page)

	n := len(e.allAudit(t))
	res, body := e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}, "PreSignUp": {"http://hooks.example.com/pre-sign-up"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, "LambdaConfig.PreSignUp") {
		t.Errorf("plain-http webhook: %d: %s", res.StatusCode, body)
	}
	if got, _ := e.Admin.DescribeUserPool(ctx, p.ID); got.LambdaConfig != (pool.LambdaConfig{}) || len(got.TriggerSecret) != 0 {
		t.Errorf("the refused post changed the triggers: %+v", got.LambdaConfig)
	}
	if recs := e.allAudit(t); len(recs) != n+1 || recs[0].Result == "ok" {
		t.Errorf("the refused post wrote %v", actions(recs[:len(recs)-n]))
	}

	n = len(e.allAudit(t))
	const hook = "http://127.0.0.1:9/linkpool/pre-sign-up"
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:claims"
	res, body = e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}, "PreSignUp": {hook},
		"PreTokenGeneration": {arn}, "pre_token_version": {"V2_0"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("set triggers: %d: %s", res.StatusCode, body)
	}
	secret, err := e.Admin.TriggerSecret(ctx, p.ID)
	if err != nil || len(secret) != 43 || between(body, `id="trigger-secret">`, "<") != secret {
		t.Fatalf("the answer shows %q, the secret is %q (%v)", between(body, `id="trigger-secret">`, "<"), secret, err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub, secret)); strings.Join(got, " ") != "SetLambdaConfig" {
		t.Errorf("set records %q", got)
	}
	got, _ := e.Admin.DescribeUserPool(ctx, p.ID)
	if got.LambdaConfig.PreSignUp != hook || got.LambdaConfig.Target(pool.TriggerPreTokenGeneration) != arn || got.LambdaConfig.PreTokenVersion() != "V2_0" {
		t.Errorf("triggers %+v", got.LambdaConfig)
	}
	_, page = e.get(t, b, path)
	if strings.Contains(page, secret) || !strings.Contains(page, hook) || !strings.Contains(page, "set (not shown)") {
		t.Errorf("the triggers page after the change: %s", page)
	}
	// A second change keeps the secret and does not show it.
	res, body = e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}, "PreSignUp": {hook}, "PostConfirmation": {hook + "/post"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=saved" {
		t.Errorf("second change: %d: %s", res.StatusCode, body)
	}
	if again, _ := e.Admin.TriggerSecret(ctx, p.ID); again != secret {
		t.Error("a second change replaced the secret")
	}
	if got, _ := e.Admin.DescribeUserPool(ctx, p.ID); got.LambdaConfig.Target(pool.TriggerPreTokenGeneration) != "" || got.LambdaConfig.PostConfirmation != hook+"/post" {
		t.Errorf("after the second change (pre token generation left empty): %+v", got.LambdaConfig)
	}

	n = len(e.allAudit(t))
	res, body = e.post(t, b, path+"/rotate-secret", e.ConsoleURL, url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("rotate: %d: %s", res.StatusCode, body)
	}
	rotated, err := e.Admin.TriggerSecret(ctx, p.ID)
	if err != nil || rotated == secret || between(body, `id="trigger-secret">`, "<") != rotated {
		t.Errorf("after the rotation the answer shows %q, the secret is %q (%v)", between(body, `id="trigger-secret">`, "<"), rotated, err)
	}
	if got := actions(e.lastRecords(t, n, op.Sub, secret, rotated)); strings.Join(got, " ") != "RotateTriggerSecret" {
		t.Errorf("rotate records %q", got)
	}

	viewer := e.signedIn(t, "viewer")
	res, page = e.get(t, viewer, path)
	if res.StatusCode != http.StatusOK || strings.Contains(page, `id="save-triggers"`) || strings.Contains(page, `id="rotate-secret"`) || strings.Contains(page, rotated) {
		t.Errorf("read-only triggers page: %d", res.StatusCode)
	}
	e.Log.NoSecrets(t, secret, rotated)
}

// TestGroupsFromTheConsole: an administrator creates a group, sees its
// members page by page with links to their pages, edits it and deletes
// it, each with one audit record by the console operator; refusals
// answer Cognito's error; the system pool's console groups are never
// deleted, and the console keeps working.
func TestGroupsFromTheConsole(t *testing.T) {
	e := newEnv(t)
	p, ann := e.customer(t, "ann", "ann@example.com")
	op := e.operator(t, "root", false)
	e.operator(t, "viewer", true)
	b := e.signedIn(t, "root")
	ctx := context.Background()
	base := "/console/pools/" + p.ID + "/groups"

	res, page := e.get(t, b, base)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="create-group"`) {
		t.Fatalf("groups page: %d: %s", res.StatusCode, page)
	}
	token := csrf(t, page)

	n := len(e.allAudit(t))
	res, body := e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "name": {"staff"}, "description": {"Our staff"}, "precedence": {"3"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/staff?done=created" {
		t.Fatalf("create: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "CreateGroup" {
		t.Errorf("create records %q", got)
	}
	g, err := e.Admin.GetGroup(ctx, p.ID, "staff")
	if err != nil || g.Description != "Our staff" || g.Precedence == nil || *g.Precedence != 3 {
		t.Fatalf("group %+v, %v", g, err)
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"staff"}}, "GroupExistsException"},
		{url.Values{"name": {"two words"}}, "InvalidParameterException"},
		{url.Values{"name": {"negative"}, "precedence": {"-1"}}, "InvalidParameterException"},
	} {
		n = len(e.allAudit(t))
		c.form.Set("csrf", token)
		if res, body := e.post(t, b, base, e.ConsoleURL, c.form); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, c.want) {
			t.Errorf("create %v: %d: %s", c.form, res.StatusCode, body)
		}
		if recs := e.allAudit(t); len(recs) != n+1 || recs[0].Result == "ok" {
			t.Errorf("refused create wrote %v", actions(recs[:len(recs)-n]))
		}
	}
	if gs, _, _ := e.Admin.ListGroups(ctx, p.ID, 60, ""); len(gs) != 1 {
		t.Errorf("%d groups after the refusals, want 1", len(gs))
	}

	if _, err := e.Admin.AdminAddUserToGroup(ctx, p.ID, "staff", ann.Username); err != nil {
		t.Fatal(err)
	}
	_, page = e.get(t, b, base+"/staff")
	if !strings.Contains(page, `href="/console/pools/`+p.ID+`/users/`+ann.Sub+`"`) || strings.Contains(page, `rel="next"`) {
		t.Errorf("the group page does not link to ann's page: %s", page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the group page shows the message key %q", k)
	}

	n = len(e.allAudit(t))
	res, body = e.post(t, b, base+"/staff/update", e.ConsoleURL, url.Values{"csrf": {token}, "description": {"All staff"}, "precedence": {""}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/staff?done=updated" {
		t.Fatalf("update: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "UpdateGroup" {
		t.Errorf("update records %q", got)
	}
	if g, _ := e.Admin.GetGroup(ctx, p.ID, "staff"); g.Description != "All staff" || g.Precedence != nil {
		t.Errorf("updated group %+v", g)
	}
	if res, body := e.post(t, b, base+"/staff/update", e.ConsoleURL, url.Values{"csrf": {token}, "description": {"x"}, "precedence": {"many"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") {
		t.Errorf("a precedence that is no number: %d: %s", res.StatusCode, body)
	}
	if g, _ := e.Admin.GetGroup(ctx, p.ID, "staff"); g.Description != "All staff" {
		t.Errorf("the refused update changed the group: %+v", g)
	}

	viewer := e.signedIn(t, "viewer")
	for _, path := range []string{base, base + "/staff"} {
		res, page := e.get(t, viewer, path)
		if res.StatusCode != http.StatusOK || strings.Contains(page, `id="create-group"`) || strings.Contains(page, `id="update-group"`) || strings.Contains(page, `id="delete-group"`) {
			t.Errorf("read-only GET %s: %d", path, res.StatusCode)
		}
	}

	// The system pool's console groups stay.
	sys := "/console/pools/" + console.SystemPoolID + "/groups/"
	for _, name := range []string{console.GroupAdmin, console.GroupReadOnly} {
		if _, page := e.get(t, b, sys+name); strings.Contains(page, `id="delete-group"`) || !strings.Contains(page, `id="console-group-note"`) {
			t.Errorf("the %s group's page offers to delete it", name)
		}
		n = len(e.allAudit(t))
		res, body := e.post(t, b, sys+name+"/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {name}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "cannot be deleted from the console") {
			t.Errorf("delete %s: %d: %s", name, res.StatusCode, body)
		}
		if recs := e.allAudit(t); len(recs) != n {
			t.Errorf("refused delete of %s wrote %v", name, actions(recs[:len(recs)-n]))
		}
		if _, err := e.Admin.GetGroup(ctx, console.SystemPoolID, name); err != nil {
			t.Errorf("group %s: %v", name, err)
		}
	}
	if res, _ := e.get(t, b, "/console/pools"); res.StatusCode != http.StatusOK {
		t.Errorf("the console after the refused deletes: %d", res.StatusCode)
	}

	n = len(e.allAudit(t))
	if res, _ := e.post(t, b, base+"/staff/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Staff"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("delete with a wrong name: %d", res.StatusCode)
	}
	if recs := e.allAudit(t); len(recs) != n {
		t.Errorf("a refused delete wrote %v", actions(recs[:len(recs)-n]))
	}
	res, body = e.post(t, b, base+"/staff/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"staff"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"?done=deleted" {
		t.Fatalf("delete: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "DeleteGroup" {
		t.Errorf("delete records %q", got)
	}
	if _, err := e.DB.GetUser(ctx, p.ID, ann.Sub); err != nil {
		t.Errorf("ann after the group's deletion: %v", err)
	}
	if res, _ := e.get(t, b, base+"/staff"); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted group's page: %d", res.StatusCode)
	}

	// Members, page by page (50 a page).
	if _, err := e.Admin.CreateGroup(ctx, pool.Group{PoolID: p.ID, Name: "crew"}); err != nil {
		t.Fatal(err)
	}
	members := []string{ann.Username}
	if _, err := e.Admin.AdminAddUserToGroup(ctx, p.ID, "crew", ann.Username); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		u := e.addUser(t, p, fmt.Sprintf("user%02d", i), fmt.Sprintf("user%02d@example.com", i))
		if _, err := e.Admin.AdminAddUserToGroup(ctx, p.ID, "crew", u.Username); err != nil {
			t.Fatal(err)
		}
		members = append(members, u.Username)
	}
	_, page = e.get(t, b, base+"/crew")
	if strings.Count(page, `href="/console/pools/`+p.ID+`/users/`) != 50 || !strings.Contains(page, `rel="next"`) {
		t.Errorf("first page of members: %d user links", strings.Count(page, `href="/console/pools/`+p.ID+`/users/`))
	}
	next := between(page, `<a href="?`, `"`)
	_, page2 := e.get(t, b, base+"/crew?"+strings.ReplaceAll(next, "&amp;", "&"))
	if n := strings.Count(page2, `href="/console/pools/`+p.ID+`/users/`); n != 1 || strings.Contains(page2, `rel="next"`) {
		t.Errorf("second page of members: %d user links", n)
	}
	all := page + page2
	for _, name := range members {
		if !strings.Contains(all, ">"+name+"</a>") {
			t.Errorf("member %s is not listed", name)
		}
	}
	if !strings.Contains(all, `href="/console/pools/`+p.ID+`/users/`+ann.Sub+`"`) {
		t.Error("no link to ann's page")
	}

	// A name with a slash is one path segment.
	res, body = e.post(t, b, base, e.ConsoleURL, url.Values{"csrf": {token}, "name": {"ops/eu"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/ops%2Feu?done=created" {
		t.Fatalf("create ops/eu: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if res, page := e.get(t, b, base+"/ops%2Feu"); res.StatusCode != http.StatusOK || !strings.Contains(page, `id="group-name-value">ops/eu<`) {
		t.Errorf("the page of ops/eu: %d", res.StatusCode)
	}
	if res, _ := e.post(t, b, base+"/ops%2Feu/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"ops/eu"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete ops/eu: %d", res.StatusCode)
	}
}
