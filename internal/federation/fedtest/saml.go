// saml.go: a SAML 2.0 identity provider for tests (SAMLIdP, built on
// crewjam/saml's IdentityProvider): a loopback server with a key pair
// generated once per process, a preset user signed in without a form,
// metadata by URL and as XML, SignIn, SignInWith and SignInUnsolicited
// to get the form a browser would post to the ACS, and SAMLKnobs for
// negative tests.

package fedtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
)

// Attribute names the test identity provider sends, as Microsoft Entra ID
// and AD FS name them.
const (
	SAMLAttrEmail  = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	SAMLAttrName   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
	SAMLAttrGroups = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
)

// SAMLUser is the user the test identity provider signs in, without a
// login form.
type SAMLUser struct {
	NameID string
	Email  string
	Name   string
	Groups []string
}

// SAMLKnobs make the test identity provider answer wrongly, for negative
// tests. The zero value answers correctly.
type SAMLKnobs struct {
	// UnsignedAssertion: the assertion is not signed; the Response still
	// is (unless UnsignedResponse). It is encrypted all the same when the
	// SP's metadata lists an encryption certificate.
	UnsignedAssertion bool
	// EncryptCBC: assertions are encrypted with AES-256-CBC rather than
	// AES-256-GCM.
	EncryptCBC bool
	// UnsignedResponse: the Response is not signed.
	UnsignedResponse bool
	// Tamper: the NameID is changed to "mallory" after the assertion was
	// signed (the Response is signed over the changed assertion).
	Tamper bool
	// WrongAudience: the assertion is restricted to another service
	// provider.
	WrongAudience bool
	// WrongRecipient: the bearer confirmation names another ACS URL.
	WrongRecipient bool
	// OtherRequestID: the Response and assertion answer another request.
	OtherRequestID bool
	// Age issues the Response and assertion this long before now, as an
	// identity provider with a slow clock would (an expired assertion).
	Age time.Duration
	// ForeignKey: the assertion and Response are signed with a key that
	// is not in the metadata.
	ForeignKey bool
	// Status, when set, answers with this top-level status
	// (saml.StatusRequester, saml.StatusResponder) and SecondStatus
	// (saml.StatusAuthnFailed, ...) instead of an assertion.
	Status, SecondStatus string
}

// SAMLIdP is a SAML 2.0 identity provider (crewjam/saml's
// IdentityProvider) on a loopback server, for tests. It signs in User
// without a login form, for the service providers registered with
// TrustSP.
type SAMLIdP struct {
	URL         string // base URL of the server
	MetadataURL string // also the IdP's entity id
	SSOURL      string

	idp *saml.IdentityProvider

	mu    sync.Mutex // serializes requests: the knobs apply to one at a time
	user  SAMLUser
	knobs SAMLKnobs
	sps   map[string]*saml.EntityDescriptor
}

type samlKeyPair struct {
	once sync.Once
	key  *rsa.PrivateKey
	cert *x509.Certificate
	err  error
}

// samlKey is the identity providers' key and certificate; samlForeignKey
// signs for SAMLKnobs.ForeignKey. Each is generated once per process.
var samlKey, samlForeignKey samlKeyPair

// get generates the key and a self-signed certificate the first time.
func (k *samlKeyPair) get(name string) (*rsa.PrivateKey, *x509.Certificate, error) {
	k.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			k.err = err
			return
		}
		now := time.Now()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    now.Add(-30 * 24 * time.Hour),
			NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			k.err = err
			return
		}
		k.key = key
		k.cert, k.err = x509.ParseCertificate(der)
	})
	return k.key, k.cert, k.err
}

// NewSAMLIdP starts a test identity provider signing in a preset user
// (NameID "jdoe@corp.example", email, name, two groups); the server is
// closed at the end of the test.
func NewSAMLIdP(t testing.TB) *SAMLIdP {
	t.Helper()
	key, cert, err := samlKey.get("linkpool test SAML IdP")
	if err != nil {
		t.Fatalf("fedtest: SAML IdP key: %v", err)
	}
	i := &SAMLIdP{
		user: SAMLUser{NameID: "jdoe@corp.example", Email: "jdoe@corp.example", Name: "Jane Doe", Groups: []string{"staff", "admins"}},
		sps:  map[string]*saml.EntityDescriptor{},
	}
	srv := httptest.NewServer(http.HandlerFunc(i.serve))
	t.Cleanup(srv.Close)
	i.URL = srv.URL
	i.MetadataURL = srv.URL + "/metadata"
	i.SSOURL = srv.URL + "/sso"
	mdURL, _ := url.Parse(i.MetadataURL)
	ssoURL, _ := url.Parse(i.SSOURL)
	i.idp = &saml.IdentityProvider{
		Key:                     key,
		Certificate:             cert,
		MetadataURL:             *mdURL,
		SSOURL:                  *ssoURL,
		ServiceProviderProvider: samlSPs{i},
		SessionProvider:         samlSessions{i},
		AssertionMaker:          samlAssertions{i},
		ResponseWriter:          samlResponses{i},
		NameIDFormats:           []saml.NameIDFormat{saml.EmailAddressNameIDFormat, saml.UnspecifiedNameIDFormat},
		OnError: func(w http.ResponseWriter, _ *http.Request, status int, err error) {
			http.Error(w, err.Error(), status)
		},
	}
	return i
}

