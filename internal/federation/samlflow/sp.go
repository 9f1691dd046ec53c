package samlflow

import (
	"errors"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// serviceProvider is crewjam/saml's service provider for cfg, with md
// as the identity provider's metadata (nil for the SP metadata alone),
// and now as its clock.
func serviceProvider(cfg Config, md *saml.EntityDescriptor, now time.Time) (*saml.ServiceProvider, error) {
	if cfg.EntityID == "" {
		return nil, errors.New("no SP entity id")
	}
	acs, err := url.Parse(cfg.ACSURL)
	if err != nil || (acs.Scheme != "https" && acs.Scheme != "http") || acs.Host == "" {
		return nil, errors.New("the ACS URL is not an absolute http(s) URL")
	}
	return &saml.ServiceProvider{
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
	}, nil
}
