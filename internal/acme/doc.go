// Package acme obtains and renews the HTTPS certificates of `linkpool
// serve` from an ACME certificate authority (Let's Encrypt by default) with
// golang.org/x/crypto/acme/autocert.
//
// Hosts: a certificate is requested only for a name the server answers
// for at that moment (server.Server.ServesHost): the public URL's host and
// the pools' domains, prefix domains under the auth domain and custom
// domains. Any other SNI or Host is refused before the CA is contacted,
// so a client cannot make the server order certificates for names of its
// choosing. The lookup goes through the configuration cache: no
// per-handshake scan of the domains.
//
// Challenges: TLS-ALPN-01 on the TLS listener and HTTP-01 on the plain
// HTTP listener (HTTPHandler), which otherwise redirects known hosts to
// https.
//
// Storage: the ACME account key and every certificate with its private
// key are kept in the database (store.Store's ACME cache), sealed with the
// master key and bound to their cache key (Cache). Instances on one
// database share them, and a restart serves the stored certificate
// without a new order. Export and import do not carry them: they are
// obtained again.
//
// Observability: a failure to obtain a certificate during a handshake is
// logged with its host and error (never key material) and counted; every
// error the CA answers, renewals' included, is logged with its ACME type
// and detail and counted by type; the seconds left before each
// certificate expires, and the certificates whose renewal is overdue, are
// exported as metrics.
//
// Files: manager.go (the Manager and its TLS configuration), cache.go
// (the sealed autocert.Cache), redirect.go (the HTTP listener's handler),
// metrics.go (expiry and failure metrics, the overdue check), caerrors.go
// (the CA's errors, logged and counted).
package acme
