package samlflow

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/pool"
)

// MaxResponseSize bounds the SAMLResponse form value (base64), in bytes.
const MaxResponseSize = 512 << 10

const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

func (c *Client) finish(ctx context.Context, cfg Config, p Pending, form url.Values, now time.Time) (Result, error) {
	if err := checkSupported(cfg); err != nil {
		return Result{}, err
	}
	idpInitiated := p.RequestID == ""
	if idpInitiated && cfg.Details[pool.DetailIDPInit] != "true" {
		return Result{}, invalid("the response does not answer a sign-in request of this browser, and IdP-initiated sign-in (IDPInit) is off", saml.ErrRequestIDMismatch)
	}
	raw, err := decodeForm(form)
	if err != nil {
		return Result{}, err
	}
	shape, err := inspect(raw)
	if err != nil {
		return Result{}, err
	}
	switch {
	case shape.encrypted && (cfg.Key == nil || cfg.Certificate == nil):
		return Result{}, invalid("the assertion is encrypted, and the pool's SAML key pair is not available to decrypt it: turn encryption off at the identity provider", ErrUnsupported)
	case shape.assertionID != "" && cfg.Details[pool.DetailEncryptedResponses] == "true":
		return Result{}, invalid("the assertion is not encrypted, but the provider's EncryptedResponses setting is on: the identity provider must encrypt assertions with the pool's certificate", ErrUnencryptedAssertion)
	case shape.assertionID != "" && !shape.signedAssertion:
		return Result{}, errUnsigned()
	}

	md, err := c.idpMetadata(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	sp, err := serviceProvider(cfg, md, now)
	if err != nil {
		return Result{}, invalid("the pool's service provider settings are invalid", err)
	}
	var requestIDs []string
	if idpInitiated {
		sp.AllowIDPInitiated = true
	} else {
		requestIDs = []string{p.RequestID}
	}
	// crewjam/saml reports through the replay cache how long the
	// assertion it accepts stays acceptable: the caller's replay check
	// must remember the ID that long.
	var until consumed
	sp.ReplayCache = &until
	assertion, err := sp.ParseXMLResponse(raw, requestIDs, sp.AcsURL)
	if err != nil {
		if shape.encrypted && !shape.signedResponse && signatureMissing(err) {
			// Nothing signed: the Response has no signature, and what
			// the EncryptedAssertion decrypted to has none either.
			return Result{}, errUnsigned()
		}
		return Result{}, refused(err)
	}
	// crewjam/saml accepts an unsigned assertion in a signed Response. A
	// signature on the assertion itself is required here: crewjam/saml
	// verifies every signature an assertion carries, so the one Assertion
	// of the Response carrying one means it was verified.
	// An encrypted assertion is read from what it decrypts to, so the
	// signature must be on that: crewjam/saml verified it when present.
	if shape.encrypted {
		if assertion.Signature == nil {
			return Result{}, errUnsigned()
		}
	} else if !shape.signedAssertion || assertion.ID != shape.assertionID || assertion.Signature == nil {
		return Result{}, errUnsigned()
	}
	if assertion.Subject == nil || assertion.Subject.NameID == nil || strings.TrimSpace(assertion.Subject.NameID.Value) == "" {
		return Result{}, invalid("the assertion has no NameID", saml.ErrMissingElement)
	}
	if err := pool.ValidateSubject(assertion.Subject.NameID.Value); err != nil {
		return Result{}, invalid(fmt.Sprintf("the assertion's NameID is longer than %d bytes or holds control characters", pool.MaxSubjectLen), nil)
	}
	if until.id != assertion.ID || until.at.IsZero() {
		return Result{}, invalid("the assertion has no ID", saml.ErrMissingElement)
	}
	subject := assertion.Subject.NameID.Value
	return Result{
		Subject:      subject,
		Claims:       claims(assertion, subject),
		AssertionID:  assertion.ID,
		NotOnOrAfter: until.at,
	}, nil
}

func errUnsigned() error {
	return invalid("the assertion is not signed (a signed Response alone is not accepted)", ErrUnsignedAssertion)
}

// consumed is a one-use saml.AssertionReplayCache that records the
// assertion crewjam/saml accepted and until when it would accept it. The
// real replay check is the caller's (store.ConsumeAuthSession).
type consumed struct {
	id string
	at time.Time
}

func (c *consumed) Consume(id string, expiresAt time.Time) error {
	c.id, c.at = id, expiresAt
	return nil
}

// decodeForm returns the decoded SAMLResponse of an HTTP-POST binding
// form. The artifact binding is refused (it needs a back-channel call to
// the provider), and so is a form carrying the parameter twice.
func decodeForm(form url.Values) ([]byte, error) {
	if _, ok := form["SAMLart"]; ok {
		return nil, invalid("the HTTP-Artifact binding is not supported: set the identity provider to post the response (HTTP-POST binding)", ErrUnsupported)
	}
	values := form["SAMLResponse"]
	if len(values) != 1 || values[0] == "" {
		return nil, invalid("the form must carry exactly one SAMLResponse", saml.ErrMalformedMessage)
	}
	if len(values[0]) > MaxResponseSize {
		return nil, invalid("the SAMLResponse is too large", saml.ErrMalformedMessage)
	}
	// Some providers wrap the base64 text in lines.
	enc := strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\t', ' ':
			return -1
		}
		return r
	}, values[0])
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, invalid("the SAMLResponse is not base64", saml.ErrMalformedMessage)
	}
	return raw, nil
}

