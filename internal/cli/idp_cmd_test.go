package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestIdpLifecycle(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("upstream-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	idp := okJSON[pool.IdentityProvider](h, "idp", "create", "--pool", p.ID, "--name", "Corp", "--type", "OIDC",
		"--detail", "client_id=linkpool", "--detail", "authorize_scopes=openid email", "--detail", "oidc_issuer=https://idp.example.com",
		"--detail-file", "client_secret="+secretFile, "--map", "email=email", "--identifier", "corp.example.com")
	if idp.ProviderName != "Corp" || idp.ProviderType != "OIDC" || idp.ProviderDetails["client_secret"] != "********" ||
		idp.ProviderDetails["authorize_scopes"] != "openid email" || idp.AttributeMapping["email"] != "email" ||
		strings.Join(idp.IdpIdentifiers, ",") != "corp.example.com" {
		t.Fatalf("created %+v", idp)
	}
	if strings.Contains(h.ok("idp", "show", "--pool", p.ID, "--name", "Corp"), "upstream-secret") {
		t.Fatal("idp show prints the secret without --show-secrets")
	}
	if show := okJSON[pool.IdentityProvider](h, "idp", "show", "--pool", p.ID, "--name", "Corp", "--show-secrets"); show.ProviderDetails["client_secret"] != "upstream-secret" {
		t.Fatalf("--show-secrets: %v", show.ProviderDetails)
	}

	// Update merges details; the secret stays.
	h.ok("idp", "update", "--pool", p.ID, "--name", "Corp", "--detail", "authorize_scopes=openid", "--map", "name=name", "--clear-identifiers")
	upd := okJSON[pool.IdentityProvider](h, "idp", "show", "--pool", p.ID, "--name", "Corp", "--show-secrets")
	if upd.ProviderDetails["authorize_scopes"] != "openid" || upd.ProviderDetails["client_id"] != "linkpool" ||
		upd.ProviderDetails["client_secret"] != "upstream-secret" || upd.AttributeMapping["name"] != "name" ||
		upd.AttributeMapping["email"] != "email" || len(upd.IdpIdentifiers) != 0 {
		t.Fatalf("updated %+v", upd)
	}

	// Sign in with Apple, its key from a .p8 file.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	p8 := filepath.Join(t.TempDir(), "AuthKey.p8")
	if err := os.WriteFile(p8, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("idp", "create", "--pool", p.ID, "--name", "SignInWithApple", "--type", "SignInWithApple",
		"--detail", "client_id=com.example.lamp", "--detail", "team_id=TEAM123456", "--detail", "key_id=KEY1234567",
		"--detail", "authorize_scopes=email name", "--detail-file", "private_key="+p8)
	if show := h.ok("idp", "show", "--pool", p.ID, "--name", "SignInWithApple"); strings.Contains(show, "PRIVATE KEY") {
		t.Fatalf("show prints the private key:\n%s", show)
	}

	list := h.ok("idp", "list", "--pool", p.ID)
	if !strings.Contains(list, "Corp") || !strings.Contains(list, "SignInWithApple") {
		t.Fatalf("idp list:\n%s", list)
	}
	if ps := okJSON[[]pool.IdentityProvider](h, "idp", "list", "--pool", p.ID); len(ps) != 2 || ps[0].ProviderDetails["client_secret"] == "upstream-secret" {
		t.Fatalf("idp list --json: %+v", ps)
	}

	// Clients name providers of the pool only.
	h.fails(1, "The provider Nope does not exist for User Pool "+p.ID, "client", "create", "--pool", p.ID, "--name", "x", "--identity-providers", "COGNITO,Nope")
	c := okJSON[clientJSON](h, "client", "create", "--pool", p.ID, "--name", "fed", "--identity-providers", "COGNITO,Corp")
	if strings.Join(c.SupportedIdentityProviders, ",") != "COGNITO,Corp" {
		t.Fatalf("client providers %v", c.SupportedIdentityProviders)
	}

	// Link and unlink.
	h.ok("user", "create", "--pool", p.ID, "--username", "dora", "--password", "Sup3r-Secret!", "--permanent")
	h.ok("idp", "link", "--pool", p.ID, "--username", "dora", "--provider", "Corp", "--subject", "corp-dora")
	if show := h.ok("user", "show", "--pool", p.ID, "--username", "dora"); !strings.Contains(show, "Corp corp-dora (linked)") {
		t.Fatalf("user show does not list the linked identity:\n%s", show)
	}
	h.fails(1, "AliasExistsException", "idp", "link", "--pool", p.ID, "--username", "dora", "--provider", "Corp", "--subject", "corp-dora")
	h.fails(1, "user erin does not exist", "idp", "link", "--pool", p.ID, "--username", "erin", "--provider", "Corp", "--subject", "x")
	h.fails(1, "Nope", "idp", "link", "--pool", p.ID, "--username", "dora", "--provider", "Nope", "--subject", "x")
	h.ok("idp", "unlink", "--pool", p.ID, "--provider", "Corp", "--subject", "corp-dora")
	h.fails(1, "no user has the identity Corp corp-dora", "idp", "unlink", "--pool", p.ID, "--provider", "Corp", "--subject", "corp-dora")

	// Delete: refused while a client lists it.
	h.fails(1, c.ID, "idp", "delete", "--pool", p.ID, "--name", "Corp")
	h.ok("client", "update", "--client", c.ID, "--identity-providers", "COGNITO")
	h.ok("idp", "delete", "--pool", p.ID, "--name", "Corp")
	h.fails(1, "identity provider Corp does not exist", "idp", "show", "--pool", p.ID, "--name", "Corp")
}

func TestIdpRefused(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	base := []string{"idp", "create", "--pool", p.ID, "--name", "Corp", "--type", "OIDC", "--detail", "client_id=c",
		"--detail", "authorize_scopes=openid", "--detail", "oidc_issuer=https://idp.example.com"}
	h.ok(base...)
	before := h.ok("idp", "show", "--pool", p.ID, "--name", "Corp", "--json", "--show-secrets")
	cases := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"duplicate", 1, "identity provider Corp already exists", base},
		{"no type", 2, "--type is required", []string{"idp", "create", "--pool", p.ID, "--name", "Xyz"}},
		{"bad detail flag", 2, "want key=value", []string{"idp", "create", "--pool", p.ID, "--name", "Xyz", "--type", "OIDC", "--detail", "oops"}},
		{"missing file", 1, "--detail-file client_secret", []string{"idp", "create", "--pool", p.ID, "--name", "Xyz", "--type", "OIDC", "--detail-file", "client_secret=/nonexistent/file"}},
		{"missing issuer", 1, "oidc_issuer is required", []string{"idp", "create", "--pool", p.ID, "--name", "Xyz", "--type", "OIDC", "--detail", "client_id=c", "--detail", "authorize_scopes=openid"}},
		{"google named otherwise", 1, "invalid ProviderName", []string{"idp", "create", "--pool", p.ID, "--name", "G", "--type", "Google"}},
		{"unknown pool", 1, "pool us-east-1_nope does not exist", []string{"idp", "list", "--pool", "us-east-1_nope"}},
		{"nothing to update", 2, "nothing to update", []string{"idp", "update", "--pool", p.ID, "--name", "Corp"}},
		{"update invalid", 1, "invalid ProviderDetails", []string{"idp", "update", "--pool", p.ID, "--name", "Corp", "--detail", "oidc_issuer=ftp://x"}},
		{"update unknown", 1, "identity provider Nope does not exist", []string{"idp", "update", "--pool", p.ID, "--name", "Nope", "--detail", "a=b"}},
		{"delete unknown", 1, "identity provider Nope does not exist", []string{"idp", "delete", "--pool", p.ID, "--name", "Nope"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.fails(tc.code, tc.want, tc.args...)
		})
	}
	if after := h.ok("idp", "show", "--pool", p.ID, "--name", "Corp", "--json", "--show-secrets"); after != before {
		t.Fatalf("a refused command changed the provider:\n%s\n%s", before, after)
	}
	if ps := okJSON[[]pool.IdentityProvider](h, "idp", "list", "--pool", p.ID); len(ps) != 1 {
		t.Fatalf("refused creates stored providers: %d", len(ps))
	}
}
