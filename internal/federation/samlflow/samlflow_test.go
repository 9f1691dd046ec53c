package samlflow_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

const poolID = "eu-west-1_Test1"

// harness is a pool's service provider and a test identity provider that
// trusts it.
type harness struct {
	idp    *fedtest.SAMLIdP
	client *samlflow.Client
	cfg    samlflow.Config
}

func newHarness(t testing.TB, fromURL bool) *harness {
	t.Helper()
	idp := fedtest.NewSAMLIdP(t)
	cfg := samlflow.Config{
		EntityID: "urn:amazon:cognito:sp:" + poolID,
		ACSURL:   "https://auth.example.com/saml2/idpresponse",
		Details:  map[string]string{},
	}
	if fromURL {
		cfg.Details[pool.DetailMetadataURL] = idp.MetadataURL
	} else {
		cfg.Details[pool.DetailMetadataFile] = string(idp.MetadataXML())
	}
	md, err := samlflow.Metadata(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.TrustSP(md); err != nil {
		t.Fatal(err)
	}
	return &harness{idp: idp, client: samlflow.New(nil), cfg: cfg}
}

// post runs Begin and the identity provider and returns what the
// browser posts to the ACS, with the pending sign-in.
func (h *harness) post(t testing.TB) (url.Values, samlflow.Pending) {
	t.Helper()
	redirect, p, err := h.client.Begin(context.Background(), h.cfg, "relay")
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	post, err := h.idp.SignIn(redirect)
	if err != nil {
		t.Fatalf("IdP sign-in: %v", err)
	}
	return post.Form, p
}

// signIn runs Begin, the identity provider and Finish.
func (h *harness) signIn(t *testing.T) (samlflow.Result, error) {
	t.Helper()
	ctx := context.Background()
	redirect, p, err := h.client.Begin(ctx, h.cfg, "relay-123")
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	post, err := h.idp.SignIn(redirect)
	if err != nil {
		t.Fatalf("IdP sign-in: %v", err)
	}
	if post.Action != h.cfg.ACSURL {
		t.Fatalf("the IdP posts to %q, want the ACS URL %q", post.Action, h.cfg.ACSURL)
	}
	if got := post.Form.Get("RelayState"); got != "relay-123" {
		t.Fatalf("RelayState = %q, want relay-123", got)
	}
	return h.client.Finish(ctx, h.cfg, p, post.Form, time.Now())
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fromURL bool
	}{{"MetadataURL", true}, {"MetadataFile", false}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.fromURL)
			res, err := h.signIn(t)
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			u := h.idp.User()
			if res.Subject != u.NameID {
				t.Errorf("Subject = %q, want %q", res.Subject, u.NameID)
			}
			want := map[string]string{
				pool.SAMLNameID:        u.NameID,
				fedtest.SAMLAttrEmail:  u.Email,
				fedtest.SAMLAttrName:   u.Name,
				fedtest.SAMLAttrGroups: "[" + strings.Join(u.Groups, ", ") + "]", // as Cognito renders several values
			}
			for k, v := range want {
				if res.Claims[k] != v {
					t.Errorf("Claims[%q] = %q, want %q", k, res.Claims[k], v)
				}
			}
			if res.AssertionID == "" {
				t.Error("no AssertionID")
			}
			if !res.NotOnOrAfter.After(time.Now()) || res.NotOnOrAfter.After(time.Now().Add(time.Hour)) {
				t.Errorf("NotOnOrAfter = %v, want a few minutes from now", res.NotOnOrAfter)
			}
		})
	}
}

// TestBeginRequest checks the AuthnRequest Begin sends: to the IdP's SSO
// URL, with the RelayState, and a request ID kept in Pending.
func TestBeginRequest(t *testing.T) {
	h := newHarness(t, true)
	redirect, p, err := h.client.Begin(context.Background(), h.cfg, "state with spaces & more")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != h.idp.SSOURL {
		t.Errorf("redirect to %q, want the SSO URL %q", got, h.idp.SSOURL)
	}
	if u.Query().Get("SAMLRequest") == "" || u.Query().Get("RelayState") != "state with spaces & more" {
		t.Errorf("query %v lacks SAMLRequest or RelayState", u.Query())
	}
	if p.RequestID == "" {
		t.Error("empty Pending.RequestID")
	}
	_, p2, err := h.client.Begin(context.Background(), h.cfg, "x")
	if err != nil || p2.RequestID == p.RequestID {
		t.Errorf("second Begin: %v, request id %q (first %q)", err, p2.RequestID, p.RequestID)
	}
}

