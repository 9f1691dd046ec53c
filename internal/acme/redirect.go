package acme

import (
	"net"
	"net/http"
	"strings"
)

// HTTPHandler serves the plain HTTP listener: HTTP-01 challenges under
// /.well-known/acme-challenge/, and a permanent redirect (308, which keeps
// the method) to the same host and path over https for every other
// request to a known host; an unknown host gets 404.
func (m *Manager) HTTPHandler() http.Handler {
	return m.ac.HTTPHandler(http.HandlerFunc(m.redirect))
}

func (m *Manager) redirect(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ok, err := m.servesHost(r.Context(), host)
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "https://"+host+m.httpsPort+r.URL.RequestURI(), http.StatusPermanentRedirect)
}
