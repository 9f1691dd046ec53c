package alexa

import (
	"encoding/json"
	"errors"
)

// DirectiveEndpoint is the endpoint of a directive: the device and the
// user's bearer token.
type DirectiveEndpoint struct {
	Scope      *Scope            `json:"scope,omitempty"`
	EndpointID string            `json:"endpointId"`
	Cookie     map[string]string `json:"cookie,omitempty"`
}

// Directive is one request from Alexa to the skill.
type Directive struct {
	Header   Header             `json:"header"`
	Endpoint *DirectiveEndpoint `json:"endpoint,omitempty"`
	Payload  json.RawMessage    `json:"payload,omitempty"`
}

// DirectiveEnvelope is the JSON document Alexa sends: {"directive": …}.
type DirectiveEnvelope struct {
	Directive *Directive `json:"directive"`
}

// Name returns "namespace/name", for logs.
func (d *Directive) Name() string { return d.Header.Namespace + "/" + d.Header.Name }

// NeedsEndpoint reports whether the directive must name an endpoint: all
// do except Alexa.Discovery/Discover and Alexa.Authorization/AcceptGrant.
func (d *Directive) NeedsEndpoint() bool {
	return !d.IsDiscover() && !d.IsAcceptGrant()
}

// IsDiscover reports whether d is Alexa.Discovery/Discover.
func (d *Directive) IsDiscover() bool {
	return d.Header.Namespace == NamespaceDiscovery && d.Header.Name == "Discover"
}

// IsAcceptGrant reports whether d is Alexa.Authorization/AcceptGrant.
func (d *Directive) IsAcceptGrant() bool {
	return d.Header.Namespace == NamespaceAuthorization && d.Header.Name == "AcceptGrant"
}

// ErrNoToken: the directive carries no bearer token where it should.
var ErrNoToken = errors.New("alexa: directive carries no bearer token")

// Token returns the user's access token from where Alexa puts it:
// payload.scope for Discover, payload.grantee for AcceptGrant and
// endpoint.scope for every other directive (docs "Alexa.Discovery",
// "Alexa.Authorization", "Alexa.Response").
func (d *Directive) Token() (string, error) {
	var s *Scope
	switch {
	case d.IsDiscover():
		var p struct {
			Scope *Scope `json:"scope"`
		}
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return "", ErrNoToken
		}
		s = p.Scope
	case d.IsAcceptGrant():
		var p struct {
			Grantee *Scope `json:"grantee"`
		}
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return "", ErrNoToken
		}
		s = p.Grantee
	case d.Endpoint != nil:
		s = d.Endpoint.Scope
	}
	if s == nil || s.Type != ScopeBearerToken || s.Token == "" {
		return "", ErrNoToken
	}
	return s.Token, nil
}

// EndpointID returns the endpoint id, "" when the directive has none.
func (d *Directive) EndpointID() string {
	if d.Endpoint == nil {
		return ""
	}
	return d.Endpoint.EndpointID
}

// DecodePayload decodes the payload into v. A missing, null or malformed
// payload is an INVALID_DIRECTIVE error.
func (d *Directive) DecodePayload(v any) error {
	if len(d.Payload) == 0 {
		return NewError(ErrInvalidDirective, d.Name()+" has no payload")
	}
	if err := json.Unmarshal(d.Payload, v); err != nil {
		return NewError(ErrInvalidDirective, d.Name()+" payload is malformed")
	}
	return nil
}