// responseShape is what inspect finds in a Response before crewjam/saml
// validates it.
type responseShape struct {
	assertionID     string // of the plaintext assertion
	signedAssertion bool
	encrypted       bool // the one assertion is an EncryptedAssertion
	signedResponse  bool // the Response carries a ds:Signature of its own
}

// signatureMissing reports crewjam/saml's refusal of an unsigned
// assertion in an unsigned Response. The library does not classify it;
// its sentinel's text (errSignatureElementNotPresent) is the one sign.
// TestEncryptedRefused fails if that changes.
func signatureMissing(err error) bool {
	var ire *saml.InvalidResponseError
	return errors.As(err, &ire) && ire.PrivateErr != nil &&
		strings.Contains(ire.PrivateErr.Error(), "signature element not present")
}

// inspect reads the Response as received: a samlp:Response with at most
// one saml:Assertion or saml:EncryptedAssertion (not both), and whether a
// plaintext assertion carries a ds:Signature as a child of its own. A Response with a status
// other than Success has no assertion; crewjam/saml then reports the
// status.
func inspect(raw []byte) (responseShape, error) {
	var shape responseShape
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return shape, invalid("the SAMLResponse is not well-formed XML", saml.ErrMalformedMessage)
	}
	root := doc.Root()
	if root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return shape, invalid("the SAMLResponse is not a SAML 2.0 Response", saml.ErrMalformedMessage)
	}
	var assertions []*etree.Element
	encrypted := 0
	for _, el := range root.ChildElements() {
		switch {
		case el.Tag == "EncryptedAssertion" && el.NamespaceURI() == nsAssertion:
			encrypted++
		case el.Tag == "Assertion" && el.NamespaceURI() == nsAssertion:
			assertions = append(assertions, el)
		case el.Tag == "Signature" && el.NamespaceURI() == nsDSig:
			shape.signedResponse = true
		}
	}
	switch len(assertions) + encrypted {
	case 0:
		return shape, nil
	case 1:
	default:
		return shape, invalid("the response carries more than one assertion", saml.ErrMalformedMessage)
	}
	if encrypted == 1 {
		shape.encrypted = true
		return shape, nil
	}
	a := assertions[0]
	shape.assertionID = a.SelectAttrValue("ID", "")
	if shape.assertionID == "" {
		return shape, invalid("the assertion has no ID", saml.ErrMissingElement)
	}
	for _, el := range a.ChildElements() {
		if el.Tag == "Signature" && el.NamespaceURI() == nsDSig {
			shape.signedAssertion = true
		}
	}
	return shape, nil
}

// claims are the assertion's attributes by name and the NameID as
// pool.SAMLNameID. An attribute with one value is that value; several
// values (one attribute with several AttributeValues, or the same name
// in several statements) are rendered as Cognito renders them: "[a, b]".
func claims(a *saml.Assertion, subject string) map[string]string {
	values := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			if attr.Name == "" {
				continue
			}
			for _, v := range attr.Values {
				values[attr.Name] = append(values[attr.Name], v.Value)
			}
			if _, ok := values[attr.Name]; !ok {
				values[attr.Name] = nil
			}
		}
	}
	out := make(map[string]string, len(values)+1)
	for name, vals := range values {
		switch len(vals) {
		case 0:
			out[name] = ""
		case 1:
			out[name] = vals[0]
		default:
			out[name] = "[" + strings.Join(vals, ", ") + "]"
		}
	}
	out[pool.SAMLNameID] = subject
	return out
}
