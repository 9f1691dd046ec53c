package account_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// storedProvider is testProvider, saved in the pool.
func storedProvider(t *testing.T, e *env) pool.IdentityProvider {
	t.Helper()
	idp := testProvider(e)
	if err := e.db.CreateIdentityProvider(context.Background(), idp); err != nil {
		t.Fatalf("CreateIdentityProvider: %v", err)
	}
	return idp
}

// TestSignInFederatedSubjectRules: a subject (a mapped username claim
// included) follows pool.ValidateSubject; one that does not is refused
// as InvalidParameterException and creates nothing.
func TestSignInFederatedSubjectRules(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for name, subject := range map[string]string{
		"over 128 bytes": strings.Repeat("s", pool.MaxSubjectLen+1),
		"newline":        "ann\nadmin",
		"empty":          "",
	} {
		_, err := e.svc.SignInFederated(ctx, e.pool, testProvider(e), subject, map[string]string{"email": "a@example.com"})
		if ae := wantErr(t, err, account.InvalidParameterException); ae.Message == "" {
			t.Fatalf("%s: empty message", name)
		}
	}
	if n := e.userCount(t); n != 0 {
		t.Fatalf("users = %d after refused subjects, want 0", n)
	}
	if _, err := e.svc.SignInFederated(ctx, e.pool, testProvider(e), strings.Repeat("s", pool.MaxSubjectLen), nil); err != nil {
		t.Fatalf("subject of %d bytes: %v", pool.MaxSubjectLen, err)
	}
}

// TestSignInFederatedRepairsGroup: a user created by a provider who is
// not in the provider's group (created before creation was atomic) is
// added again at its next sign-in, its group re-created if need be.
func TestSignInFederatedRepairsGroup(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	idp := testProvider(e)
	u, err := e.svc.SignInFederated(ctx, e.pool, idp, "s1", nil)
	if err != nil {
		t.Fatal(err)
	}
	group := pool.FederatedGroup(e.pool.ID, idp.ProviderName)
	if err := e.db.RemoveUserFromGroup(ctx, e.pool.ID, group, u.Sub); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignInFederated(ctx, e.pool, idp, "s1", nil); err != nil {
		t.Fatal(err)
	}
	if gs := groupsOf(t, e, u.Sub); !slices.Equal(gs, []string{group}) {
		t.Fatalf("groups after repair = %v, want [%s]", gs, group)
	}
	if err := e.db.DeleteGroup(ctx, e.pool.ID, group); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SignInFederated(ctx, e.pool, idp, "s1", nil); err != nil {
		t.Fatal(err)
	}
	if gs := groupsOf(t, e, u.Sub); !slices.Equal(gs, []string{group}) {
		t.Fatalf("groups after the group was deleted = %v, want [%s]", gs, group)
	}
}

// TestSignUpRefusesProviderPrefix: local usernames that start with
// "<provider>_" are reserved for the users the provider creates, so a
// sign-up cannot take the username of a person's first federated
// sign-in; in a case-insensitive pool the prefix matches in any case.
func TestSignUpRefusesProviderPrefix(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	storedProvider(t, e)
	for _, name := range []string{"Corp_ann", "corp_ann", "CORP_"} {
		_, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: name, Password: goodPW, Attributes: map[string]string{"email": "x@example.com"}})
		if ae := wantErr(t, err, account.InvalidParameterException); ae.Field != "username" {
			t.Fatalf("SignUp %s: field = %q, want username", name, ae.Field)
		}
		_, err = e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: name})
		if ae := wantErr(t, err, account.InvalidParameterException); ae.Field != "username" {
			t.Fatalf("AdminCreateUser %s: field = %q, want username", name, ae.Field)
		}
	}
	if n := e.userCount(t); n != 0 {
		t.Fatalf("users = %d, want 0", n)
	}
	// Other names with an underscore stay free.
	e.signUp(t, "Corpus_ann", "ann@example.com", goodPW)
	if _, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{Username: "Other_bob"}); err != nil {
		t.Fatalf("AdminCreateUser Other_bob: %v", err)
	}
}

// TestSignInFederatedUsernameTaken: when the username of a first
// sign-in is taken by a user without the identity (a local user created
// before the provider, or a subject differing only in case in a
// case-insensitive pool), the sign-in ends with a clear error, creates
// nothing and does not take the other user.
func TestSignInFederatedUsernameTaken(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	first, err := e.svc.SignInFederated(ctx, e.pool, testProvider(e), "Ann", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SignInFederated(ctx, e.pool, testProvider(e), "ann", nil)
	if ae := wantErr(t, err, account.UsernameExistsException); !strings.Contains(ae.Message, "Corp_ann") {
		t.Fatalf("message = %q, want the username", ae.Message)
	}
	if n := e.userCount(t); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}
	if got := e.user(t, first.Sub); len(got.Identities) != 1 || got.Identities[0].UserID != "Ann" {
		t.Fatalf("first user's identities = %+v", got.Identities)
	}
}

// TestSignInFederatedLinkedUserKeepsItsAttributes: a local user linked
// with AdminLinkProviderForUser keeps its aliases, verified flags and
// every attribute it has; the provider fills only the empty ones.
func TestSignInFederatedLinkedUserKeepsItsAttributes(t *testing.T) {
	e := newEnv(t, func(p *pool.Pool) { p.AliasAttributes = []string{pool.AttrEmail, pool.AttrPreferredUsername} })
	ctx := context.Background()
	idp := storedProvider(t, e)
	local := e.signUp(t, "bob", "bob@example.com", goodPW)
	if err := e.svc.AdminUpdateUserAttributes(ctx, e.pool, "bob", map[string]string{
		"name": "Bob Local", "preferred_username": "bobby", "phone_number": "+15550100", "phone_number_verified": "true",
	}); err != nil {
		t.Fatalf("AdminUpdateUserAttributes: %v", err)
	}
	before := e.user(t, local.Sub).Attributes
	if _, err := e.svc.AdminLinkProviderForUser(ctx, e.pool,
		account.ProviderUser{ProviderName: account.ProviderCognitoUser, ProviderAttributeValue: "bob"},
		account.ProviderUser{ProviderName: idp.ProviderName, ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: "bob-at-corp"},
	); err != nil {
		t.Fatalf("AdminLinkProviderForUser: %v", err)
	}
	u, err := e.svc.SignInFederated(ctx, e.pool, idp, "bob-at-corp", map[string]string{
		"email": "mallory@example.com", "email_verified": "true", "name": "Mallory",
		"preferred_username": "mallory", "phone_number": "+15550199", "phone_number_verified": "false",
		"nickname": "bob-nick",
	})
	if err != nil {
		t.Fatalf("SignInFederated: %v", err)
	}
	if u.Sub != local.Sub {
		t.Fatalf("signed in %s, want the linked user %s", u.Sub, local.Sub)
	}
	got := e.user(t, local.Sub).Attributes
	for k, v := range before {
		if got[k] != v {
			t.Errorf("%s = %q, want %q kept", k, got[k], v)
		}
	}
	if got["nickname"] != "bob-nick" {
		t.Errorf("nickname = %q: an empty attribute is filled", got["nickname"])
	}
	if got, err := e.db.GetUserByUsername(ctx, e.pool.ID, e.pool.UsernameKey("bob")); err != nil || got.Sub != local.Sub || got.Status != pool.StatusConfirmed {
		t.Fatalf("linked user = %+v, %v", got, err)
	}
}