func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		knobs fedtest.SAMLKnobs
		kind  upstream.Kind
		is    error
	}{
		{"unsigned assertion in a signed response", fedtest.SAMLKnobs{UnsignedAssertion: true}, upstream.Invalid, samlflow.ErrUnsignedAssertion},
		{"nothing signed", fedtest.SAMLKnobs{UnsignedAssertion: true, UnsignedResponse: true}, upstream.Invalid, samlflow.ErrUnsignedAssertion},
		{"tampered NameID", fedtest.SAMLKnobs{Tamper: true}, upstream.Invalid, saml.ErrInvalidSignature},
		{"tampered NameID, unsigned response", fedtest.SAMLKnobs{Tamper: true, UnsignedResponse: true}, upstream.Invalid, saml.ErrInvalidSignature},
		{"signed with a key not in the metadata", fedtest.SAMLKnobs{ForeignKey: true}, upstream.Invalid, saml.ErrUntrustedCertificate},
		{"wrong audience", fedtest.SAMLKnobs{WrongAudience: true}, upstream.Invalid, saml.ErrAudienceMismatch},
		{"wrong recipient", fedtest.SAMLKnobs{WrongRecipient: true}, upstream.Invalid, saml.ErrDestinationMismatch},
		{"expired", fedtest.SAMLKnobs{Age: time.Hour}, upstream.Invalid, saml.ErrExpired},
		{"another request", fedtest.SAMLKnobs{OtherRequestID: true}, upstream.Invalid, saml.ErrRequestIDMismatch},
		{"status Requester/AuthnFailed", fedtest.SAMLKnobs{Status: saml.StatusRequester, SecondStatus: saml.StatusAuthnFailed}, upstream.Denied, nil},
		{"status Responder", fedtest.SAMLKnobs{Status: saml.StatusResponder}, upstream.Denied, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, false)
			h.idp.SetKnobs(tc.knobs)
			res, err := h.signIn(t)
			checkRefused(t, res, err, tc.kind, tc.is)
			if tc.kind == upstream.Denied {
				var ue *upstream.Error
				errors.As(err, &ue)
				if ue.Code != tc.knobs.Status {
					t.Errorf("Code = %q, want %q", ue.Code, tc.knobs.Status)
				}
			}
		})
	}
}

// checkRefused checks that err is an *upstream.Error of kind, wrapping
// is (when not nil), with a description that holds no assertion.
func checkRefused(t *testing.T, res samlflow.Result, err error, kind upstream.Kind, is error) {
	t.Helper()
	var ue *upstream.Error
	if !errors.As(err, &ue) {
		t.Fatalf("Finish = %+v, %v; want an *upstream.Error", res, err)
	}
	if ue.Kind != kind {
		t.Errorf("Kind = %v (%v), want %v", ue.Kind, err, kind)
	}
	if is != nil && !errors.Is(err, is) {
		t.Errorf("error %v does not wrap %v", err, is)
	}
	if ue.Description == "" || strings.Contains(err.Error(), "jdoe") || strings.Contains(err.Error(), "<") {
		t.Errorf("description %q is empty or shows the assertion", err.Error())
	}
	if res.Subject != "" || res.AssertionID != "" {
		t.Errorf("a refused sign-in returned %+v", res)
	}
}

