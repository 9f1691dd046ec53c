package samlflow

import (
	"encoding/base64"
	"encoding/xml"
	"time"

	"github.com/crewjam/saml"
)

// spMetadata renders the SP metadata of cfg: entity id, the ACS URL with
// the HTTP-POST binding, signed assertions wanted. With the pool's key
// pair it lists Certificate for encryption and for signing (whether or
// not this provider's requests are signed, so that one metadata file
// serves every provider of the pool), and AuthnRequestsSigned follows
// RequestSigningAlgorithm; without it, no keys.
func spMetadata(cfg Config) ([]byte, error) {
	sp, err := serviceProvider(cfg, nil, time.Now())
	if err != nil {
		return nil, err
	}
	md := sp.Metadata()
	if cfg.Key != nil && cfg.Certificate != nil && len(md.SPSSODescriptors) == 1 {
		d := &md.SPSSODescriptors[0]
		signing := false
		for _, kd := range d.KeyDescriptors {
			signing = signing || kd.Use == "signing"
		}
		if !signing {
			d.KeyDescriptors = append(d.KeyDescriptors, saml.KeyDescriptor{
				Use: "signing",
				KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{
					{Data: base64.StdEncoding.EncodeToString(cfg.Certificate.Raw)},
				}}},
			})
		}
	}
	out, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}
