package accesskey

import (
	"strings"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// SigningName is the SigV4 service name of the Cognito user pool API.
const SigningName = "cognito-idp"

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	KeyID         string
	Date          string // YYYYMMDD of the credential scope
	Region        string
	Service       string
	SignedHeaders []string // lower case, sorted, no duplicates
	Signature     string   // 64 lower-case hex digits
}

// scope is the credential scope: DATE/REGION/SERVICE/aws4_request.
func (a *authorization) scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
}

// parseAuthorization parses
//
//	AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex
//
// Malformed headers fail with IncompleteSignatureException, naming what
// is wrong but never echoing the signature.
func parseAuthorization(h string) (authorization, error) {
	var a authorization
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != Algorithm {
		if strings.HasPrefix(h, "AWS4-") || ok {
			return a, incomplete("Unsupported AWS 'algorithm': '%s'.", printable(alg, 40))
		}
		return a, incomplete("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.")
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return a, incomplete("Authorization header requires each component to be of the form key=value.")
		}
		var dst *string
		var seen *bool
		switch name {
		case "Credential":
			dst, seen = &cred, &haveCred
		case "SignedHeaders":
			dst, seen = &signed, &haveSigned
		case "Signature":
			dst, seen = &sig, &haveSig
		default:
			return a, incomplete("Authorization header has an unknown component '%s'.", printable(name, 40))
		}
		if *seen {
			return a, incomplete("Authorization header has the component '%s' more than once.", name)
		}
		*dst, *seen = value, true
	}
	var missing []string
	if !haveCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSig {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSigned {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if len(missing) > 0 {
		return a, incomplete("%s", strings.Join(missing, " "))
	}

	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return a, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.")
	}
	a.KeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	if a.KeyID == "" || a.Region == "" || a.Service == "" {
		return a, incomplete("Credential must name an access key id, a region and a service.")
	}
	if !isDigits(a.Date, 8) {
		return a, incomplete("Credential date must be YYYYMMDD.")
	}
	if !isRegion(a.Region) {
		return a, incomplete("Credential should be scoped to a valid region.")
	}

	if signed == "" {
		return a, incomplete("SignedHeaders must name at least one header.")
	}
	a.SignedHeaders = strings.Split(signed, ";")
	for i, name := range a.SignedHeaders {
		if !isHeaderName(name) {
			return a, incomplete("SignedHeaders must be lower-case header names separated by ';'.")
		}
		if i > 0 && a.SignedHeaders[i-1] >= name {
			return a, incomplete("SignedHeaders must be sorted and must not repeat a header.")
		}
	}

	if !isLowerHex(sig, 64) {
		return a, incomplete("Signature must be 64 lower-case hexadecimal digits.")
	}
	a.Signature = sig
	return a, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isRegion accepts region names such as us-east-1 or eu-central-2: lower
// case letters, digits and dashes, at most 32 characters.
func isRegion(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// isHeaderName accepts lower-case HTTP token characters (RFC 9110 §5.6.2).
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// printable returns s, cut to n bytes, with anything but printable ASCII
// replaced, for quoting client input in an error message.
func printable(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}
