package admin_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

const oidcSecret = "s3cret-of-the-upstream-client"

// oidcProvider is an OIDC provider named name with a client secret.
func oidcProvider(poolID, name string, ids ...string) pool.IdentityProvider {
	return pool.IdentityProvider{PoolID: poolID, ProviderName: name, ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{
			pool.DetailClientID: "linkpool", pool.DetailClientSecret: oidcSecret,
			pool.DetailAuthorizeScopes: "openid email", pool.DetailOIDCIssuer: "https://idp.example.com",
			pool.DetailAttributesRequestMethod: "GET",
		},
		IdpIdentifiers: ids,
	}
}

func (e *env) provider(p pool.IdentityProvider) pool.IdentityProvider {
	e.t.Helper()
	got, err := e.svc.CreateIdentityProvider(e.ctx, p)
	if err != nil {
		e.t.Fatalf("CreateIdentityProvider: %v", err)
	}
	return got
}

func TestCreateIdentityProvider(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	got := e.provider(oidcProvider(p.ID, "Corp", "corp.example.com"))
	if got.ProviderDetails[pool.DetailClientSecret] != oidcSecret {
		t.Fatalf("created provider's details %v lack the secret", got.ProviderDetails)
	}
	if !maps.Equal(got.AttributeMapping, map[string]string{"username": "sub"}) {
		t.Fatalf("default mapping %v", got.AttributeMapping)
	}
	if got.CreatedAt.IsZero() || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Fatalf("dates %v %v", got.CreatedAt, got.UpdatedAt)
	}

	// At rest: no secret among the details, and the sealed value does
	// not contain it.
	raw, err := e.st.GetIdentityProvider(e.ctx, p.ID, "Corp")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.ProviderDetails[pool.DetailClientSecret]; ok || len(raw.SealedSecrets) == 0 {
		t.Fatalf("stored details %v, sealed %d bytes", raw.ProviderDetails, len(raw.SealedSecrets))
	}
	if bytes.Contains(raw.SealedSecrets, []byte(oidcSecret)) {
		t.Fatal("sealed secrets contain the secret in clear")
	}
	d, err := admin.OpenProviderDetails(e.box, raw)
	if err != nil || d[pool.DetailClientSecret] != oidcSecret || d[pool.DetailClientID] != "linkpool" {
		t.Fatalf("OpenProviderDetails: %v, %v", d, err)
	}
	// Sealed secrets moved to another provider's row do not open.
	moved := raw
	moved.ProviderName = "Other"
	if _, err := admin.OpenProviderDetails(e.box, moved); err == nil {
		t.Fatal("secrets sealed for Corp opened as Other's")
	}

	desc, err := e.svc.DescribeIdentityProvider(e.ctx, p.ID, "Corp")
	if err != nil || !maps.Equal(desc.ProviderDetails, got.ProviderDetails) {
		t.Fatalf("Describe: %v, %v; want %v", desc.ProviderDetails, err, got.ProviderDetails)
	}
	byID, err := e.svc.GetIdentityProviderByIdentifier(e.ctx, p.ID, "corp.example.com")
	if err != nil || byID.ProviderName != "Corp" || byID.ProviderDetails[pool.DetailClientSecret] != oidcSecret {
		t.Fatalf("by identifier: %+v, %v", byID, err)
	}
	_, err = e.svc.GetIdentityProviderByIdentifier(e.ctx, p.ID, "nobody.example.com")
	wantErr(t, err, account.ResourceNotFoundException, "")

	// A social provider without a secret-free type: Google needs its secret.
	g := pool.IdentityProvider{PoolID: p.ID, ProviderName: "Google", ProviderType: pool.ProviderGoogle,
		ProviderDetails:  map[string]string{pool.DetailClientID: "g", pool.DetailClientSecret: "gs", pool.DetailAuthorizeScopes: "openid email"},
		AttributeMapping: map[string]string{"email": "email", "username": "sub"}}
	if got := e.provider(g); got.AttributeMapping["email"] != "email" {
		t.Fatalf("mapping %v", got.AttributeMapping)
	}
}

