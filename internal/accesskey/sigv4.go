package accesskey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far the request's date may be from the server's clock.
const MaxSkew = 5 * time.Minute

const amzDateFormat = "20060102T150405Z"

// signedRequest is what the signature of a request depends on, once the
// Authorization header is parsed and the dates are checked.
type signedRequest struct {
	auth    authorization
	amzDate string // the request time, as signed: YYYYMMDDTHHMMSSZ
}

// checkRequest parses the Authorization header of r and checks everything
// that does not need the secret: no session token, a date header within
// MaxSkew of now that agrees with the credential scope, the service, and
// host and the date header among the signed headers.
func checkRequest(r *http.Request, now time.Time) (signedRequest, error) {
	var sr signedRequest
	h := r.Header.Values("Authorization")
	if len(h) == 0 {
		if r.URL.Query().Has("X-Amz-Signature") || r.URL.Query().Has("X-Amz-Credential") {
			return sr, incomplete("Query-string (presigned) authentication is not supported; sign the Authorization header.")
		}
		return sr, missingToken()
	}
	if len(h) > 1 {
		return sr, incomplete("The request must carry one Authorization header.")
	}
	if r.Header.Get("X-Amz-Security-Token") != "" || r.URL.Query().Has("X-Amz-Security-Token") {
		return sr, errorf(CodeUnrecognizedClient, msgSessionRefused)
	}
	a, err := parseAuthorization(h[0])
	if err != nil {
		return sr, err
	}
	if a.Service != SigningName {
		return sr, errorf(CodeInvalidSignature, "Credential should be scoped to correct service: '%s'.", SigningName)
	}
	if !hasSorted(a.SignedHeaders, "host") {
		return sr, incomplete("'Host' must be a signed header.")
	}

	var when time.Time
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(amzDateFormat, v)
		if err != nil {
			return sr, incomplete("X-Amz-Date must be in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z'.")
		}
		if !hasSorted(a.SignedHeaders, "x-amz-date") {
			return sr, incomplete("'X-Amz-Date' must be a signed header.")
		}
		when = t
	} else if v := r.Header.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return sr, incomplete("Date must be an HTTP date (RFC 9110 §5.6.7).")
		}
		if !hasSorted(a.SignedHeaders, "date") {
			return sr, incomplete("'Date' must be a signed header.")
		}
		when = t.UTC()
	} else {
		return sr, incomplete(msgNeedDateHeader)
	}
	sr.amzDate = when.Format(amzDateFormat)
	if d := sr.amzDate[:8]; d != a.Date {
		return sr, errorf(CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.Date, d, sr.amzDate)
	}
	now = now.UTC()
	if when.Before(now.Add(-MaxSkew)) {
		return sr, errorf(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 5 min.)",
			sr.amzDate, now.Add(-MaxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
	}
	if when.After(now.Add(MaxSkew)) {
		return sr, errorf(CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + 5 min.)",
			sr.amzDate, now.Add(MaxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
	}
	sr.auth = a
	return sr, nil
}

// payloadHash is the hex SHA-256 of body. When the request carries
// x-amz-content-sha256, that header must name the same hash.
func payloadHash(r *http.Request, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	if v, ok := r.Header["X-Amz-Content-Sha256"]; ok && (len(v) != 1 || v[0] != h) {
		return "", errorf(CodeInvalidSignature, msgPayloadMismatch)
	}
	return h, nil
}

// verifyWithKey computes the signature of r with the derived signing key
// (signingKey) and compares it with the one the request carries, in
// constant time.
func verifyWithKey(r *http.Request, sr signedRequest, payload string, key []byte) error {
	creq, err := canonicalRequest(r, sr.auth.SignedHeaders, payload)
	if err != nil {
		return err
	}
	crHash := sha256.Sum256([]byte(creq))
	sts := Algorithm + "\n" + sr.amzDate + "\n" + sr.auth.scope() + "\n" + hex.EncodeToString(crHash[:])
	want := hmacSHA256(key, []byte(sts))
	got, err := hex.DecodeString(sr.auth.Signature)
	if err != nil || !hmac.Equal(got, want) {
		return invalidSignature()
	}
	return nil
}

// signingKey derives the SigV4 signing key of one day, region and service.
func signingKey(secret []byte, date, region, service string) []byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(append(k, "AWS4"...), secret...)
	k = hmacSHA256(k, []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

// canonicalRequest builds the SigV4 canonical request:
//
//	METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH
func canonicalRequest(r *http.Request, signed []string, payload string) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(256)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	writeCanonicalHeaders(&b, r, signed)
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String(), nil
}

// canonicalURI is the path as sent, URI-encoded once more (every service
// but S3 double-encodes), "/" when empty.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if u.Opaque != "" {
		p = u.Opaque
	}
	if p == "" {
		return "/"
	}
	return awsEscape(p, false)
}

// canonicalQuery sorts the query parameters by name and then value, each
// URI-encoded the AWS way (RFC 3986 unreserved characters kept, space as
// %20).
func canonicalQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	type pair struct{ k, v string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return "", incomplete("The query string is not correctly URI-encoded.")
		}
		pairs = append(pairs, pair{awsEscape(dk, true), awsEscape(dv, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String(), nil
}

// writeCanonicalHeaders writes "name:value\n" for every signed header:
// values of repeated headers joined by commas, each trimmed and with runs
// of spaces collapsed. Header names match case-insensitively.
func writeCanonicalHeaders(b *strings.Builder, r *http.Request, signed []string) {
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		switch name {
		case "host":
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			b.WriteString(trimCollapse(host))
		case "content-length":
			if vs := headerValues(r.Header, name); len(vs) > 0 {
				writeValues(b, vs)
			} else if r.ContentLength >= 0 {
				b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			}
		default:
			writeValues(b, headerValues(r.Header, name))
		}
		b.WriteByte('\n')
	}
}

func writeValues(b *strings.Builder, vs []string) {
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(trimCollapse(v))
	}
}

// headerValues returns the values of the header lower-case name, whatever
// the case of the name in h (Go canonicalises most names, but not all).
func headerValues(h http.Header, name string) []string {
	if vs, ok := h[http.CanonicalHeaderKey(name)]; ok {
		return vs
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			return vs
		}
	}
	return nil
}

// trimCollapse trims s and collapses runs of spaces into one, as SigV4
// and the AWS SDKs do (tabs inside a value stay).
func trimCollapse(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// awsEscape URI-encodes s as SigV4 does: RFC 3986 unreserved characters
// stay, everything else becomes %XX (upper-case hex); '/' stays unless
// encodeSlash.
func awsEscape(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && (encodeSlash || s[i] != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// hasSorted reports whether the sorted list holds s.
func hasSorted(list []string, s string) bool {
	i := sort.SearchStrings(list, s)
	return i < len(list) && list[i] == s
}
