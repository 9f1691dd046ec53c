package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"testing"
)

// TestIdpSAMLCertificate: the command prints the pool's SAML certificate
// as PEM, the same one every time and in --json (as GetSigningCertificate
// answers it), and refuses an unknown pool.
func TestIdpSAMLCertificate(t *testing.T) {
	h := newAdminHarness(t)
	p := h.createPool()
	out := h.ok("idp", "saml-certificate", "--pool", p.ID)
	block, rest := pem.Decode([]byte(out))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("not one PEM certificate:\n%s", out)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if want := "urn:amazon:cognito:sp:" + p.ID; cert.Subject.CommonName != want {
		t.Fatalf("subject %q, want %q", cert.Subject.CommonName, want)
	}
	if again := h.ok("idp", "saml-certificate", "--pool", p.ID); again != out {
		t.Fatal("a second call printed another certificate")
	}
	j := okJSON[map[string]string](h, "idp", "saml-certificate", "--pool", p.ID)
	if der, err := base64.StdEncoding.DecodeString(j["Certificate"]); err != nil || !bytes.Equal(der, block.Bytes) {
		t.Fatalf("--json certificate differs: %v", err)
	}
	if j["EntityId"] != cert.Subject.CommonName {
		t.Fatalf("--json entity id %q", j["EntityId"])
	}
	h.fails(1, "does not exist", "idp", "saml-certificate", "--pool", "eu-west-1_Nope12345")
}
