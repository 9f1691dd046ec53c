package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"

	"github.com/linkpool/linkpool/internal/admin"
)

// runIdpSAMLCertificate is idp saml-certificate: the pool's SAML
// certificate (admin.Service.SAMLCertificate, made on first use), as PEM
// for a SAML identity provider's administrator, or with --json as
// GetSigningCertificate answers it, with the pool's SP entity id.
func runIdpSAMLCertificate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp saml-certificate", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	cert, _, err := d.admin.SAMLCertificate(ctx, p.ID)
	if err != nil {
		return adminErr(err)
	}
	if c.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]string{
			"Certificate": base64.StdEncoding.EncodeToString(cert.Raw),
			"EntityId":    admin.SAMLEntityID(p.ID),
			"NotAfter":    cert.NotAfter.UTC().Format("2006-01-02T15:04:05Z"),
		})
	}
	return pem.Encode(e.stdout, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}