func TestCreateIdentityProviderRefused(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	e.provider(oidcProvider(p.ID, "Corp", "corp.example.com"))

	_, err := e.svc.CreateIdentityProvider(e.ctx, oidcProvider(p.ID, "Corp"))
	ae := wantErr(t, err, account.DuplicateProviderException, "")
	if ae.Message != "A provider with the name Corp already exists in this user pool." {
		t.Fatalf("message %q", ae.Message)
	}
	_, err = e.svc.CreateIdentityProvider(e.ctx, oidcProvider(p.ID, "Corp2", "corp.example.com"))
	wantErr(t, err, account.InvalidParameterException, "IdpIdentifiers")

	_, err = e.svc.CreateIdentityProvider(e.ctx, oidcProvider("us-east-1_nope", "Corp"))
	wantNotFound(t, err, "User pool us-east-1_nope does not exist.", admin.KindPool, "us-east-1_nope")

	bad := []func(*pool.IdentityProvider){
		func(p *pool.IdentityProvider) { delete(p.ProviderDetails, pool.DetailOIDCIssuer) },
		func(p *pool.IdentityProvider) { p.ProviderDetails[pool.DetailOIDCIssuer] = "ftp://idp.example.com" },
		func(p *pool.IdentityProvider) { p.ProviderType = "Twitter" },
		func(p *pool.IdentityProvider) { p.ProviderType = pool.ProviderGoogle },
		func(p *pool.IdentityProvider) { p.ProviderName = "_Corp" },
		func(p *pool.IdentityProvider) { p.AttributeMapping = map[string]string{"sub": "sub"} },
	}
	for _, edit := range bad {
		q := oidcProvider(p.ID, "Bad")
		edit(&q)
		_, err := e.svc.CreateIdentityProvider(e.ctx, q)
		wantErr(t, err, account.InvalidParameterException, "")
	}
	list, _, err := e.svc.ListIdentityProviders(e.ctx, p.ID, 0, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("after refused creates: %d providers, %v", len(list), err)
	}
}

func appleKeyPEM(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestSignInWithAppleKey(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	apple := func(key string) pool.IdentityProvider {
		return pool.IdentityProvider{PoolID: p.ID, ProviderName: pool.ProviderSignInWithApple, ProviderType: pool.ProviderSignInWithApple,
			ProviderDetails: map[string]string{pool.DetailClientID: "com.example.lamp", pool.DetailTeamID: "TEAM123456",
				pool.DetailKeyID: "KEY1234567", pool.DetailPrivateKey: key, pool.DetailAuthorizeScopes: "email name"}}
	}
	for _, key := range []string{"not a key", appleKeyPEM(t, ec384), appleKeyPEM(t, rk),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2}}))} {
		_, err := e.svc.CreateIdentityProvider(e.ctx, apple(key))
		wantErr(t, err, account.InvalidParameterException, "ProviderDetails")
	}
	good := appleKeyPEM(t, ec)
	e.provider(apple(good))
	raw, err := e.st.GetIdentityProvider(e.ctx, p.ID, pool.ProviderSignInWithApple)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.ProviderDetails[pool.DetailPrivateKey]; ok || bytes.Contains(raw.SealedSecrets, []byte("PRIVATE KEY")) {
		t.Fatal("private_key stored in clear")
	}
	d, err := e.svc.DescribeIdentityProvider(e.ctx, p.ID, pool.ProviderSignInWithApple)
	if err != nil || d.ProviderDetails[pool.DetailPrivateKey] != good {
		t.Fatalf("Describe: %v", err)
	}
}

