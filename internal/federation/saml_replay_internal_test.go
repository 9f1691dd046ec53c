package federation

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal/sealtest"
	"github.com/linkpool/linkpool/internal/store/sqlite/sqlitetest"
	"github.com/linkpool/linkpool/internal/token"
)

// TestSAMLAssertionSingleUse: an assertion that passed every check of
// samlflow signs in once; the same assertion again (same request, as an
// attacker who captured the post and the pending state would send it) is
// refused by the consumed assertion id. The browser state's single use
// normally stops a replay first, so this is tested below the edge.
func TestSAMLAssertionSingleUse(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t)
	box := sealtest.Box(t)
	p := pool.NewPool("us-east-1", "Replay", time.Now())
	if err := db.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	accounts := account.New(account.Config{
		Store: db, Hasher: password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 1),
		CodeKey: box.DeriveKey(account.CodeKeyPurpose), Box: box,
	})
	adm := admin.New(admin.Config{Store: db, Box: box, Keys: token.NewKeys(db, box, token.KeysOptions{}), Accounts: accounts})
	s, err := New(Config{Store: db, Box: box, Accounts: accounts, Admin: adm, OIDC: oidcflow.New(nil), SAML: samlflow.New(nil)})
	if err != nil {
		t.Fatal(err)
	}
	idp := fedtest.NewSAMLIdP(t)
	prov := pool.IdentityProvider{
		PoolID: p.ID, ProviderName: "Okta", ProviderType: pool.ProviderSAML,
		ProviderDetails:  map[string]string{pool.DetailMetadataURL: idp.MetadataURL},
		AttributeMapping: pool.DefaultAttributeMapping(pool.ProviderSAML),
	}
	if err := db.CreateIdentityProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	base := "https://auth.example.com/" + p.ID
	md, err := s.Metadata(ctx, p, base)
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.TrustSP(md); err != nil {
		t.Fatal(err)
	}
	loc, pending, err := s.beginSAML(ctx, p, base, prov.ProviderDetails, "relay")
	if err != nil {
		t.Fatal(err)
	}
	post, err := idp.SignIn(loc)
	if err != nil {
		t.Fatal(err)
	}
	subject, _, err := s.finishSAML(ctx, p, base, prov, prov.ProviderDetails, *pending, post.Form)
	if err != nil || subject != idp.User().NameID {
		t.Fatalf("first use: %q, %v", subject, err)
	}
	_, _, err = s.finishSAML(ctx, p, base, prov, prov.ProviderDetails, *pending, post.Form)
	if upstream.KindOf(err) != upstream.Invalid {
		t.Fatalf("replayed assertion: %v, want an Invalid refusal", err)
	}
}
