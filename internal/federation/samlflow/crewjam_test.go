package samlflow

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestCrewjamAcceptsUnsignedAssertion pins why Finish checks the
// assertion's signature itself: crewjam/saml's ParseXMLResponse accepts
// an unsigned assertion inside a signed Response. If this test fails,
// crewjam/saml has become stricter and the check may be revisited.
func TestCrewjamAcceptsUnsignedAssertion(t *testing.T) {
	idp := fedtest.NewSAMLIdP(t)
	cfg := Config{
		EntityID: "urn:amazon:cognito:sp:eu-west-1_Pin",
		ACSURL:   "https://auth.example.com/saml2/idpresponse",
		Details:  map[string]string{pool.DetailMetadataFile: string(idp.MetadataXML())},
	}
	md, err := Metadata(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.TrustSP(md); err != nil {
		t.Fatal(err)
	}
	c := New(nil)
	redirect, p, err := c.Begin(context.Background(), cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	idp.SetKnobs(fedtest.SAMLKnobs{UnsignedAssertion: true})
	post, err := idp.SignIn(redirect)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(post.Form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	idpMD, err := c.idpMetadata(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := serviceProvider(cfg, idpMD, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a, err := sp.ParseXMLResponse(raw, []string{p.RequestID}, sp.AcsURL)
	if err != nil {
		t.Fatalf("crewjam/saml refuses an unsigned assertion in a signed Response now: %v", err)
	}
	if a.Signature != nil {
		t.Fatal("the assertion has a signature")
	}
	if _, err := c.Finish(context.Background(), cfg, p, post.Form, time.Now()); err == nil {
		t.Fatal("Finish accepted it")
	}
}
