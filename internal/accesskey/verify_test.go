package accesskey_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/linkpool/linkpool/internal/accesskey"
)

const describeBody = `{"UserPoolId":"us-east-1_abcdefghi"}`

func TestVerifyAcceptsSDKSignedRequests(t *testing.T) {
	h := newHarness(t)
	k, secret := h.createKey(accesskey.CreateInput{Description: "ci"})
	body := []byte(describeBody)
	cases := []struct {
		name   string
		path   string
		region string
		prep   func(r *http.Request) // before signing
		after  func(r *http.Request) // after signing, unsigned
	}{
		{name: "plain", path: "/", region: "us-east-1"},
		{name: "other region", path: "/", region: "eu-central-2"},
		{name: "empty path", path: "", region: "us-east-1"},
		{
			name: "query needing encoding", region: "us-east-1",
			path: "/a%20b/c~d/%C3%BC?b=2&a=hello+world&a=1&c=%E2%9C%93&d=*~!'()&empty=&x%20y=z%2Fw&sp=a%20b",
		},
		{
			name: "unusual header casing and spacing", path: "/", region: "us-east-1",
			prep: func(r *http.Request) {
				r.Header["x-CUSTOM-header"] = []string{"  several   spaces\tand tab  "}
				r.Header["X-AMZ-target"] = r.Header["X-Amz-Target"]
				delete(r.Header, "X-Amz-Target")
				r.Header.Add("X-Repeated", "one")
				r.Header.Add("X-Repeated", " two ")
			},
		},
		{
			name: "extra unsigned headers", path: "/", region: "us-east-1",
			after: func(r *http.Request) {
				r.Header.Set("X-Forwarded-For", "203.0.113.9")
				r.Header.Set("User-Agent", "aws-cli/2.0 linkpool-test")
				r.Header.Set("X-Amzn-Trace-Id", "Root=1-abc")
			},
		},
		{
			name: "x-amz-content-sha256 matching the body", path: "/", region: "us-east-1",
			prep: func(r *http.Request) {
				r.Header.Set("X-Amz-Content-Sha256", "9a9eb6d3e1bc0f6ba0ca2bc2d49a63c8f1bf8b5d5d36ff0d5e5e0e2cf8d8cd4d")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.newRequest("DescribeUserPool", tc.path, body)
			if tc.prep != nil {
				tc.prep(r)
			}
			if r.Header.Get("X-Amz-Content-Sha256") != "" {
				r.Header.Set("X-Amz-Content-Sha256", sha256Hex(body))
			}
			sign(t, r, body, creds(k.ID, secret), "cognito-idp", tc.region, h.clock())
			if tc.after != nil {
				tc.after(r)
			}
			v := h.send(r, body)
			v.mustAccept(t, k.ID)
			if v.Region != tc.region {
				t.Errorf("region = %q, want %q", v.Region, tc.region)
			}
		})
	}
}

func TestVerifyClockSkew(t *testing.T) {
	h := newHarness(t)
	k, secret := h.createKey(accesskey.CreateInput{})
	body := []byte(describeBody)
	signedAt := h.clock()
	try := func(now time.Time) verdict {
		h.setNow(now)
		r := h.newRequest("DescribeUserPool", "/", body)
		sign(t, r, body, creds(k.ID, secret), "cognito-idp", "us-east-1", signedAt)
		return h.send(r, body)
	}
	try(signedAt.Add(4*time.Minute+59*time.Second)).mustAccept(t, k.ID)
	try(signedAt.Add(-4*time.Minute-59*time.Second)).mustAccept(t, k.ID)
	v := try(signedAt.Add(5*time.Minute + time.Second))
	v.mustRefuse(t, accesskey.CodeInvalidSignature, "Signature expired: "+signedAt.Format("20060102T150405Z")+" is now earlier than ")
	if !strings.HasSuffix(v.Message, " - 5 min.)") {
		t.Errorf("message %q", v.Message)
	}
	try(signedAt.Add(-5*time.Minute-time.Second)).mustRefuse(t, accesskey.CodeInvalidSignature, "Signature not yet current: ")
	try(signedAt.Add(-time.Hour)).mustRefuse(t, accesskey.CodeInvalidSignature, "Signature not yet current")
}