// TestWrongPending: a response to one browser's request is refused for
// another browser's Pending.
func TestWrongPending(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	redirect, _, err := h.client.Begin(ctx, h.cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := h.client.Begin(ctx, h.cfg, "b")
	if err != nil {
		t.Fatal(err)
	}
	post, err := h.idp.SignIn(redirect)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.client.Finish(ctx, h.cfg, other, post.Form, time.Now())
	checkRefused(t, res, err, upstream.Invalid, saml.ErrRequestIDMismatch)
}

// TestFinishLater: the same response checked well after its NotOnOrAfter
// is refused as expired.
func TestFinishLater(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	form, p := h.post(t)
	res, err := h.client.Finish(ctx, h.cfg, p, form, time.Now().Add(30*time.Minute))
	checkRefused(t, res, err, upstream.Invalid, saml.ErrExpired)
	if _, err := h.client.Finish(ctx, h.cfg, p, form, time.Now()); err != nil {
		t.Errorf("the same response in time: %v", err)
	}
}

func TestIDPInitiated(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	post, err := h.idp.SignInUnsolicited(h.cfg.EntityID, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.client.Finish(ctx, h.cfg, samlflow.Pending{}, post.Form, time.Now())
	checkRefused(t, res, err, upstream.Invalid, saml.ErrRequestIDMismatch)

	h.cfg.Details[pool.DetailIDPInit] = "true"
	res, err = h.client.Finish(ctx, h.cfg, samlflow.Pending{}, post.Form, time.Now())
	if err != nil || res.Subject != h.idp.User().NameID {
		t.Fatalf("IDPInit=true: %+v, %v", res, err)
	}
	// An unsolicited response is not accepted for a browser that started
	// a sign-in, and a solicited one not as unsolicited.
	_, p, err := h.client.Begin(ctx, h.cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	res, err = h.client.Finish(ctx, h.cfg, p, post.Form, time.Now())
	checkRefused(t, res, err, upstream.Invalid, saml.ErrRequestIDMismatch)
	redirect, _, err := h.client.Begin(ctx, h.cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	solicited, err := h.idp.SignIn(redirect)
	if err != nil {
		t.Fatal(err)
	}
	res, err = h.client.Finish(ctx, h.cfg, samlflow.Pending{}, solicited.Form, time.Now())
	checkRefused(t, res, err, upstream.Invalid, saml.ErrRequestIDMismatch)
}

// TestReplayContract: Finish itself accepts a response twice (the
// caller's store.ConsumeAuthSession refuses the second use) and reports
// the same assertion ID both times.
func TestReplayContract(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	form, p := h.post(t)
	first, err := h.client.Finish(ctx, h.cfg, p, form, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.client.Finish(ctx, h.cfg, p, form, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if first.AssertionID != second.AssertionID || !first.NotOnOrAfter.Equal(second.NotOnOrAfter) {
		t.Errorf("the same response gave %q/%v and %q/%v", first.AssertionID, first.NotOnOrAfter, second.AssertionID, second.NotOnOrAfter)
	}
}

func TestMalformed(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	_, p, err := h.client.Begin(ctx, h.cfg, "a")
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(s string) string { return base64Std(s) }
	for name, form := range map[string]url.Values{
		"no SAMLResponse":        {},
		"empty":                  {"SAMLResponse": {""}},
		"twice":                  {"SAMLResponse": {b64("<a/>"), b64("<a/>")}},
		"not base64":             {"SAMLResponse": {"%%%not base64"}},
		"not XML":                {"SAMLResponse": {b64("hello")}},
		"truncated XML":          {"SAMLResponse": {b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"`)}},
		"not a Response":         {"SAMLResponse": {b64(`<foo xmlns="urn:x"/>`)}},
		"Response, no namespace": {"SAMLResponse": {b64(`<Response/>`)}},
		"empty Response":         {"SAMLResponse": {b64(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)}},
		"artifact":               {"SAMLart": {"AAQAAA=="}},
		"too large":              {"SAMLResponse": {strings.Repeat("A", samlflow.MaxResponseSize+4)}},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := h.client.Finish(ctx, h.cfg, p, form, time.Now())
			checkRefused(t, res, err, upstream.Invalid, nil)
		})
	}
}

func TestMetadataUnavailable(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/metadata"
	down.Close()

	// slow answers only when the client gives up.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(slow.Close)
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>not metadata</html>"))
	}))
	t.Cleanup(garbage.Close)
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">"))
		w.Write([]byte(strings.Repeat("<!-- padding -->", samlflow.MaxMetadataSize/16+1)))
	}))
	t.Cleanup(huge.Close)

	client := samlflow.New(&http.Client{Timeout: 200 * time.Millisecond})
	// The MetadataURL's query may hold an access key: no error quotes it.
	const key = "?key=MDKEY-4711"
	for name, u := range map[string]string{
		"down":      downURL + key,
		"slow":      slow.URL + "/metadata" + key,
		"404":       notFound.URL + "/metadata" + key,
		"not SAML":  garbage.URL + "/metadata" + key,
		"too large": huge.URL + "/metadata" + key,
	} {
		t.Run(name, func(t *testing.T) {
			cfg := samlflow.Config{
				EntityID: "urn:amazon:cognito:sp:" + poolID,
				ACSURL:   "https://auth.example.com/saml2/idpresponse",
				Details:  map[string]string{pool.DetailMetadataURL: u},
			}
			_, _, err := client.Begin(context.Background(), cfg, "a")
			if upstream.KindOf(err) != upstream.Unavailable {
				t.Errorf("Begin: %v, want Unavailable", err)
			}
			for e := err; e != nil; e = errors.Unwrap(e) {
				if strings.Contains(e.Error(), "MDKEY") {
					t.Errorf("the error %q quotes the MetadataURL", e.Error())
				}
			}
			res, err := client.Finish(context.Background(), cfg, samlflow.Pending{RequestID: "id-1"},
				url.Values{"SAMLResponse": {base64Std(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)}}, time.Now())
			checkRefused(t, res, err, upstream.Unavailable, nil)
		})
	}
}

