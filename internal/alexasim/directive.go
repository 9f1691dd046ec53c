package alexasim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/tracing"
)

// Reply is a skill's checked reply to one directive.
type Reply struct {
	// Directive is the directive sent, "namespace/name".
	Directive  string `json:"directive"`
	EndpointID string `json:"endpoint_id,omitempty"`
	// Name is the reply's "namespace/name", "" when there was none.
	Name string `json:"reply,omitempty"`
	// Header and Payload of the reply's event.
	Header  alexa.Header    `json:"-"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// Properties are the reply's context properties that decode.
	Properties []alexa.Property `json:"properties,omitempty"`
	// Error is the ErrorResponse payload, when the skill answered one.
	Error        *ReplyError  `json:"error,omitempty"`
	Schema       SchemaStatus `json:"schema"`
	SchemaDetail string       `json:"schema_detail,omitempty"`
	// Elapsed is the skill's response time (of the last attempt).
	Elapsed   time.Duration   `json:"elapsed"`
	Raw       json.RawMessage `json:"raw,omitempty"`
	Diagnoses Diagnoses       `json:"diagnoses,omitempty"`
}

// ReplyError is the payload of an Alexa.ErrorResponse.
type ReplyError struct {
	Type    alexa.ErrorType `json:"type"`
	Message string          `json:"message"`
}

// Property returns the reply's property namespace/name.
func (r *Reply) Property(namespace, name string) (alexa.Property, bool) {
	for _, p := range r.Properties {
		if p.Namespace == namespace && p.Name == name {
			return p, true
		}
	}
	return alexa.Property{}, false
}

// replyDoc decodes a reply leniently, so that a reply the schema rejects
// can still be described.
type replyDoc struct {
	Event *struct {
		Header   alexa.Header    `json:"header"`
		Endpoint *alexa.Endpoint `json:"endpoint"`
		Payload  json.RawMessage `json:"payload"`
	} `json:"event"`
	Context *struct {
		Properties []json.RawMessage `json:"properties"`
	} `json:"context"`
}

// expect lists the reply names a directive may get.
type expect struct {
	ok []string // e.g. "Alexa/Response"
	// errNamespace is the namespace of its ErrorResponse.
	errNamespace string
}

// newCorrelationToken returns an opaque token like Alexa's (base64 of
// random bytes).
func newCorrelationToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// directive builds a directive with a fresh message id.
func newDirective(namespace, name string, endpoint *alexa.DirectiveEndpoint, payload any, correlate bool) (*alexa.Directive, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	d := &alexa.Directive{
		Header: alexa.Header{
			Namespace: namespace, Name: name, PayloadVersion: alexa.PayloadVersion,
			MessageID: alexa.NewMessageID(),
		},
		Endpoint: endpoint,
		Payload:  raw,
	}
	if correlate {
		d.Header.CorrelationToken = newCorrelationToken()
	}
	return d, nil
}

// call sends a directive to the skill within the skill deadline, retrying
// transient failures, and checks the reply: the schema, the reply's name,
// the correlation token and the endpoint.
func (l *Link) call(ctx context.Context, d *alexa.Directive, ex expect) *Reply {
	ctx, span := tracing.StartKind(ctx, trace.SpanKindClient, "alexasim.directive",
		attribute.String("alexa.namespace", d.Header.Namespace), attribute.String("alexa.name", d.Header.Name))
	defer span.End()
	rep := &Reply{Directive: d.Name(), EndpointID: d.EndpointID()}
	env := &l.Env
	if env.Skill == nil {
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillUnreachable, "no skill endpoint is configured"))
		return rep
	}
	body, err := json.Marshal(alexa.DirectiveEnvelope{Directive: d})
	if err != nil {
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillUnreachable, "the directive could not be encoded: "+err.Error()))
		return rep
	}
	var out []byte
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, env.skillTimeout())
		began := time.Now()
		out, err = env.Skill.Invoke(cctx, body)
		rep.Elapsed = time.Since(began)
		timedOut := errors.Is(cctx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil && !timedOut {
			break
		}
		if ctx.Err() != nil {
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillUnreachable, "cancelled: "+ctx.Err().Error()))
			return rep
		}
		if timedOut {
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillTimeout, fmt.Sprintf("%s: no reply from %s within %s", d.Name(), env.Skill, env.skillTimeout())))
			return rep
		}
		detail := redactSecrets(err.Error(), l.Tokens.AccessToken)
		if errors.Is(err, ErrTransient) && attempt < env.attempts() {
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeTransientRetry, fmt.Sprintf("%s attempt %d: %s; retrying", d.Name(), attempt, detail)))
			if env.backoff(ctx, attempt) != nil {
				return rep
			}
			continue
		}
		var he *SkillHTTPError
		if errors.As(err, &he) {
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillHTTPError, fmt.Sprintf("%s: %s", d.Name(), detail)))
		} else {
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillUnreachable, fmt.Sprintf("%s: %s", d.Name(), detail)))
		}
		return rep
	}
	rep.Raw = json.RawMessage(out)
	l.checkReply(rep, d, out, ex)
	return rep
}

// checkReply fills rep from the reply document and diagnoses it.
func (l *Link) checkReply(rep *Reply, d *alexa.Directive, out []byte, ex expect) {
	rep.Schema, rep.SchemaDetail = l.Env.Schema.Check(out)
	if rep.Schema == SchemaInvalid {
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeReplySchemaInvalid, fmt.Sprintf("the reply to %s does not validate: %s", d.Name(), rep.SchemaDetail)))
	}
	var doc replyDoc
	if err := json.Unmarshal(out, &doc); err != nil || doc.Event == nil {
		rep.Raw = nil
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeReplyUnexpected, fmt.Sprintf("the reply to %s is not an Alexa event", d.Name())))
		return
	}
	h := doc.Event.Header
	rep.Header, rep.Payload = h, doc.Event.Payload
	rep.Name = h.Namespace + "/" + h.Name
	if doc.Context != nil {
		for _, raw := range doc.Context.Properties {
			var p alexa.Property
			if json.Unmarshal(raw, &p) == nil {
				rep.Properties = append(rep.Properties, p)
			}
		}
	}
	if h.Name == "ErrorResponse" {
		var e ReplyError
		_ = json.Unmarshal(doc.Event.Payload, &e)
		rep.Error = &e
	}
	expected := false
	for _, n := range ex.ok {
		if rep.Name == n {
			expected = true
		}
	}
	if !expected && !(rep.Error != nil && (h.Namespace == ex.errNamespace || h.Namespace == alexa.NamespaceAlexa)) {
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeReplyUnexpected, fmt.Sprintf("%s was answered with %s, expected %s", d.Name(), rep.Name, strings.Join(ex.ok, " or "))))
	}
	if want := d.Header.CorrelationToken; want != "" && h.CorrelationToken != want {
		got := "none"
		if h.CorrelationToken != "" {
			got = "a different one"
		}
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeCorrelationTokenMismatch, fmt.Sprintf("the reply to %s carries %s", d.Name(), got)))
	}
	if want := d.EndpointID(); want != "" {
		switch {
		case doc.Event.Endpoint == nil && rep.Error == nil:
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeEndpointMismatch, fmt.Sprintf("the reply to %s names no endpoint, expected %s", d.Name(), want)))
		case doc.Event.Endpoint != nil && doc.Event.Endpoint.EndpointID != want:
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeEndpointMismatch, fmt.Sprintf("the reply to %s names endpoint %q, expected %q", d.Name(), doc.Event.Endpoint.EndpointID, want)))
		}
	}
	if rep.Error != nil && !d.IsAcceptGrant() {
		switch rep.Error.Type {
		case alexa.ErrInvalidAuthorization, alexa.ErrExpiredAuthorization:
			// Handled by the caller, which unlinks. AcceptGrant errors are
			// ACCEPT_GRANT_FAILED.
		default:
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeSkillErrorResponse, fmt.Sprintf("%s: %s %s", d.Name(), rep.Error.Type, clip(rep.Error.Message, 200))))
		}
	}
}

// redact replaces secrets in s.
func redactSecrets(s string, secrets ...string) string {
	for _, x := range secrets {
		if len(x) >= 8 {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	return s
}