func TestVerifyRefuses(t *testing.T) {
	h := newHarness(t)
	k, secret := h.createKey(accesskey.CreateInput{})
	other, otherSecret := h.createKey(accesskey.CreateInput{})
	body := []byte(describeBody)
	good := creds(k.ID, secret)
	cases := []struct {
		name    string
		creds   aws.Credentials
		service string
		prep    func(r *http.Request)
		after   func(r *http.Request)
		send    []byte // body sent, when it differs from the signed one
		code    string
		msg     string
	}{
		{name: "wrong secret", creds: creds(k.ID, otherSecret), code: accesskey.CodeInvalidSignature,
			msg: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{name: "another key's id", creds: creds(other.ID, secret), code: accesskey.CodeInvalidSignature},
		{name: "unknown key", creds: creds("AKIAAAAAAAAAAAAAAAAA", secret), code: accesskey.CodeUnrecognizedClient,
			msg: "The security token included in the request is invalid."},
		{name: "key id not ours", creds: creds("ASIA-not-a-key", secret), code: accesskey.CodeUnrecognizedClient},
		{name: "body tampered after signing", creds: good, send: []byte(`{"UserPoolId":"us-east-1_zzzzzzzzz"}`), code: accesskey.CodeInvalidSignature},
		{name: "body tampered with x-amz-content-sha256", creds: good, send: []byte(`{"UserPoolId":"us-east-1_zzzzzzzzz"}`),
			prep: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", sha256Hex(body)) },
			code: accesskey.CodeInvalidSignature, msg: "x-amz-content-sha256"},
		{name: "wrong x-amz-content-sha256", creds: good,
			prep: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte("other"))) },
			code: accesskey.CodeInvalidSignature, msg: "x-amz-content-sha256"},
		{name: "signed header tampered", creds: good,
			after: func(r *http.Request) {
				r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool")
			},
			code: accesskey.CodeInvalidSignature},
		{name: "query added after signing", creds: good,
			after: func(r *http.Request) { r.URL.RawQuery = "a=1" }, code: accesskey.CodeInvalidSignature},
		{name: "path changed after signing", creds: good,
			after: func(r *http.Request) { r.URL.Path = "/other" }, code: accesskey.CodeInvalidSignature},
		{name: "method changed after signing", creds: good,
			after: func(r *http.Request) { r.Method = http.MethodPut }, code: accesskey.CodeInvalidSignature},
		{name: "session token", creds: aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: secret, SessionToken: "FwoGZXIvYXdzE"},
			code: accesskey.CodeUnrecognizedClient, msg: "does not accept temporary credentials (X-Amz-Security-Token)"},
		{name: "other service", creds: good, service: "s3", code: accesskey.CodeInvalidSignature,
			msg: "Credential should be scoped to correct service: 'cognito-idp'."},
		{name: "missing x-amz-date", creds: good, after: func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			code: accesskey.CodeIncompleteSignature, msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."},
		{name: "x-amz-date changed", creds: good,
			after: func(r *http.Request) {
				d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
				r.Header.Set("X-Amz-Date", d.Add(time.Second).Format("20060102T150405Z"))
			},
			code: accesskey.CodeInvalidSignature},
		{name: "missing Authorization", creds: good, after: func(r *http.Request) { r.Header.Del("Authorization") },
			code: accesskey.CodeMissingAuthenticationToken, msg: "Missing Authentication Token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.newRequest("DescribeUserPool", "/", body)
			if tc.prep != nil {
				tc.prep(r)
			}
			service := tc.service
			if service == "" {
				service = "cognito-idp"
			}
			sign(t, r, body, tc.creds, service, "us-east-1", h.clock())
			if tc.after != nil {
				tc.after(r)
			}
			sent := body
			if tc.send != nil {
				sent = tc.send
			}
			h.send(r, sent).mustRefuse(t, tc.code, tc.msg)
		})
	}
	// The control: the same request, untouched, passes.
	r := h.newRequest("DescribeUserPool", "/", body)
	sign(t, r, body, good, "cognito-idp", "us-east-1", h.clock())
	h.send(r, body).mustAccept(t, k.ID)
}

