package cognitoapi

import "encoding/base64"

// getSigningCertificate is GetSigningCertificate: the pool's SAML
// certificate (admin.Service.SAMLCertificate, made on first use), which
// identity providers use to verify its signed AuthnRequests and to
// encrypt assertions to it. Certificate is the DER certificate in
// standard base64, without PEM armour, as Cognito returns it.
func getSigningCertificate(c *call) (any, error) {
	var req poolIDRequest
	id, err := c.onPool(&req, &req, nil)
	if err != nil {
		return nil, err
	}
	cert, _, err := c.api.cfg.Admin.SAMLCertificate(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return struct {
		Certificate string `json:"Certificate"`
	}{base64.StdEncoding.EncodeToString(cert.Raw)}, nil
}
