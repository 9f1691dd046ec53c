package alexa

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// PayloadVersion is the only payload version of the Smart Home API v3.
const PayloadVersion = "3"

// Namespaces used by a lamp skill.
const (
	NamespaceAlexa                      = "Alexa"
	NamespaceDiscovery                  = "Alexa.Discovery"
	NamespaceAuthorization              = "Alexa.Authorization"
	NamespacePowerController            = "Alexa.PowerController"
	NamespaceBrightnessController       = "Alexa.BrightnessController"
	NamespaceColorController            = "Alexa.ColorController"
	NamespaceColorTemperatureController = "Alexa.ColorTemperatureController"
	NamespaceEndpointHealth             = "Alexa.EndpointHealth"
)

// ScopeBearerToken is the only scope type Alexa sends.
const ScopeBearerToken = "BearerToken"

// Header is the header of a directive or an event.
type Header struct {
	Namespace        string `json:"namespace"`
	Name             string `json:"name"`
	PayloadVersion   string `json:"payloadVersion"`
	MessageID        string `json:"messageId"`
	CorrelationToken string `json:"correlationToken,omitempty"`
}

// Scope carries a bearer token: the user's access token in directives, the
// skill's Login with Amazon token in proactive events.
type Scope struct {
	Type  string `json:"type"`
	Token string `json:"token"`
}

// Endpoint names the device an event is about.
type Endpoint struct {
	Scope      *Scope `json:"scope,omitempty"`
	EndpointID string `json:"endpointId"`
}

// Event is the event part of a reply or proactive event.
type Event struct {
	Header   Header    `json:"header"`
	Endpoint *Endpoint `json:"endpoint,omitempty"`
	Payload  any       `json:"payload"`
}

// Context carries property states alongside an event.
type Context struct {
	Properties []Property `json:"properties"`
}

// Message is everything the skill sends to Alexa: a synchronous reply to a
// directive or a proactive event for the event gateway.
type Message struct {
	Event   Event    `json:"event"`
	Context *Context `json:"context,omitempty"`
}

// Marshal encodes m.
func (m Message) Marshal() ([]byte, error) { return json.Marshal(m) }

// NewMessageID returns a fresh message id: a random (version 4) UUID,
// which matches the schema's ^[a-zA-Z0-9\-]*$, 1..127.
func NewMessageID() string { return uuid.NewString() }

// empty is the empty JSON object payload.
type empty struct{}

func newMessage(ns, name, correlation string, endpoint *Endpoint, payload any, props []Property) Message {
	m := Message{Event: Event{
		Header: Header{
			Namespace:        ns,
			Name:             name,
			PayloadVersion:   PayloadVersion,
			MessageID:        NewMessageID(),
			CorrelationToken: correlation,
		},
		Endpoint: endpoint,
		Payload:  payload,
	}}
	if props != nil {
		m.Context = &Context{Properties: props}
	}
	return m
}

// Response is the synchronous Alexa.Response to a controller directive
// (docs "Alexa.Response"): the endpoint, the echoed correlation token and
// the endpoint's properties in the context.
func (d *Directive) Response(props ...Property) Message {
	return newMessage(NamespaceAlexa, "Response", d.Header.CorrelationToken, d.replyEndpoint(), empty{}, nonNil(props))
}

// StateReport answers Alexa/ReportState with every retrievable property
// (docs "Alexa.StateReport").
func (d *Directive) StateReport(props ...Property) Message {
	return newMessage(NamespaceAlexa, "StateReport", d.Header.CorrelationToken, d.replyEndpoint(), empty{}, nonNil(props))
}

// AcceptGrantResponse answers Alexa.Authorization/AcceptGrant; its payload
// must be empty (docs "Alexa.Authorization Interface").
func (d *Directive) AcceptGrantResponse() Message {
	return newMessage(NamespaceAuthorization, "AcceptGrant.Response", d.Header.CorrelationToken, nil, empty{}, nil)
}

// DiscoverResponse answers Alexa.Discovery/Discover with the user's
// endpoints (docs "Alexa.Discovery Interface", at most 300 endpoints).
func (d *Directive) DiscoverResponse(endpoints []DiscoveryEndpoint) Message {
	if endpoints == nil {
		endpoints = []DiscoveryEndpoint{}
	}
	return newMessage(NamespaceDiscovery, "Discover.Response", d.Header.CorrelationToken, nil,
		discoverPayload{Endpoints: endpoints}, nil)
}

type discoverPayload struct {
	Endpoints []DiscoveryEndpoint `json:"endpoints"`
}

// Change causes of a ChangeReport (docs "Alexa.ChangeReport").
const (
	CausePhysicalInteraction = "PHYSICAL_INTERACTION"
	CauseAppInteraction      = "APP_INTERACTION"
	CausePeriodicPoll        = "PERIODIC_POLL"
	CauseRuleTrigger         = "RULE_TRIGGER"
	CauseVoiceInteraction    = "VOICE_INTERACTION"
)

type changePayload struct {
	Change change `json:"change"`
}

type change struct {
	Cause      cause      `json:"cause"`
	Properties []Property `json:"properties"`
}

type cause struct {
	Type string `json:"type"`
}

// ChangeReport is the proactive event that tells Alexa an endpoint changed
// (docs "Alexa.ChangeReport"): changed properties in the payload, the
// others in the context. scope is the skill's Login with Amazon token.
func ChangeReport(endpointID string, scope Scope, causeType string, changed, unchanged []Property) Message {
	return newMessage(NamespaceAlexa, "ChangeReport", "", &Endpoint{Scope: &scope, EndpointID: endpointID},
		changePayload{Change: change{Cause: cause{Type: causeType}, Properties: nonNil(changed)}}, nonNil(unchanged))
}

func (d *Directive) replyEndpoint() *Endpoint {
	if d.Endpoint == nil || !ValidEndpointID(d.Endpoint.EndpointID) {
		return nil
	}
	return &Endpoint{EndpointID: d.Endpoint.EndpointID}
}

func nonNil(p []Property) []Property {
	if p == nil {
		return []Property{}
	}
	return p
}

// ValidEndpointID reports whether id matches the schema's endpointId:
// 1..256 characters of letters, digits and _-=#;:?@&.
func ValidEndpointID(id string) bool {
	if len(id) == 0 || len(id) > 256 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '-', c == '=', c == '#', c == ';', c == ':', c == '?', c == '@', c == '&':
		default:
			return false
		}
	}
	return true
}

// sampleLayout is the only timeOfSample shape the schema accepts with
// sub-second precision: at most three fractional digits and a literal Z.
const sampleLayout = "2006-01-02T15:04:05.000Z"

// SampleTime is a property's timeOfSample.
type SampleTime time.Time

// MarshalJSON formats t in UTC as 2006-01-02T15:04:05.000Z; Go's
// RFC3339Nano (nine digits) and "+00:00" offsets fail the schema.
func (t SampleTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(sampleLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, sampleLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON parses an RFC 3339 timestamp.
func (t *SampleTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*t = SampleTime(v)
	return nil
}