// TestVerifyMalformedAuthorization sends hand-made Authorization headers:
// each must be refused with IncompleteSignatureException, none may panic.
func TestVerifyMalformedAuthorization(t *testing.T) {
	h := newHarness(t)
	k, _ := h.createKey(accesskey.CreateInput{})
	now := h.clock()
	date := now.Format("20060102")
	sig := strings.Repeat("ab", 32)
	cred := "Credential=" + k.ID + "/" + date + "/us-east-1/cognito-idp/aws4_request"
	cases := map[string]string{
		"other algorithm":      "AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host;x-amz-date, Signature=" + sig,
		"basic auth":           "Basic dXNlcjpwYXNz",
		"bare algorithm":       "AWS4-HMAC-SHA256",
		"no signature":         "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date",
		"no credential":        "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=" + sig,
		"no signed headers":    "AWS4-HMAC-SHA256 " + cred + ", Signature=" + sig,
		"empty signed headers": "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, Signature=" + sig,
		"short credential":     "AWS4-HMAC-SHA256 Credential=" + k.ID + "/" + date + "/us-east-1/cognito-idp, SignedHeaders=host;x-amz-date, Signature=" + sig,
		"bad terminator":       "AWS4-HMAC-SHA256 Credential=" + k.ID + "/" + date + "/us-east-1/cognito-idp/aws5_request, SignedHeaders=host;x-amz-date, Signature=" + sig,
		"bad date":             "AWS4-HMAC-SHA256 Credential=" + k.ID + "/2026-1-1/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig,
		"empty region":         "AWS4-HMAC-SHA256 Credential=" + k.ID + "/" + date + "//cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig,
		"unsorted headers":     "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date;host, Signature=" + sig,
		"duplicate headers":    "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;host;x-amz-date, Signature=" + sig,
		"upper-case header":    "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host;x-amz-date, Signature=" + sig,
		"host not signed":      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=" + sig,
		"date not signed":      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=" + sig,
		"short signature":      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=abcd",
		"upper-case signature": "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=" + strings.ToUpper(sig),
		"repeated component":   "AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host;x-amz-date, Signature=" + sig,
		"unknown component":    "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=" + sig + ", Extra=1",
		"component without =":  "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders, Signature=" + sig,
		"control characters":   "AWS4-HMAC-SHA256\x00 " + cred,
	}
	for name, auth := range cases {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "http://cognito.example.com/", strings.NewReader(describeBody))
			r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
			r.Header.Set("Authorization", auth)
			_, err := h.svc.Verify(r, []byte(describeBody), now)
			mustCode(t, err, accesskey.CodeIncompleteSignature)
			if strings.Contains(err.Error(), sig) {
				t.Errorf("error echoes the signature: %v", err)
			}
		})
	}

	t.Run("scope date differs from x-amz-date", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "http://cognito.example.com/", strings.NewReader(describeBody))
		r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+k.ID+"/19991231/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature="+sig)
		_, err := h.svc.Verify(r, []byte(describeBody), now)
		mustCode(t, err, accesskey.CodeInvalidSignature)
		if !strings.Contains(err.Error(), "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '19991231' != '"+date+"'") {
			t.Errorf("message: %v", err)
		}
	})
	t.Run("two Authorization headers", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "http://cognito.example.com/", strings.NewReader(describeBody))
		r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
		r.Header.Add("Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=host;x-amz-date, Signature="+sig)
		r.Header.Add("Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=host;x-amz-date, Signature="+sig)
		_, err := h.svc.Verify(r, []byte(describeBody), now)
		mustCode(t, err, accesskey.CodeIncompleteSignature)
	})
	t.Run("presigned query", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "http://cognito.example.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x&X-Amz-Signature="+sig, nil)
		_, err := h.svc.Verify(r, nil, now)
		mustCode(t, err, accesskey.CodeIncompleteSignature)
	})
	t.Run("malformed x-amz-date", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "http://cognito.example.com/", nil)
		r.Header.Set("X-Amz-Date", now.Format(time.RFC3339))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=host;x-amz-date, Signature="+sig)
		_, err := h.svc.Verify(r, nil, now)
		mustCode(t, err, accesskey.CodeIncompleteSignature)
	})
}

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *accesskey.Error
	if !errorsAs(err, &ae) || ae.Code != code || ae.Status != http.StatusBadRequest {
		t.Fatalf("got %v, want %s (400)", err, code)
	}
}

func TestVerifyKeyLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	k, secret := h.createKey(accesskey.CreateInput{Description: "rotation"})
	body := []byte(describeBody)
	signed := func() *http.Request {
		r := h.newRequest("DescribeUserPool", "/", body)
		sign(t, r, body, creds(k.ID, secret), "cognito-idp", "us-east-1", h.clock())
		return r
	}
	start := h.clock()
	h.send(signed(), body).mustAccept(t, k.ID)

	// The use is recorded, at most once a minute.
	got, err := h.st.GetAccessKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastUsedAt.Equal(start) {
		t.Fatalf("LastUsedAt = %v, want %v", got.LastUsedAt, start)
	}
	h.setNow(start.Add(30 * time.Second))
	h.send(signed(), body).mustAccept(t, k.ID)
	if got, _ = h.st.GetAccessKey(ctx, k.ID); !got.LastUsedAt.Equal(start) {
		t.Fatalf("LastUsedAt moved within a minute: %v", got.LastUsedAt)
	}
	h.setNow(start.Add(61 * time.Second))
	h.send(signed(), body).mustAccept(t, k.ID)
	if got, _ = h.st.GetAccessKey(ctx, k.ID); !got.LastUsedAt.Equal(start.Add(61 * time.Second)) {
		t.Fatalf("LastUsedAt = %v, want %v", got.LastUsedAt, start.Add(61*time.Second))
	}

	// Deleted by another process (straight in the store): the unsealed
	// key is cached for a minute, then refused.
	if err := h.st.DeleteAccessKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	h.setNow(start.Add(90 * time.Second))
	h.send(signed(), body).mustAccept(t, k.ID)
	h.setNow(start.Add(2*time.Minute + 2*time.Second))
	h.send(signed(), body).mustRefuse(t, accesskey.CodeUnrecognizedClient, "")

	// Deleted through the service: refused at once.
	k2, secret2 := h.createKey(accesskey.CreateInput{})
	r := h.newRequest("DescribeUserPool", "/", body)
	sign(t, r, body, creds(k2.ID, secret2), "cognito-idp", "us-east-1", h.clock())
	h.send(r, body).mustAccept(t, k2.ID)
	if err := h.svc.Delete(ctx, k2.ID); err != nil {
		t.Fatal(err)
	}
	r = h.newRequest("DescribeUserPool", "/", body)
	sign(t, r, body, creds(k2.ID, secret2), "cognito-idp", "us-east-1", h.clock())
	h.send(r, body).mustRefuse(t, accesskey.CodeUnrecognizedClient, "")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