func (i *SAMLIdP) serve(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	defer i.mu.Unlock()
	switch r.URL.Path {
	case "/metadata":
		i.idp.ServeMetadata(w, r)
	case "/sso":
		i.idp.ServeSSO(w, r)
	case "/init":
		i.idp.ServeIDPInitiated(w, r, r.URL.Query().Get("sp"), r.URL.Query().Get("RelayState"))
	default:
		http.NotFound(w, r)
	}
}

// MetadataXML is the identity provider's metadata, what MetadataFile
// holds.
func (i *SAMLIdP) MetadataXML() []byte {
	i.mu.Lock()
	defer i.mu.Unlock()
	out, err := xml.MarshalIndent(i.idp.Metadata(), "", "  ")
	if err != nil {
		panic(err) // the library's own metadata always marshals
	}
	return out
}

// TrustSP registers a service provider by its metadata (what an IdP
// administrator imports).
func (i *SAMLIdP) TrustSP(metadata []byte) error {
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(metadata, &md); err != nil {
		return fmt.Errorf("fedtest: SP metadata: %w", err)
	}
	if md.EntityID == "" || len(md.SPSSODescriptors) == 0 {
		return errors.New("fedtest: SP metadata has no entity id or SPSSODescriptor")
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.sps[md.EntityID] = &md
	return nil
}

// SetUser changes the user the identity provider signs in.
func (i *SAMLIdP) SetUser(u SAMLUser) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.user = u
}

// User is the user the identity provider signs in.
func (i *SAMLIdP) User() SAMLUser {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.user
}

// SetKnobs sets how the next answers go wrong; SAMLKnobs{} resets them.
func (i *SAMLIdP) SetKnobs(k SAMLKnobs) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.knobs = k
}

// SAMLPost is the auto-submitting form an identity provider answers
// with: the ACS URL to post to and the form (SAMLResponse, RelayState).
type SAMLPost struct {
	Action string
	Form   url.Values
}

// SignIn does what a browser does with the redirect URL Begin returned:
// it follows it to the identity provider, which signs the user in, and
// returns the form the browser would post to the ACS.
func (i *SAMLIdP) SignIn(redirectURL string) (SAMLPost, error) {
	return i.SignInWith(http.DefaultClient, redirectURL)
}

// SignInWith is SignIn with a browser's client (its cookie jar): the URL
// may be linkpool's own sign-in URL, whose redirects lead to the
// identity provider.
func (i *SAMLIdP) SignInWith(hc *http.Client, startURL string) (SAMLPost, error) {
	return samlPost(hc.Get(startURL)) //nolint:noctx // test helper on a loopback server
}

// SignInUnsolicited is an IdP-initiated sign-in at the service provider
// with entity id spEntityID: the form the identity provider's portal
// posts to the ACS without a request.
func (i *SAMLIdP) SignInUnsolicited(spEntityID, relayState string) (SAMLPost, error) {
	q := url.Values{"sp": {spEntityID}, "RelayState": {relayState}}
	return samlPost(http.Get(i.URL + "/init?" + q.Encode())) //nolint:noctx // test helper on a loopback server
}

var (
	samlFormAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	samlFormInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
)

