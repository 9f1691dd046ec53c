package samlflow_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/linkpool/linkpool/internal/federation/fedtest"
	"github.com/linkpool/linkpool/internal/federation/samlflow"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// validResponse runs a sign-in up to the identity provider's answer and
// returns the Pending and the Response as an XML document.
func (h *harness) validResponse(t *testing.T) (samlflow.Pending, *etree.Document) {
	t.Helper()
	form, p := h.post(t)
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	return p, doc
}

func (h *harness) finishDoc(t *testing.T, p samlflow.Pending, doc *etree.Document) (samlflow.Result, error) {
	t.Helper()
	raw, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}}
	return h.client.Finish(context.Background(), h.cfg, p, form, time.Now())
}

// TestSignatureWrapping: rearrangements of a validly signed Response
// that put a forged assertion where a careless service provider reads
// the user from are refused.
func TestSignatureWrapping(t *testing.T) {
	h := newHarness(t, false)
	forge := func(a *etree.Element, keepSignature bool) *etree.Element {
		f := a.Copy()
		f.FindElement("./Subject/NameID").SetText("mallory")
		if !keepSignature {
			f.RemoveChild(f.FindElement("./Signature"))
		}
		return f
	}
	for _, tc := range []struct {
		name string
		edit func(resp, assertion *etree.Element)
		is   error
	}{
		{"a second, forged assertion after the signed one", func(resp, a *etree.Element) {
			resp.AddChild(forge(a, false))
		}, nil},
		{"a forged assertion before the signed one", func(resp, a *etree.Element) {
			resp.InsertChildAt(a.Index(), forge(a, false))
		}, nil},
		{"the signed assertion hidden in Extensions, a forged unsigned one in its place", func(resp, a *etree.Element) {
			resp.RemoveChild(a)
			ext := resp.CreateElement("samlp:Extensions")
			ext.AddChild(a)
			resp.AddChild(forge(a, false))
		}, samlflow.ErrUnsignedAssertion},
		{"the signed assertion hidden in Extensions, a forged one with its signature in its place", func(resp, a *etree.Element) {
			resp.RemoveChild(a)
			ext := resp.CreateElement("samlp:Extensions")
			ext.AddChild(a)
			resp.AddChild(forge(a, true))
		}, saml.ErrInvalidSignature},
		{"the NameID changed", func(resp, a *etree.Element) {
			a.FindElement("./Subject/NameID").SetText("mallory")
		}, saml.ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, doc := h.validResponse(t)
			resp := doc.Root()
			a := resp.FindElement("./Assertion")
			if a == nil {
				t.Fatal("no Assertion in the IdP's response")
			}
			tc.edit(resp, a)
			res, err := h.finishDoc(t, p, doc)
			checkRefused(t, res, err, upstream.Invalid, tc.is)
		})
	}
	// The untouched response still passes: the edits are what is refused.
	p, doc := h.validResponse(t)
	if _, err := h.finishDoc(t, p, doc); err != nil {
		t.Fatalf("untouched response: %v", err)
	}
}

// TestForgedStatus: crewjam/saml reports a Response's status before it
// checks any signature, so the status of an unsigned Response is
// attacker text; only a well-formed SAML status URI is kept.
func TestForgedStatus(t *testing.T) {
	h := newHarness(t, false)
	h.idp.SetKnobs(fedtest.SAMLKnobs{Status: saml.StatusRequester})
	for name, status := range map[string]string{
		"markup":        "urn:oasis:names:tc:SAML:2.0:status:Requester\n<script>alert(1)</script>",
		"other URI":     "urn:evil:status:Requester",
		"long":          "urn:oasis:names:tc:SAML:2.0:status:" + strings.Repeat("A", 41),
		"empty suffix":  "urn:oasis:names:tc:SAML:2.0:status:",
		"digits suffix": "urn:oasis:names:tc:SAML:2.0:status:Req1",
	} {
		t.Run(name, func(t *testing.T) {
			p, doc := h.validResponse(t)
			root := doc.Root()
			if sig := root.FindElement("./Signature"); sig != nil {
				root.RemoveChild(sig)
			}
			code := root.FindElement("./Status/StatusCode")
			if code == nil {
				t.Fatal("the error response has no StatusCode")
			}
			code.CreateAttr("Value", status)
			_, err := h.finishDoc(t, p, doc)
			var ue *upstream.Error
			if !errors.As(err, &ue) || ue.Kind != upstream.Denied {
				t.Fatalf("Finish = %v, want a Denied *upstream.Error", err)
			}
			if ue.Code != "unknown" {
				t.Errorf("Code = %q, want unknown", ue.Code)
			}
			if strings.ContainsAny(err.Error(), "<\n") || strings.Contains(err.Error(), "evil") || strings.Contains(err.Error(), "AAAA") {
				t.Errorf("the error quotes the forged status: %q", err.Error())
			}
		})
	}
	t.Run("well-formed", func(t *testing.T) {
		p, doc := h.validResponse(t)
		_, err := h.finishDoc(t, p, doc)
		var ue *upstream.Error
		if !errors.As(err, &ue) || ue.Code != saml.StatusRequester {
			t.Fatalf("Finish = %v, want Code %q", err, saml.StatusRequester)
		}
	})
}

// TestNameIDBounds: a NameID that is empty, longer than
// pool.MaxSubjectLen bytes or holds a control character is refused.
func TestNameIDBounds(t *testing.T) {
	h := newHarness(t, false)
	for name, nameID := range map[string]string{
		"empty":      "",
		"blank":      "   ",
		"too long":   strings.Repeat("n", pool.MaxSubjectLen+1),
		"3 KB":       strings.Repeat("n", 3000),
		"tab inside": "jdoe\tx",
		"newline":    "jdoe\nx",
	} {
		t.Run(name, func(t *testing.T) {
			u := h.idp.User()
			u.NameID = nameID
			h.idp.SetUser(u)
			res, err := h.signIn(t)
			var is error
			if strings.TrimSpace(nameID) == "" {
				// A Success response whose only assertion has an empty NameID.
				is = saml.ErrMissingElement
			}
			checkRefused(t, res, err, upstream.Invalid, is)
		})
	}
	t.Run("128 bytes", func(t *testing.T) {
		u := h.idp.User()
		u.NameID = strings.Repeat("n", pool.MaxSubjectLen)
		h.idp.SetUser(u)
		res, err := h.signIn(t)
		if err != nil || res.Subject != u.NameID {
			t.Fatalf("Finish = %+v, %v", res, err)
		}
	})
}

// TestAttributeValues: one value is kept as it is, several values are
// rendered as Cognito renders them, "[a, b]".
func TestAttributeValues(t *testing.T) {
	h := newHarness(t, false)
	for name, tc := range map[string]struct {
		groups []string
		want   string
	}{
		"one":   {[]string{"staff"}, "staff"},
		"two":   {[]string{"staff", "admins"}, "[staff, admins]"},
		"three": {[]string{"a", "b,c", "d"}, "[a, b,c, d]"},
	} {
		t.Run(name, func(t *testing.T) {
			u := h.idp.User()
			u.Groups = tc.groups
			h.idp.SetUser(u)
			res, err := h.signIn(t)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Claims[fedtest.SAMLAttrGroups]; got != tc.want {
				t.Errorf("groups = %q, want %q", got, tc.want)
			}
		})
	}
}