func TestBadMetadataFile(t *testing.T) {
	client := samlflow.New(nil)
	for name, file := range map[string]string{
		"not XML": "hello",
		"no IdP":  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`,
		"SP only": `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`,
	} {
		t.Run(name, func(t *testing.T) {
			cfg := samlflow.Config{
				EntityID: "urn:amazon:cognito:sp:" + poolID,
				ACSURL:   "https://auth.example.com/saml2/idpresponse",
				Details:  map[string]string{pool.DetailMetadataFile: file},
			}
			if _, _, err := client.Begin(context.Background(), cfg, "a"); upstream.KindOf(err) != upstream.Unavailable {
				t.Errorf("Begin: %v, want Unavailable", err)
			}
		})
	}
}

func TestUnsupportedSettings(t *testing.T) {
	h := newHarness(t, false)
	for _, k := range []string{pool.DetailEncryptedResponses, pool.DetailRequestSigningAlgorithm} {
		t.Run(k, func(t *testing.T) {
			cfg := h.cfg
			cfg.Details = map[string]string{pool.DetailMetadataFile: h.cfg.Details[pool.DetailMetadataFile]}
			cfg.Details[k] = map[string]string{pool.DetailEncryptedResponses: "true", pool.DetailRequestSigningAlgorithm: "rsa-sha256"}[k]
			_, _, err := h.client.Begin(context.Background(), cfg, "a")
			if upstream.KindOf(err) != upstream.Invalid || !errors.Is(err, samlflow.ErrUnsupported) || !strings.Contains(err.Error(), k) {
				t.Errorf("Begin: %v, want Invalid naming %s", err, k)
			}
		})
	}
	cfg := h.cfg
	cfg.Details = map[string]string{pool.DetailMetadataFile: h.cfg.Details[pool.DetailMetadataFile], pool.DetailEncryptedResponses: "false"}
	if _, _, err := h.client.Begin(context.Background(), cfg, "a"); err != nil {
		t.Errorf("EncryptedResponses=false: %v", err)
	}
}

func TestSPMetadata(t *testing.T) {
	cfg := samlflow.Config{EntityID: "urn:amazon:cognito:sp:" + poolID, ACSURL: "https://auth.example.com/saml2/idpresponse"}
	md, err := samlflow.Metadata(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, want := range []string{
		`entityID="urn:amazon:cognito:sp:` + poolID + `"`,
		`Location="https://auth.example.com/saml2/idpresponse"`,
		`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"`,
		`WantAssertionsSigned="true"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("metadata lacks %s:\n%s", want, s)
		}
	}
	for _, unwanted := range []string{"HTTP-Artifact", "validUntil", "KeyDescriptor"} {
		if strings.Contains(s, unwanted) {
			t.Errorf("metadata has %s:\n%s", unwanted, s)
		}
	}
	for _, bad := range []samlflow.Config{{ACSURL: cfg.ACSURL}, {EntityID: cfg.EntityID}, {EntityID: cfg.EntityID, ACSURL: "/relative"}} {
		if _, err := samlflow.Metadata(bad); err == nil {
			t.Errorf("Metadata(%+v) = nil error", bad)
		}
	}
}

// TestOtherIdP: an IdP-initiated response of another identity provider
// (signed with a trusted key, so that only the Issuer tells) is refused.
func TestOtherIdP(t *testing.T) {
	h := newHarness(t, false)
	h.cfg.Details[pool.DetailIDPInit] = "true"
	other := fedtest.NewSAMLIdP(t)
	md, err := samlflow.Metadata(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.TrustSP(md); err != nil {
		t.Fatal(err)
	}
	post, err := other.SignInUnsolicited(h.cfg.EntityID, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.client.Finish(context.Background(), h.cfg, samlflow.Pending{}, post.Form, time.Now())
	checkRefused(t, res, err, upstream.Invalid, saml.ErrIssuerMismatch)
	// The first identity provider's own unsolicited response passes.
	if post, err = h.idp.SignInUnsolicited(h.cfg.EntityID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Finish(context.Background(), h.cfg, samlflow.Pending{}, post.Form, time.Now()); err != nil {
		t.Fatal(err)
	}
}