// samlPost reads the HTTP-POST binding form of an identity provider's
// answer.
func samlPost(resp *http.Response, err error) (SAMLPost, error) {
	if err != nil {
		return SAMLPost{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return SAMLPost{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return SAMLPost{}, fmt.Errorf("fedtest: the IdP answered HTTP %d: %s", resp.StatusCode, body)
	}
	m := samlFormAction.FindSubmatch(body)
	if m == nil {
		return SAMLPost{}, fmt.Errorf("fedtest: no form in the IdP's answer: %s", body)
	}
	p := SAMLPost{Action: html.UnescapeString(string(m[1])), Form: url.Values{}}
	for _, in := range samlFormInput.FindAllSubmatch(body, -1) {
		p.Form.Set(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
	}
	return p, nil
}

type samlSPs struct{ i *SAMLIdP }

// GetServiceProvider is called with i.mu held (from serve).
func (s samlSPs) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if md, ok := s.i.sps[id]; ok {
		return md, nil
	}
	return nil, os.ErrNotExist
}

type samlSessions struct{ i *SAMLIdP }

// GetSession signs the preset user in, without a form.
func (s samlSessions) GetSession(_ http.ResponseWriter, _ *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	u := s.i.user
	attr := func(name string, values ...string) saml.Attribute {
		a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
		for _, v := range values {
			a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		return a
	}
	var attrs []saml.Attribute
	if u.Email != "" {
		attrs = append(attrs, attr(SAMLAttrEmail, u.Email))
	}
	if u.Name != "" {
		attrs = append(attrs, attr(SAMLAttrName, u.Name))
	}
	if len(u.Groups) > 0 {
		attrs = append(attrs, attr(SAMLAttrGroups, u.Groups...))
	}
	return &saml.Session{
		ID:               fmt.Sprintf("session-%d", time.Now().UnixNano()),
		CreateTime:       req.Now,
		ExpireTime:       req.Now.Add(time.Hour),
		Index:            "1",
		NameID:           u.NameID,
		NameIDFormat:     string(saml.UnspecifiedNameIDFormat),
		CustomAttributes: attrs,
	}
}

type samlAssertions struct{ i *SAMLIdP }

// MakeAssertion is crewjam/saml's assertion with the knobs applied.
func (s samlAssertions) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	k := s.i.knobs
	if k.Status != "" {
		return &saml.StatusError{TopLevel: k.Status, SecondLevel: k.SecondStatus}
	}
	if k.OtherRequestID {
		req.Request.ID = "id-another-request"
	}
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		return err
	}
	a := req.Assertion
	if k.WrongAudience {
		a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "urn:amazon:cognito:sp:another-pool"}}}
	}
	if k.WrongRecipient {
		a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://elsewhere.example/saml2/idpresponse"
	}
	if k.Age > 0 {
		a.IssueInstant = a.IssueInstant.Add(-k.Age)
		a.Conditions.NotBefore = a.Conditions.NotBefore.Add(-k.Age)
		a.Conditions.NotOnOrAfter = a.Conditions.NotOnOrAfter.Add(-k.Age)
		scd := a.Subject.SubjectConfirmations[0].SubjectConfirmationData
		scd.NotOnOrAfter = scd.NotOnOrAfter.Add(-k.Age)
		a.AuthnStatements[0].AuthnInstant = a.AuthnStatements[0].AuthnInstant.Add(-k.Age)
		req.Now = req.Now.Add(-k.Age)
	}
	return nil
}

type samlResponses struct{ i *SAMLIdP }

// WriteResponse signs (or not) the assertion and Response as the knobs
// say, and writes the auto-submitting form.
func (s samlResponses) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	k := s.i.knobs
	if req.Assertion == nil { // an error Response, made and signed already
		return req.WriteResponse(w)
	}
	if k.ForeignKey {
		key, cert, err := samlForeignKey.get("another SAML IdP")
		if err != nil {
			return err
		}
		idp := s.i.idp
		ownKey, ownCert := idp.Key, idp.Certificate
		idp.Key, idp.Certificate = key, cert
		defer func() { idp.Key, idp.Certificate = ownKey, ownCert }()
	}
	s.i.idp.AssertionEncrypter = assertionEncrypter(k.EncryptCBC)
	if k.UnsignedAssertion {
		req.AssertionEl = req.Assertion.Element()
		if err := encryptAssertionEl(req, k.EncryptCBC); err != nil {
			return err
		}
	} else if k.Tamper {
		// Sign the assertion as the SP's metadata would have it but
		// unencrypted, change the signed NameID, then encrypt it if the
		// metadata asks for encryption: the SP sees a well-formed,
		// decryptable assertion whose signature no longer holds.
		sp := req.SPSSODescriptor
		if sp != nil {
			plain := *sp
			plain.KeyDescriptors = nil
			for _, kd := range sp.KeyDescriptors {
				if kd.Use != "encryption" {
					plain.KeyDescriptors = append(plain.KeyDescriptors, kd)
				}
			}
			req.SPSSODescriptor = &plain
		}
		err := req.MakeAssertionEl()
		req.SPSSODescriptor = sp
		if err != nil {
			return err
		}
		nameID := req.AssertionEl.FindElement("./Subject/NameID")
		if nameID == nil {
			return errors.New("fedtest: no NameID to tamper with")
		}
		nameID.SetText("mallory")
		if err := encryptAssertionEl(req, k.EncryptCBC); err != nil {
			return err
		}
	} else if err := req.MakeAssertionEl(); err != nil {
		return err
	}
	if k.UnsignedResponse {
		resp := &saml.Response{
			Destination:  req.ACSEndpoint.Location,
			ID:           fmt.Sprintf("id-unsigned-%d", time.Now().UnixNano()),
			InResponseTo: req.Request.ID,
			IssueInstant: req.Now,
			Version:      "2.0",
			Issuer:       &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: s.i.MetadataURL},
			Status:       saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
		}
		el := resp.Element()
		el.AddChild(req.AssertionEl)
		req.ResponseEl = el
	} else if err := req.MakeResponse(); err != nil {
		return err
	}
	return req.WriteResponse(w)
}
