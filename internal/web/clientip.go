package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies decides which peers may tell us the client address, and how
// client addresses are grouped into rate-limit keys. Forwarding headers
// (X-Forwarded-For) are honoured only when the connection comes from a
// trusted proxy; the client address is then the right-most address in the
// header that is not itself a trusted proxy. With no trusted proxies
// configured, the TCP peer address is the client.
type Proxies struct {
	prefixes []netip.Prefix
	// ipv6Bits is the prefix length by which IPv6 clients are grouped;
	// 0 means DefaultIPv6Prefix.
	ipv6Bits int
}

// DefaultIPv6Prefix is the prefix length by which IPv6 client addresses
// are grouped for rate limits: one subscriber or host usually holds a
// whole /64, so its addresses are one client.
const DefaultIPv6Prefix = 64

// WithIPv6Prefix returns p grouping IPv6 clients by their first bits bits
// for rate limits (ClientKey); 128 limits each address on its own.
func (p Proxies) WithIPv6Prefix(bits int) (Proxies, error) {
	if bits < 1 || bits > 128 {
		return Proxies{}, fmt.Errorf("IPv6 prefix length %d: want 1 to 128", bits)
	}
	p.ipv6Bits = bits
	return p, nil
}

// LimitKey returns the rate-limit key of a client address from
// ClientAddr: an IPv4 address is its own key; an IPv6 address is grouped
// into its prefix ("2001:db8:1:2::/64"), so that a client cannot escape
// its limits, nor fill a Limiter, by rotating through the addresses it
// holds. Anything else is its own key.
func (p Proxies) LimitKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	bits := p.ipv6Bits
	if bits == 0 {
		bits = DefaultIPv6Prefix
	}
	pr, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return addr
	}
	return pr.String()
}

// ParseProxies parses a comma-separated list of IP addresses and CIDR
// prefixes, for example "10.0.0.0/8,127.0.0.1".
func ParseProxies(list string) (Proxies, error) {
	var p Proxies
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return Proxies{}, fmt.Errorf("trusted proxy %q: %w", s, err)
			}
			p.prefixes = append(p.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			return Proxies{}, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		p.prefixes = append(p.prefixes, pr.Masked())
	}
	return p, nil
}

func (p Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p.prefixes {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the client address of r.
func (p Proxies) ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if len(p.prefixes) == 0 || !p.trusted(peer) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	var addrs []string
	for _, h := range hops {
		for _, a := range strings.Split(h, ",") {
			if a = strings.TrimSpace(a); a != "" {
				addrs = append(addrs, a)
			}
		}
	}
	for i := len(addrs) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(addrs[i])
		if err != nil {
			return peer.String()
		}
		if !p.trusted(a) {
			return a.Unmap().String()
		}
	}
	return peer.String()
}

// ForwardedProto reports the scheme the client used: "https" when the
// connection is TLS, or when a trusted proxy says so in X-Forwarded-Proto.
func (p Proxies) ForwardedProto(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if p.fromTrusted(r) {
		if v := r.Header.Get("X-Forwarded-Proto"); v == "https" || v == "http" {
			return v
		}
	}
	return "http"
}

// fromTrusted reports whether the TCP peer of r is a trusted proxy.
func (p Proxies) fromTrusted(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && p.trusted(a)
}