func TestUpdateIdentityProvider(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	e.provider(oidcProvider(p.ID, "Corp", "corp.example.com"))
	e.provider(oidcProvider(p.ID, "Other", "other.example.com"))
	created := mustDescribe(t, e, p.ID, "Corp")

	// Details replaced without the secret, endpoints unchanged: the
	// sealed secret stays.
	got, err := e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) {
		q.ProviderDetails = map[string]string{pool.DetailClientID: "linkpool2", pool.DetailAuthorizeScopes: "openid",
			pool.DetailOIDCIssuer: "https://idp.example.com"}
		q.AttributeMapping = map[string]string{"username": "sub", "email": "mail"}
		q.IdpIdentifiers = []string{"corp.example.org"}
		q.ProviderType = pool.ProviderSAML // cannot change
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{pool.DetailClientID: "linkpool2", pool.DetailAuthorizeScopes: "openid",
		pool.DetailOIDCIssuer: "https://idp.example.com", pool.DetailClientSecret: oidcSecret}
	if !maps.Equal(got.ProviderDetails, want) || got.ProviderType != pool.ProviderOIDC || got.AttributeMapping["email"] != "mail" {
		t.Fatalf("updated %+v", got)
	}
	if !got.CreatedAt.Equal(created.CreatedAt) || got.UpdatedAt.Before(created.UpdatedAt) {
		t.Fatalf("dates %v %v", got.CreatedAt, got.UpdatedAt)
	}
	d, err := e.svc.DescribeIdentityProvider(e.ctx, p.ID, "Corp")
	if err != nil || !maps.Equal(d.ProviderDetails, want) || !slices.Equal(d.IdpIdentifiers, []string{"corp.example.org"}) {
		t.Fatalf("Describe after update: %+v, %v", d, err)
	}
	if _, err := e.svc.GetIdentityProviderByIdentifier(e.ctx, p.ID, "corp.example.com"); err == nil {
		t.Fatal("old identifier still finds the provider")
	}

	// A new secret replaces the old; "" removes an optional one.
	got, err = e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) {
		q.ProviderDetails[pool.DetailClientSecret] = "new-secret"
	})
	if err != nil || got.ProviderDetails[pool.DetailClientSecret] != "new-secret" {
		t.Fatalf("new secret: %v, %v", got.ProviderDetails, err)
	}
	got, err = e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) {
		q.ProviderDetails[pool.DetailClientSecret] = ""
	})
	if _, ok := got.ProviderDetails[pool.DetailClientSecret]; err != nil || ok {
		t.Fatalf("removed secret: %v, %v", got.ProviderDetails, err)
	}

	// Refused edits change nothing.
	before := snapshot(t, mustDescribe(t, e, p.ID, "Corp"))
	_, err = e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) { q.IdpIdentifiers = []string{"other.example.com"} })
	wantErr(t, err, account.InvalidParameterException, "IdpIdentifiers")
	_, err = e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) { q.ProviderDetails[pool.DetailOIDCIssuer] = "nope" })
	wantErr(t, err, account.InvalidParameterException, "ProviderDetails")
	if after := snapshot(t, mustDescribe(t, e, p.ID, "Corp")); after != before {
		t.Fatalf("refused update changed the provider:\n%s\n%s", before, after)
	}
	_, err = e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Nobody", func(*pool.IdentityProvider) {})
	wantNotFound(t, err, "Identity provider Nobody does not exist.", admin.KindProvider, "Nobody")
}

// TestUpdateIdentityProviderEndpointNeedsSecret: an update that points
// the provider at another endpoint (issuer, authorize, token, attributes
// or JWKS URL) must give the client secret again, or the stored secret
// would be sent to the new endpoint; refused, it changes nothing.
func TestUpdateIdentityProviderEndpointNeedsSecret(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	e.provider(oidcProvider(p.ID, "Corp"))
	before := snapshot(t, mustDescribe(t, e, p.ID, "Corp"))
	for _, k := range []string{pool.DetailOIDCIssuer, pool.DetailAuthorizeURL, pool.DetailTokenURL, pool.DetailAttributesURL, pool.DetailJWKSURI} {
		_, err := e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) {
			delete(q.ProviderDetails, pool.DetailClientSecret) // as the API and the CLI send an edit without it
			q.ProviderDetails[k] = "https://evil.example.net/" + k
		})
		ae := wantErr(t, err, account.InvalidParameterException, "ProviderDetails")
		if !strings.Contains(ae.Message, pool.DetailClientSecret) || !strings.Contains(ae.Message, k) {
			t.Fatalf("%s: message %q names neither the secret nor the detail", k, ae.Message)
		}
	}
	if after := snapshot(t, mustDescribe(t, e, p.ID, "Corp")); after != before {
		t.Fatalf("refused update changed the provider:\n%s\n%s", before, after)
	}
	got, err := e.svc.UpdateIdentityProvider(e.ctx, p.ID, "Corp", func(q *pool.IdentityProvider) {
		q.ProviderDetails[pool.DetailOIDCIssuer] = "https://idp2.example.com"
		q.ProviderDetails[pool.DetailClientSecret] = "secret-of-idp2"
	})
	if err != nil || got.ProviderDetails[pool.DetailClientSecret] != "secret-of-idp2" {
		t.Fatalf("new issuer with its secret: %v, %v", got.ProviderDetails, err)
	}
}

