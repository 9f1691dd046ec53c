package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// idp stores an OIDC provider named name in the env's pool.
func (e *env) idp(t *testing.T, name string) pool.IdentityProvider {
	t.Helper()
	p := pool.IdentityProvider{PoolID: e.pool.ID, ProviderName: name, ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{pool.DetailClientID: "c", pool.DetailAuthorizeScopes: "openid",
			pool.DetailOIDCIssuer: "https://idp.example.com"},
		AttributeMapping: pool.DefaultAttributeMapping(pool.ProviderOIDC),
		CreatedAt:        e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := e.db.CreateIdentityProvider(context.Background(), p); err != nil {
		t.Fatalf("CreateIdentityProvider: %v", err)
	}
	return p
}

// federated stores the user a first sign-in through idp as subject
// creates.
func (e *env) federated(t *testing.T, idp pool.IdentityProvider, subject string) pool.User {
	t.Helper()
	name := pool.FederatedUsername(idp.ProviderName, subject)
	u := pool.User{PoolID: e.pool.ID, Sub: pool.NewSub(), Username: name, UsernameKey: e.pool.UsernameKey(name),
		Attributes: map[string]string{}, Status: pool.StatusExternalProvider, Enabled: true,
		Identities: []pool.Identity{pool.NewIdentity(idp, subject, true, e.clock.Now())},
		CreatedAt:  e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := e.db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

func cognitoUser(username string) account.ProviderUser {
	return account.ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: username}
}

func providerUser(provider, subject string) account.ProviderUser {
	return account.ProviderUser{ProviderName: provider, ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: subject}
}

func TestAdminLinkProviderForUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	corp := e.idp(t, "Corp")
	alice := e.signUp(t, "alice", "alice@example.com", goodPW)

	u, err := e.svc.AdminLinkProviderForUser(ctx, e.pool, cognitoUser("alice"), providerUser("Corp", "sub-alice"))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Identities) != 1 || u.Identities[0].UserID != "sub-alice" || u.Identities[0].ProviderName != "Corp" ||
		u.Identities[0].ProviderType != pool.ProviderOIDC || u.Identities[0].Primary != "false" || u.PasswordHash != "" {
		t.Fatalf("linked user %+v", u)
	}
	got, err := e.db.GetUserByIdentity(ctx, e.pool.ID, "Corp", "sub-alice")
	if err != nil || got.Sub != alice.Sub {
		t.Fatalf("GetUserByIdentity: %v, %v", got.Sub, err)
	}

	// Linking it again, to anyone, is refused.
	e.signUp(t, "bob", "bob@example.com", goodPW)
	for _, dest := range []string{"alice", "bob"} {
		_, err = e.svc.AdminLinkProviderForUser(ctx, e.pool, cognitoUser(dest), providerUser("Corp", "sub-alice"))
		wantErr(t, err, account.AliasExistsException)
	}
	// A provider identity that signed in already has its own user:
	// no merging, as in Cognito.
	e.federated(t, corp, "sub-carol")
	_, err = e.svc.AdminLinkProviderForUser(ctx, e.pool, cognitoUser("bob"), providerUser("Corp", "sub-carol"))
	ae := wantErr(t, err, account.InvalidParameterException)
	if ae.Message != "Merging is not currently supported, provide a SourceUser that has not been registered." {
		t.Fatalf("message %q", ae.Message)
	}

	refused := []struct {
		dest, src account.ProviderUser
		typ       string
	}{
		{cognitoUser("nobody"), providerUser("Corp", "x"), account.UserNotFoundException},
		{cognitoUser("bob"), providerUser("Nope", "x"), account.ResourceNotFoundException},
		{cognitoUser("bob"), providerUser("Cognito", "x"), account.InvalidParameterException},
		{providerUser("Corp", "bob"), providerUser("Corp", "x"), account.InvalidParameterException},
		{cognitoUser("bob"), account.ProviderUser{ProviderName: "Corp", ProviderAttributeName: "email", ProviderAttributeValue: "x"}, account.InvalidParameterException},
		{cognitoUser("bob"), providerUser("Corp", ""), account.InvalidParameterException},
		// No sign-in can bring a subject longer than pool.MaxSubjectLen
		// or with control characters, so none can be linked.
		{cognitoUser("bob"), providerUser("Corp", strings.Repeat("s", pool.MaxSubjectLen+1)), account.InvalidParameterException},
		{cognitoUser("bob"), providerUser("Corp", "corp\nsub"), account.InvalidParameterException},
	}
	for _, r := range refused {
		_, err := e.svc.AdminLinkProviderForUser(ctx, e.pool, r.dest, r.src)
		wantErr(t, err, r.typ)
	}
	bob, err := e.svc.Lookup(ctx, e.pool, "bob")
	if err != nil || len(bob.Identities) != 0 {
		t.Fatalf("refused links changed bob: %+v, %v", bob.Identities, err)
	}

	// At most five identities per user.
	for i := range account.MaxLinkedIdentities {
		if _, err := e.svc.AdminLinkProviderForUser(ctx, e.pool, cognitoUser("bob"), providerUser("Corp", "b"+string(rune('0'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.svc.AdminLinkProviderForUser(ctx, e.pool, cognitoUser("bob"), providerUser("Corp", "b9"))
	wantErr(t, err, account.LimitExceededException)
}

func TestAdminDisableProviderForUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	corp := e.idp(t, "Corp")
	alice := e.signUp(t, "alice", "alice@example.com", goodPW)
	if _, err := e.svc.AdminLinkProviderForUser(ctx, e.pool, cognitoUser("alice"), providerUser("Corp", "sub-alice")); err != nil {
		t.Fatal(err)
	}
	// A linked identity is unlinked; the user stays enabled.
	if err := e.svc.AdminDisableProviderForUser(ctx, e.pool, providerUser("Corp", "sub-alice")); err != nil {
		t.Fatal(err)
	}
	if u := e.user(t, alice.Sub); len(u.Identities) != 0 || !u.Enabled {
		t.Fatalf("after unlink: identities %v, enabled %v", u.Identities, u.Enabled)
	}
	err := e.svc.AdminDisableProviderForUser(ctx, e.pool, providerUser("Corp", "sub-alice"))
	wantErr(t, err, account.UserNotFoundException)

	// A user the provider created is disabled and keeps its identity.
	carol := e.federated(t, corp, "sub-carol")
	if err := e.svc.AdminDisableProviderForUser(ctx, e.pool, providerUser("Corp", "sub-carol")); err != nil {
		t.Fatal(err)
	}
	if u := e.user(t, carol.Sub); u.Enabled || len(u.Identities) != 1 || u.TokensValidAfter.IsZero() {
		t.Fatalf("after disable: enabled %v, identities %v", u.Enabled, u.Identities)
	}

	err = e.svc.AdminDisableProviderForUser(ctx, e.pool, cognitoUser("alice"))
	wantErr(t, err, account.InvalidParameterException)
	err = e.svc.AdminDisableProviderForUser(ctx, e.pool, account.ProviderUser{ProviderName: "Corp", ProviderAttributeName: "email", ProviderAttributeValue: "x"})
	wantErr(t, err, account.InvalidParameterException)
}
