package layers_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/linkpool/linkpool/"

// deps returns every package of the module with the module's packages it
// depends on, directly or not, without the module prefix.
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Deps ","}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	all := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, ":")
		var own []string
		for _, d := range strings.Split(list, ",") {
			if strings.HasPrefix(d, module) {
				own = append(own, strings.TrimPrefix(d, module))
			}
		}
		all[strings.TrimPrefix(pkg, module)] = own
	}
	return all
}

// TestLayers checks the rules of docs/architecture.md ("Layers"): the
// domain model, the message catalogs and tracing depend on nothing of the
// module, the storage contracts only on the domain (and tracing, for the
// spans of their statements), the services never on the
// HTTP edges, and the few boundaries that keep concerns apart.
func TestLayers(t *testing.T) {
	all := deps(t)
	services := []string{"internal/token", "internal/mail", "internal/account", "internal/oauth", "internal/admin", "internal/accesskey", "internal/federation", "internal/passkey"}
	edges := []string{"internal/hostedui", "internal/cognitoapi", "internal/smarthome", "internal/server", "internal/app", "internal/cli", "internal/console"}
	type rule struct {
		pkg string
		// only, when set, lists every module package pkg may depend on;
		// never lists packages it must not depend on.
		only, never []string
	}
	rules := []rule{
		{pkg: "internal/pool", only: []string{}},
		{pkg: "internal/locales", only: []string{}},
		{pkg: "internal/tracing", only: []string{}},
		{pkg: "internal/store", only: []string{"internal/pool", "internal/tracing"}},
		{pkg: "internal/smarthome/skillstore", only: []string{"internal/pool", "internal/store", "internal/tracing"}},
		{pkg: "internal/store/sqlite", only: []string{"internal/pool", "internal/store", "internal/smarthome/skillstore", "internal/tracing"}},
		{pkg: "internal/store/postgres", only: []string{"internal/pool", "internal/store", "internal/smarthome/skillstore", "internal/tracing"}},
		{pkg: "internal/confcache", only: []string{"internal/pool", "internal/store", "internal/tracing"}},
		{pkg: "internal/mail", never: []string{"internal/hostedui"}},
		{pkg: "internal/transfer", never: []string{"internal/smarthome"}},
		{pkg: "internal/cognitoapi", never: []string{"internal/hostedui", "internal/smarthome"}},
		// The console is an adapter over the services like the others: it
		// signs in through the public listener over HTTP, not through the
		// hosted pages' code, and knows no backend.
		{pkg: "internal/console", never: []string{"internal/hostedui", "internal/cognitoapi", "internal/smarthome", "internal/server",
			"internal/app", "internal/cli", "internal/oauth", "internal/store/sqlite", "internal/store/postgres"}},
	}
	for _, s := range services {
		rules = append(rules, rule{pkg: s, never: edges})
	}
	// internal/apptest is test support: only tests and the packages under
	// test/ may use it.
	for pkg := range all {
		if pkg != "internal/apptest" && !strings.HasPrefix(pkg, "test/") {
			rules = append(rules, rule{pkg: pkg, never: []string{"internal/apptest"}})
		}
	}
	// internal/federation/fedtest (identity-provider stand-ins) is test
	// support as well, and the protocol packages of federation stay off
	// the HTTP edges.
	for pkg := range all {
		if pkg != "internal/federation/fedtest" && !strings.HasPrefix(pkg, "test/") {
			rules = append(rules, rule{pkg: pkg, never: []string{"internal/federation/fedtest"}})
		}
	}
	rules = append(rules, rule{pkg: "internal/federation/oidcflow", only: []string{"internal/pool", "internal/federation/upstream"}})
	for _, r := range rules {
		got, ok := all[r.pkg]
		if !ok {
			t.Errorf("%s: no such package", r.pkg)
			continue
		}
		for _, d := range got {
			if r.only != nil && !slices.Contains(r.only, d) {
				t.Errorf("%s depends on %s; it may depend only on %v", r.pkg, d, r.only)
			}
			if slices.Contains(r.never, d) {
				t.Errorf("%s depends on %s, which it must not", r.pkg, d)
			}
		}
	}
}
