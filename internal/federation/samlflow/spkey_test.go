package samlflow_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

type spKeyPair struct {
	once sync.Once
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// spKey and otherSPKey are pools' SAML key pairs, generated once.
var spKey, otherSPKey spKeyPair

func (k *spKeyPair) get(t testing.TB) (*rsa.PrivateKey, *x509.Certificate) {
	k.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "urn:amazon:cognito:sp:" + poolID},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		k.key = key
		k.cert, _ = x509.ParseCertificate(der)
	})
	return k.key, k.cert
}

// newKeyedHarness is newHarness with the pool's key pair in the Config
// and the details set, the identity provider trusting the metadata made
// from that Config.
func newKeyedHarness(t testing.TB, details map[string]string) *harness {
	t.Helper()
	h := newHarness(t, false)
	h.cfg.Key, h.cfg.Certificate = spKey.get(t)
	for k, v := range details {
		h.cfg.Details[k] = v
	}
	trust(t, h, h.cfg)
	return h
}

// trust has the identity provider import the SP metadata of cfg.
func trust(t testing.TB, h *harness, cfg samlflow.Config) {
	t.Helper()
	md, err := samlflow.Metadata(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.idp.TrustSP(md); err != nil {
		t.Fatal(err)
	}
}

func responseXML(t *testing.T, form url.Values) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestEncryptedRoundTrip: the identity provider encrypts the (signed)
// assertion to the certificate of the pool's metadata, and Finish
// decrypts it with the pool's key: required with EncryptedResponses=true,
// accepted with it off (an identity provider that encrypts whenever the
// SP metadata lists a certificate).
func TestEncryptedRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cbc     bool
		setting string
	}{{"AES-256-GCM", false, "true"}, {"AES-256-CBC in a signed Response", true, "true"}, {"EncryptedResponses off", false, "false"}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newKeyedHarness(t, map[string]string{pool.DetailEncryptedResponses: tc.setting})
			h.idp.SetKnobs(fedtest.SAMLKnobs{EncryptCBC: tc.cbc})
			form, p := h.post(t)
			x := responseXML(t, form)
			if !strings.Contains(x, "EncryptedAssertion") || strings.Contains(x, h.idp.User().NameID) {
				t.Fatalf("the identity provider did not encrypt the assertion:\n%s", x)
			}
			res, err := h.client.Finish(context.Background(), h.cfg, p, form, time.Now())
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if u := h.idp.User(); res.Subject != u.NameID || res.Claims[fedtest.SAMLAttrEmail] != u.Email {
				t.Errorf("Result %+v, want the IdP's user %+v", res, u)
			}
			if res.AssertionID == "" || res.NotOnOrAfter.IsZero() {
				t.Errorf("Result %+v lacks the assertion ID or its expiry", res)
			}
		})
	}
}

// TestEncryptedRefused: encrypted assertions that are unsigned, were
// encrypted to another key, use CBC in an unsigned Response, or do not
// match the EncryptedResponses setting are refused.
func TestEncryptedRefused(t *testing.T) {
	on := map[string]string{pool.DetailEncryptedResponses: "true"}
	for _, tc := range []struct {
		name    string
		details map[string]string
		knobs   fedtest.SAMLKnobs
		setup   func(t *testing.T, h *harness)
		is      error
	}{
		{name: "encrypted, unsigned assertion in a signed response", details: on,
			knobs: fedtest.SAMLKnobs{UnsignedAssertion: true}, is: samlflow.ErrUnsignedAssertion},
		{name: "encrypted, nothing signed", details: on,
			knobs: fedtest.SAMLKnobs{UnsignedAssertion: true, UnsignedResponse: true}, is: samlflow.ErrUnsignedAssertion},
		{name: "CBC in an unsigned response", details: on,
			knobs: fedtest.SAMLKnobs{EncryptCBC: true, UnsignedResponse: true}, is: saml.ErrInvalidSignature},
		{name: "encrypted to another key", details: on, is: saml.ErrDecryptionFailed,
			setup: func(t *testing.T, h *harness) {
				cfg := h.cfg
				cfg.Key, cfg.Certificate = otherSPKey.get(t)
				trust(t, h, cfg)
			}},
		{name: "plaintext assertion with EncryptedResponses on", details: on, is: samlflow.ErrUnencryptedAssertion,
			setup: func(t *testing.T, h *harness) {
				cfg := h.cfg
				cfg.Key, cfg.Certificate = nil, nil
				cfg.Details = map[string]string{pool.DetailMetadataFile: h.cfg.Details[pool.DetailMetadataFile]}
				trust(t, h, cfg)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newKeyedHarness(t, tc.details)
			if tc.setup != nil {
				tc.setup(t, h)
			}
			h.idp.SetKnobs(tc.knobs)
			form, p := h.post(t)
			res, err := h.client.Finish(context.Background(), h.cfg, p, form, time.Now())
			checkRefused(t, res, err, upstream.Invalid, tc.is)
		})
	}
}