func mustDescribe(t *testing.T, e *env, poolID, name string) pool.IdentityProvider {
	t.Helper()
	d, err := e.svc.DescribeIdentityProvider(e.ctx, poolID, name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestListIdentityProviders(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	for _, n := range []string{"Zeta", "Alpha", "Mid"} {
		e.provider(oidcProvider(p.ID, n))
	}
	var names []string
	next := ""
	for {
		page, tok, err := e.svc.ListIdentityProviders(e.ctx, p.ID, 2, next)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("page of %d", len(page))
		}
		for _, q := range page {
			if _, ok := q.ProviderDetails[pool.DetailClientSecret]; ok {
				t.Fatal("listing carries a secret")
			}
			names = append(names, q.ProviderName)
		}
		if tok == "" {
			break
		}
		next = tok
	}
	if !slices.Equal(names, []string{"Alpha", "Mid", "Zeta"}) {
		t.Fatalf("listed %v", names)
	}
	_, _, err := e.svc.ListIdentityProviders(e.ctx, p.ID, 61, "")
	wantErr(t, err, account.InvalidParameterException, "MaxResults")
	_, _, err = e.svc.ListIdentityProviders(e.ctx, p.ID, 1, "garbage")
	wantErr(t, err, account.InvalidParameterException, "NextToken")
}

// A client may list only providers of its pool, as in Cognito.
func TestClientSupportedIdentityProvidersMustExist(t *testing.T) {
	e := newEnv(t)
	p := e.pool("SmartLamp")
	c := pool.NewClient(p.ID, "alexa", p.CreatedAt)
	c.SupportedIdentityProviders = []string{pool.ProviderCognito, "Corp"}
	_, _, err := e.svc.CreateUserPoolClient(e.ctx, c, false)
	ae := wantErr(t, err, account.InvalidParameterException, "SupportedIdentityProviders")
	if want := "The provider Corp does not exist for User Pool " + p.ID + "."; ae.Message != want {
		t.Fatalf("message %q, want %q", ae.Message, want)
	}
	if cs, _, _ := e.svc.ListUserPoolClients(e.ctx, p.ID, 0, ""); len(cs) != 0 {
		t.Fatalf("refused client stored: %d clients", len(cs))
	}

	existing, _ := e.client(p, "web", false)
	_, err = e.svc.UpdateUserPoolClient(e.ctx, p.ID, existing.ID, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{"Corp"}
	})
	wantErr(t, err, account.InvalidParameterException, "SupportedIdentityProviders")

	e.provider(oidcProvider(p.ID, "Corp"))
	made, _, err := e.svc.CreateUserPoolClient(e.ctx, c, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateUserPoolClient(e.ctx, p.ID, existing.ID, func(c *pool.Client) {
		c.SupportedIdentityProviders = []string{"Corp"}
	}); err != nil {
		t.Fatal(err)
	}

	// Deleting a provider that clients list is refused, naming them.
	err = e.svc.DeleteIdentityProvider(e.ctx, p.ID, "Corp")
	ae = wantErr(t, err, account.InvalidParameterException, "ProviderName")
	if !bytes.Contains([]byte(ae.Message), []byte(made.ID)) || !bytes.Contains([]byte(ae.Message), []byte(existing.ID)) {
		t.Fatalf("message %q does not name both clients", ae.Message)
	}
	mustDescribe(t, e, p.ID, "Corp")
	for _, id := range []string{made.ID, existing.ID} {
		if _, err := e.svc.UpdateUserPoolClient(e.ctx, p.ID, id, func(c *pool.Client) {
			c.SupportedIdentityProviders = []string{pool.ProviderCognito}
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.DeleteIdentityProvider(e.ctx, p.ID, "Corp"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DescribeIdentityProvider(e.ctx, p.ID, "Corp")
	wantNotFound(t, err, "Identity provider Corp does not exist.", admin.KindProvider, "Corp")
	err = e.svc.DeleteIdentityProvider(e.ctx, p.ID, "Corp")
	wantNotFound(t, err, "Identity provider Corp does not exist.", admin.KindProvider, "Corp")
}
