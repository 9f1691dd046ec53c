package passkey

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// RPFor returns the relying party for a ceremony of pool p at origin:
// the pool's RelyingPartyId, or the origin's host when unset. The origin
// must be https (http only for localhost) and its host the RP id or
// under it; otherwise an *account.Error WebAuthnRelyingPartyMismatchException
// / WebAuthnOriginNotAllowedException.
func RPFor(p pool.Pool, origin string) (RP, error) {
	o, host, ok := parseOrigin(origin)
	if !ok {
		return RP{}, newErr(WebAuthnOriginNotAllowedException, msgOrigin)
	}
	id := p.MFA.WebAuthn.RelyingPartyID
	if id == "" {
		id = host
	}
	if !validRPID(id) || !under(host, id) {
		return RP{}, rpMismatch()
	}
	return rpOf(p, id, []string{o}), nil
}

// RPForAPI returns the relying party of the Cognito API's WebAuthn
// actions and WEB_AUTHN challenge, which have no page of their own: the
// RP id is the pool's RelyingPartyId, or host (the host the API was
// called at, a pool domain) when unset; the origins are https://<RP id>
// (http for localhost) and those of allowed (the pool's CORS origins)
// whose host is the RP id or under it.
func RPForAPI(p pool.Pool, host string, allowed []string) (RP, error) {
	id := p.MFA.WebAuthn.RelyingPartyID
	if id == "" {
		id = hostName(host)
	}
	if !validRPID(id) {
		return RP{}, &account.Error{Type: WebAuthnRelyingPartyMismatchException, Message: "The relying party id is not a host name; set WebAuthnConfiguration.RelyingPartyId."}
	}
	scheme := "https://"
	if id == "localhost" {
		scheme = "http://"
	}
	origins := []string{scheme + id}
	for _, a := range allowed {
		o, h, ok := parseOrigin(a)
		if ok && under(h, id) && !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	return rpOf(p, id, origins), nil
}

func rpOf(p pool.Pool, id string, origins []string) RP {
	name := p.Name
	if name == "" {
		name = id
	}
	return RP{ID: id, Origins: origins, Name: name, UserVerification: userVerification(p)}
}

// parseOrigin checks a web origin ("scheme://host[:port]", nothing
// more): https, or http for localhost. It returns the origin in
// canonical (lower-case) form and its host name.
func parseOrigin(origin string) (string, string, bool) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if host == "" || (scheme != "https" && !(scheme == "http" && host == "localhost")) {
		return "", "", false
	}
	if port := u.Port(); port != "" {
		return scheme + "://" + host + ":" + port, host, true
	}
	return scheme + "://" + host, host, true
}

// hostName strips the port from a Host header value and lower-cases it.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(host)
}

// validRPID reports whether id can be an RP id: a DNS host name
// (localhost included), not an IP address.
func validRPID(id string) bool {
	return len(id) <= 253 && net.ParseIP(id) == nil && pool.IsDNSName(id)
}

// under reports whether host is the RP id or a subdomain of it.
func under(host, id string) bool { return host == id || strings.HasSuffix(host, "."+id) }
