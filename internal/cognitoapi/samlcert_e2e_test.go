package cognitoapi_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestGetSigningCertificateWithSDK: GetSigningCertificate through
// aws-sdk-go-v2 answers the pool's certificate as base64 DER; it parses,
// names the pool's SP entity id, stays the same on the next call, and its
// public key verifies the signature of an AuthnRequest the SAML sign-in
// makes with the pool's key.
func TestGetSigningCertificateWithSDK(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, realKeys)
	c := e.keySDK(t)

	out, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String(e.pool.ID)})
	if err != nil {
		t.Fatalf("GetSigningCertificate: %v", err)
	}
	b64 := aws.ToString(out.Certificate)
	if strings.Contains(b64, "BEGIN") || strings.ContainsAny(b64, "\n ") {
		t.Fatalf("Certificate %q is not bare base64", b64)
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("Certificate does not parse: %v", err)
	}
	if cert.Subject.CommonName != "urn:amazon:cognito:sp:"+e.pool.ID {
		t.Errorf("subject %q, want the pool's SP entity id", cert.Subject)
	}
	again, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String(e.pool.ID)})
	if err != nil || aws.ToString(again.Certificate) != b64 {
		t.Fatalf("second GetSigningCertificate: %v, same certificate %v", err, aws.ToString(again.Certificate) == b64)
	}

	// What signs the pool's AuthnRequests is the key of this certificate.
	idp := fedtest.NewSAMLIdP(t)
	spCert, key, err := e.app.Admin.SAMLCertificate(ctx, e.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := samlflow.Config{EntityID: "urn:amazon:cognito:sp:" + e.pool.ID, ACSURL: e.srv.URL + "/saml2/idpresponse",
		Key: key, Certificate: spCert,
		Details: map[string]string{pool.DetailMetadataFile: string(idp.MetadataXML()), pool.DetailRequestSigningAlgorithm: "rsa-sha256"}}
	redirect, _, err := samlflow.New(nil).Begin(ctx, cfg, "relay")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(redirect)
	var signed []string
	for _, part := range strings.Split(u.RawQuery, "&") {
		if !strings.HasPrefix(part, "Signature=") {
			signed = append(signed, part)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(u.Query().Get("Signature"))
	if err != nil || len(sig) == 0 {
		t.Fatalf("AuthnRequest without a signature: %s", redirect)
	}
	digest := sha256.Sum256([]byte(strings.Join(signed, "&")))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("the AuthnRequest's signature does not verify with GetSigningCertificate's certificate: %v", err)
	}
}

// TestGetSigningCertificateRefused: a missing pool id, an unknown pool
// and a key limited to another pool are refused with Cognito's
// exceptions.
func TestGetSigningCertificateRefused(t *testing.T) {
	e := newEnv(t)
	missing := "us-east-1_Missing99"
	for _, tc := range []struct{ name, key, body, typ, msg string }{
		{"no pool id", keyAdmin, `{}`, "InvalidParameterException", "'userPoolId'"},
		{"unknown pool", keyAdmin, `{"UserPoolId":"` + missing + `"}`, "ResourceNotFoundException", "User pool " + missing + " does not exist."},
		{"other pool", keyOther, `{"UserPoolId":"` + e.pool.ID + `"}`, "AccessDeniedException", ""},
	} {
		status, _, m := e.raw(t, cognitoapi.TargetPrefix+"GetSigningCertificate", tc.key, tc.body)
		msg, _ := m["message"].(string)
		if status != 400 && status != 403 || m["__type"] != tc.typ || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %v, want %s %q", tc.name, status, m, tc.typ, tc.msg)
		}
	}
	if _, err := e.app.Store.GetSAMLKey(context.Background(), e.pool.ID); err == nil {
		t.Error("a refused call created the pool's SAML key")
	}
}
