package accesskey

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAAAAAAAAAAAAAAAAA/20261203/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0a", 32))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,==,Credential==")
	f.Add("Basic x")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if !isLowerHex(a.Signature, 64) || len(a.SignedHeaders) == 0 || !slices.IsSorted(a.SignedHeaders) ||
			!isDigits(a.Date, 8) || !isRegion(a.Region) || a.KeyID == "" || a.Service == "" {
			t.Fatalf("accepted %q as %+v", h, a)
		}
		if strings.Contains(a.scope(), "\n") {
			t.Fatalf("scope with a newline: %q", a.scope())
		}
	})
}

// FuzzCheckAndCanonicalize runs the request checks and the canonical
// request on arbitrary Authorization headers, dates, paths and queries:
// no input may panic.
func FuzzCheckAndCanonicalize(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAAAAAAAAAAAAAAAAA/20261203/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date;x-odd, Signature="+strings.Repeat("0a", 32),
		"20261203T131415Z", "/a%20b/", "b=2&a=%zz&c", "  x  y ")
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, auth, date, path, query, value string) {
		r := &http.Request{Method: "POST", Host: "h", Header: http.Header{}, URL: &url.URL{Path: path, RawQuery: query}}
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		r.Header["x-odd"] = []string{value}
		sr, err := checkRequest(r, time.Date(2026, 12, 3, 13, 14, 15, 0, time.UTC))
		if err != nil {
			return
		}
		_ = verifyWithKey(r, sr, strings.Repeat("0", 64), signingKey([]byte("secret"), sr.auth.Date, sr.auth.Region, sr.auth.Service))
	})
}
