package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDomainsCreateAndDelete: prefix and custom domains are created with
// CreateUserPoolDomain (one audit record each) and the page says what the
// operator must do next; a bad or taken name shows Cognito's error; a
// domain is deleted once its name is typed (DeleteUserPoolDomain, one
// record), a wrong name deletes nothing.
func TestDomainsCreateAndDelete(t *testing.T) {
	e := newEnv(t)
	op := e.operator(t, "root", false)
	b := e.signedIn(t, "root")
	p, _ := e.customer(t, "ann", "ann@example.com")
	ctx := context.Background()
	path := "/console/pools/" + p.ID + "/domains"
	res, page := e.get(t, b, path)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="no-domains"`) || !strings.Contains(page, `id="create-domain"`) {
		t.Fatalf("domains page: %d: %s", res.StatusCode, page)
	}
	if _, pp := e.get(t, b, "/console/pools/"+p.ID); !strings.Contains(pp, `href="`+path+`"`) {
		t.Error("the pool page does not link the domains page")
	}
	token := csrf(t, page)

	n := len(e.allAudit(t))
	res, body := e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}, "kind": {"prefix"}, "domain": {"lamps"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?domain=lamps&done=created" {
		t.Fatalf("create prefix: %d to %q: %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	recs := e.lastRecords(t, n, op.Sub)
	if len(recs) != 1 || recs[0].Action != "CreateUserPoolDomain" || recs[0].Target != "lamps" {
		t.Errorf("create records %v", actions(recs))
	}
	// The server has no --auth-domain: the page says so.
	_, page = e.get(t, b, path+"?domain=lamps&done=created")
	if !strings.Contains(page, `id="created"`) || !strings.Contains(page, `id="step-auth-domain"`) || !strings.Contains(page, `data-domain="lamps"`) {
		t.Errorf("page after creating a prefix: %s", page)
	}
	if k := messageKey.FindString(page); k != "" {
		t.Errorf("the domains page shows the message key %q", k)
	}

	n = len(e.allAudit(t))
	res, body = e.post(t, b, path, e.ConsoleURL, url.Values{"csrf": {token}, "kind": {"custom"}, "domain": {"login.lamps.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create custom: %d: %s", res.StatusCode, body)
	}
	_, page = e.get(t, b, res.Header.Get("Location"))
	if !strings.Contains(page, `id="step-dns"`) || !strings.Contains(page, "Point login.lamps.example at this server") ||
		!strings.Contains(page, "curl https://login.lamps.example/healthz") {
		t.Errorf("page after creating a custom domain: %s", page)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "CreateUserPoolDomain" {
		t.Errorf("custom create records %v", got)
	}
	d, err := e.Admin.DescribeUserPoolDomain(ctx, "login.lamps.example")
	if err != nil || !d.Custom || d.PoolID != p.ID {
		t.Errorf("custom domain %+v, %v", d, err)
	}

	for name, f := range map[string]url.Values{
		"bad prefix": {"csrf": {token}, "kind": {"prefix"}, "domain": {"my-aws-login"}},
		"taken":      {"csrf": {token}, "kind": {"prefix"}, "domain": {"lamps"}},
		"bad host":   {"csrf": {token}, "kind": {"custom"}, "domain": {"Not A Host"}},
	} {
		n = len(e.allAudit(t))
		res, body := e.post(t, b, path, e.ConsoleURL, f)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "InvalidParameterException") || !strings.Contains(body, `id="domain-error"`) {
			t.Errorf("%s: %d: %s", name, res.StatusCode, body)
		}
		for _, r := range e.allAudit(t)[:len(e.allAudit(t))-n] {
			if r.Result == "ok" {
				t.Errorf("%s recorded a change", name)
			}
		}
	}
	if ds, _ := e.Admin.ListUserPoolDomains(ctx, p.ID); len(ds) != 2 {
		t.Errorf("%d domains after the refusals, want 2", len(ds))
	}

	del := path + "/lamps/delete"
	n = len(e.allAudit(t))
	if res, body := e.post(t, b, del, e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"Lamps"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "does not match") {
		t.Errorf("delete with a wrong name: %d: %s", res.StatusCode, body)
	}
	if got := e.allAudit(t); len(got) != n {
		t.Errorf("a refused delete wrote %v", actions(got[:len(got)-n]))
	}
	// A domain of another pool is not this pool's to delete.
	other := e.Pool(t, "us-east-1", "Other")
	if res, _ := e.post(t, b, "/console/pools/"+other.ID+"/domains/lamps/delete", e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"lamps"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("delete through another pool: %d, want 404", res.StatusCode)
	}
	n = len(e.allAudit(t))
	res, body = e.post(t, b, del, e.ConsoleURL, url.Values{"csrf": {token}, "confirm": {"lamps"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?domain=lamps&done=deleted" {
		t.Fatalf("delete: %d: %s", res.StatusCode, body)
	}
	if got := actions(e.lastRecords(t, n, op.Sub)); strings.Join(got, " ") != "DeleteUserPoolDomain" {
		t.Errorf("delete records %v", got)
	}
	if _, err := e.Admin.DescribeUserPoolDomain(ctx, "lamps"); err == nil {
		t.Error("the domain is still there")
	}
	if _, page := e.get(t, b, path+"?domain=lamps&done=deleted"); !strings.Contains(page, `id="deleted"`) || strings.Contains(page, `data-domain="lamps"`) {
		t.Errorf("page after the delete: %s", page)
	}
}
