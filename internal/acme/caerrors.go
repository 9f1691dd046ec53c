package acme

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// problemTypes are the ACME error types (RFC 8555 §6.7, without the
// urn:ietf:params:acme:error: prefix) kept as metric label values; any
// other is counted as "other".
var problemTypes = map[string]bool{
	"accountDoesNotExist": true, "alreadyRevoked": true, "badCSR": true, "badNonce": true,
	"badPublicKey": true, "badRevocationReason": true, "badSignatureAlgorithm": true, "caa": true,
	"compound": true, "connection": true, "dns": true, "externalAccountRequired": true,
	"incorrectResponse": true, "invalidContact": true, "malformed": true, "orderNotReady": true,
	"rateLimited": true, "rejectedIdentifier": true, "serverInternal": true, "tls": true,
	"unauthorized": true, "unsupportedContact": true, "unsupportedIdentifier": true, "userActionRequired": true,
}

// caErrors is the transport of the requests to the CA: it logs each error
// the CA answers (an RFC 7807 problem document: its type and detail, which
// name the host concerned) and counts it by type, for the requests of
// renewals as well as those of handshakes. A bad nonce, which the client
// retries at once, is counted but not logged.
type caErrors struct {
	next    http.RoundTripper
	log     *slog.Logger
	counter *prometheus.CounterVec
}

func (c *caErrors) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/problem+json" {
		return resp, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(body, &p)
	typ := strings.TrimPrefix(p.Type, "urn:ietf:params:acme:error:")
	if !problemTypes[typ] {
		typ = "other"
	}
	c.counter.WithLabelValues(typ).Inc()
	if typ != "badNonce" {
		c.log.Warn("the certificate authority refused a request", "type", typ, "detail", p.Detail, "status", resp.StatusCode, "path", r.URL.Path)
	}
	return resp, nil
}
