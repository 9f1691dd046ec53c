package samlflow

import (
	"errors"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/linkpool/linkpool/internal/pool"
)

// serviceProvider is crewjam/saml's service provider for cfg, with md
// as the identity provider's metadata (nil for the SP metadata alone),
// and now as its clock. With the pool's key pair it decrypts assertions
// with the key and, for RequestSigningAlgorithm=rsa-sha256, signs
// AuthnRequests (the HTTP-Redirect binding's SigAlg and Signature).
func serviceProvider(cfg Config, md *saml.EntityDescriptor, now time.Time) (*saml.ServiceProvider, error) {
	if cfg.EntityID == "" {
		return nil, errors.New("no SP entity id")
	}
	acs, err := url.Parse(cfg.ACSURL)
	if err != nil || (acs.Scheme != "https" && acs.Scheme != "http") || acs.Host == "" {
		return nil, errors.New("the ACS URL is not an absolute http(s) URL")
	}
	sp := &saml.ServiceProvider{
		EntityID:    cfg.EntityID,
		AcsURL:      *acs,
		IDPMetadata: md,
		// The provider chooses the NameID format; its NameID is the
		// user's subject whatever the format.
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
		// Responses come with the HTTP-POST binding only: no artifact
		// resolution (a back-channel call), no SimpleSign.
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		// The metadata is imported once by the provider's administrator:
		// a validUntil would make it expire there.
		MetadataOmitValidUntil: true,
		// A SHA-1 signature is refused: SHA-1 collisions are practical.
		RejectSHA1Signatures: true,
		Clock:                dsig.NewFakeClockAt(now),
		// An assertion encrypted with a CBC cipher (no integrity) is
		// decrypted only inside a Response whose signature was verified
		// first: unauthenticated CBC ciphertexts make a decryption
		// oracle (saml-core errata E93). AES-GCM needs no such signature.
		RequireSignedResponseForCBC: true,
	}
	if cfg.Key != nil && cfg.Certificate != nil {
		sp.Key, sp.Certificate = cfg.Key, cfg.Certificate
		if cfg.Details[pool.DetailRequestSigningAlgorithm] == SigningAlgorithmRSASHA256 {
			sp.SignatureMethod = dsig.RSASHA256SignatureMethod
		}
	}
	return sp, nil
}
