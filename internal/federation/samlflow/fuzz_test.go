package samlflow_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/federation/upstream"
)

// FuzzFinish feeds Finish's parsing arbitrary Responses, seeded with a
// valid one from the test identity provider: Finish never panics, fails
// only with an *upstream.Error, and never signs in anyone but the
// identity provider's user.
func FuzzFinish(f *testing.F) {
	h := newHarness(f, false)
	form, p := h.post(f)
	valid, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		f.Fatal(err)
	}
	// No connection to the identity provider stays open while fuzzing.
	http.DefaultClient.CloseIdleConnections()
	now := time.Now()
	f.Add(valid)
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`))
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Assertion ID="x"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></saml:Assertion></samlp:Response>`))
	f.Add([]byte("<"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}}
		res, err := h.client.Finish(context.Background(), h.cfg, p, form, now)
		if err != nil {
			var ue *upstream.Error
			if !errors.As(err, &ue) {
				t.Fatalf("error %T %v is not an *upstream.Error", err, err)
			}
			return
		}
		if res.Subject != h.idp.User().NameID {
			t.Fatalf("signed in %q", res.Subject)
		}
	})
}
