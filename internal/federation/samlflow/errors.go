package samlflow

import (
	"errors"
	"regexp"

	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/federation/upstream"
)

func unavailable(desc string, err error) *upstream.Error {
	return &upstream.Error{Kind: upstream.Unavailable, Description: desc, Err: err}
}

func invalid(desc string, err error) *upstream.Error {
	return &upstream.Error{Kind: upstream.Invalid, Description: desc, Err: err}
}

// Errors Finish's *upstream.Error wraps for the checks this package adds
// to crewjam/saml's; the others wrap crewjam/saml's classification
// (saml.ErrExpired, saml.ErrAudienceMismatch, ...).
var (
	// ErrUnsignedAssertion: the assertion carries no signature of its
	// own (a signature on the enclosing Response is not enough).
	ErrUnsignedAssertion = errors.New("samlflow: the assertion is not signed")
	// ErrUnsupported: a binding or feature this service provider does
	// not implement (artifact binding), or a setting it cannot honour
	// (encrypted assertions or signed requests without the pool's key
	// pair, an encrypted assertion with EncryptedResponses off).
	ErrUnsupported = errors.New("samlflow: not supported")
	// ErrUnencryptedAssertion: EncryptedResponses is on and the
	// assertion came in plaintext.
	ErrUnencryptedAssertion = errors.New("samlflow: the assertion is not encrypted")
)

// responseChecks maps crewjam/saml's classification of a refused
// Response to a description safe to show and log. The first match wins,
// so the more specific classes come first.
var responseChecks = []struct {
	class error
	desc  string
}{
	{saml.ErrAssertionReplayed, "the assertion was already used"},
	{saml.ErrExpired, "the assertion has expired (or the clocks of the identity provider and linkpool disagree)"},
	{saml.ErrNotYetValid, "the assertion is not valid yet (the clocks of the identity provider and linkpool disagree)"},
	{saml.ErrAudienceMismatch, "the assertion is not for this service provider (audience)"},
	{saml.ErrDestinationMismatch, "the response is not addressed to this service provider (Destination or Recipient)"},
	{saml.ErrRequestIDMismatch, "the response does not answer this sign-in request (InResponseTo)"},
	{saml.ErrIssuerMismatch, "the response is not from the identity provider in the metadata (Issuer)"},
	{saml.ErrUntrustedCertificate, "the response is signed with a certificate that is not in the identity provider's metadata"},
	{saml.ErrCertificateNotValidNow, "the identity provider's signing certificate is expired or not yet valid"},
	{saml.ErrInvalidSignature, "the signature of the response or assertion is invalid"},
	{saml.ErrDecryptionFailed, "the encrypted assertion could not be decrypted with the pool's SAML key (is the identity provider encrypting to the pool's current certificate?)"},
	{saml.ErrMissingElement, "the response lacks a required element"},
	{saml.ErrMalformedMessage, "the response is not a well-formed SAML message"},
	{saml.ErrUnsupported, "the response uses a SAML feature this service provider does not support"},
}

// refused turns an error of crewjam/saml's ParseXMLResponse into an
// *upstream.Error. It wraps only the classification sentinel, never the
// library's own error, which holds the whole response.
func refused(err error) *upstream.Error {
	var status saml.ErrBadStatus
	if errors.As(err, &status) {
		code := safeStatus(status.Status)
		return &upstream.Error{Kind: upstream.Denied, Code: code,
			Description: "the identity provider did not sign the user in (status " + shortStatus(code) + ")"}
	}
	for _, c := range responseChecks {
		if errors.Is(err, c.class) {
			return invalid(c.desc, c.class)
		}
	}
	return invalid("the response was refused", nil)
}

// statusPattern is a SAML 2.0 status code URI (SAML core 3.2.2.2).
var statusPattern = regexp.MustCompile(`^urn:oasis:names:tc:SAML:2\.0:status:[A-Za-z]{1,40}$`)

// safeStatus keeps a Response's status only when it is a SAML 2.0 status
// URI, else "unknown": crewjam/saml reports the status before it checks
// any signature, so it may be anyone's text.
func safeStatus(s string) string {
	if statusPattern.MatchString(s) {
		return s
	}
	return "unknown"
}

// shortStatus is the last part of a SAML status URI:
// urn:oasis:names:tc:SAML:2.0:status:Requester => Requester.
func shortStatus(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return s[i+1:]
		}
	}
	return s
}