// TestSignedRequest: with RequestSigningAlgorithm=rsa-sha256 the
// AuthnRequest carries the HTTP-Redirect binding's SigAlg and Signature,
// made with the pool's key over the query as the binding defines it;
// the identity provider, which requires signed requests, verifies it
// against the pool's metadata and refuses it once altered.
func TestSignedRequest(t *testing.T) {
	h := newKeyedHarness(t, map[string]string{pool.DetailRequestSigningAlgorithm: "rsa-sha256"})
	h.idp.RequireSignedRequests(true)
	redirect, p, err := h.client.Begin(context.Background(), h.cfg, "relay")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(redirect)
	q := u.Query()
	if q.Get("SigAlg") != dsig.RSASHA256SignatureMethod || q.Get("Signature") == "" {
		t.Fatalf("query %v lacks SigAlg rsa-sha256 or Signature", q)
	}
	// saml-bindings §3.4.4.1: the signed octets are the raw query
	// parameters SAMLRequest, RelayState, SigAlg in that order.
	var signed []string
	for _, part := range strings.Split(u.RawQuery, "&") {
		if !strings.HasPrefix(part, "Signature=") {
			signed = append(signed, part)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(strings.Join(signed, "&")))
	if err := rsa.VerifyPKCS1v15(h.cfg.Certificate.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("the Signature does not verify with the pool's certificate: %v", err)
	}

	post, err := h.idp.SignIn(redirect)
	if err != nil {
		t.Fatalf("the identity provider refused the signed request: %v", err)
	}
	if _, err := h.client.Finish(context.Background(), h.cfg, p, post.Form, time.Now()); err != nil {
		t.Fatalf("Finish: %v", err)
	}

	sig[0] ^= 1
	q.Set("Signature", base64.StdEncoding.EncodeToString(sig))
	u.RawQuery = strings.Join(signed, "&") + "&Signature=" + url.QueryEscape(q.Get("Signature"))
	if _, err := h.idp.SignIn(u.String()); err == nil {
		t.Error("the identity provider accepted an altered signature")
	}

	// Without the setting, requests are not signed, and this identity
	// provider refuses them.
	plain := newKeyedHarness(t, nil)
	plain.idp.RequireSignedRequests(true)
	redirect, _, err = plain.client.Begin(context.Background(), plain.cfg, "relay")
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(redirect); u.Query().Has("Signature") || u.Query().Has("SigAlg") {
		t.Errorf("an unsigned provider's request is signed: %s", redirect)
	}
	if _, err := plain.idp.SignIn(redirect); err == nil {
		t.Error("the identity provider accepted an unsigned request although it requires signed ones")
	}
}

// TestKeyedSettings: RequestSigningAlgorithm other than rsa-sha256 is
// refused even with the key; without the key both settings stay refused
// (TestUnsupportedSettings).
func TestKeyedSettings(t *testing.T) {
	h := newKeyedHarness(t, map[string]string{pool.DetailRequestSigningAlgorithm: "rsa-sha1"})
	_, _, err := h.client.Begin(context.Background(), h.cfg, "a")
	if upstream.KindOf(err) != upstream.Invalid || !strings.Contains(err.Error(), "rsa-sha256") {
		t.Errorf("Begin with rsa-sha1: %v, want Invalid naming rsa-sha256", err)
	}
}

// TestSPMetadataWithKey: with the pool's key pair the metadata lists its
// certificate for signing and for encryption; AuthnRequestsSigned
// follows RequestSigningAlgorithm.
func TestSPMetadataWithKey(t *testing.T) {
	key, cert := spKey.get(t)
	b64 := base64.StdEncoding.EncodeToString(cert.Raw)
	for _, tc := range []struct {
		alg    string
		signed string
	}{{"", `AuthnRequestsSigned="false"`}, {"rsa-sha256", `AuthnRequestsSigned="true"`}} {
		cfg := samlflow.Config{EntityID: "urn:amazon:cognito:sp:" + poolID, ACSURL: "https://auth.example.com/saml2/idpresponse",
			Key: key, Certificate: cert, Details: map[string]string{pool.DetailRequestSigningAlgorithm: tc.alg}}
		md, err := samlflow.Metadata(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var ed saml.EntityDescriptor
		if err := xmlUnmarshal(md, &ed); err != nil {
			t.Fatal(err)
		}
		uses := map[string]string{}
		for _, kd := range ed.SPSSODescriptors[0].KeyDescriptors {
			for _, c := range kd.KeyInfo.X509Data.X509Certificates {
				uses[kd.Use] = strings.Join(strings.Fields(c.Data), "")
			}
		}
		if uses["signing"] != b64 || uses["encryption"] != b64 {
			t.Errorf("alg %q: metadata certificates by use %v, want the pool's for signing and encryption", tc.alg, uses)
		}
		if !strings.Contains(string(md), tc.signed) {
			t.Errorf("alg %q: metadata lacks %s:\n%s", tc.alg, tc.signed, md)
		}
	}
}
