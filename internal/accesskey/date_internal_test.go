package accesskey

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCheckRequestDateHeader: without X-Amz-Date, the Date header (an
// HTTP date) dates the request, must be signed, and gives the string to
// sign the same ISO-8601 basic timestamp.
func TestCheckRequestDateHeader(t *testing.T) {
	now := time.Date(2026, 12, 3, 13, 14, 15, 0, time.UTC)
	sig := strings.Repeat("0f", 32)
	cred := "Credential=AKIAAAAAAAAAAAAAAAAA/20261203/us-east-1/cognito-idp/aws4_request"
	r := httptest.NewRequest(http.MethodPost, "http://h/", nil)
	r.Header.Set("Date", "Thu, 03 Dec 2026 13:14:15 GMT")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=date;host, Signature="+sig)
	sr, err := checkRequest(r, now)
	if err != nil {
		t.Fatal(err)
	}
	if sr.amzDate != "20261203T131415Z" {
		t.Fatalf("amzDate = %q", sr.amzDate)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 "+cred+", SignedHeaders=host, Signature="+sig)
	if _, err := checkRequest(r, now); err == nil || !strings.Contains(err.Error(), "'Date' must be a signed header") {
		t.Fatalf("unsigned Date: %v", err)
	}
	r.Header.Set("Date", "yesterday")
	if _, err := checkRequest(r, now); err == nil || !strings.Contains(err.Error(), "IncompleteSignatureException") {
		t.Fatalf("bad Date: %v", err)
	}
}
