package alexasim

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// Discover sends Alexa.Discovery/Discover with the access token in
// payload.scope (Alexa.Discovery interface) and records the endpoints of
// Discover.Response. Any failure is DISCOVERY_FAILED.
func (l *Link) Discover(ctx context.Context) (*Reply, error) {
	ds, err := l.fresh(ctx)
	if err != nil {
		return &Reply{Directive: alexa.NamespaceDiscovery + "/Discover", Diagnoses: ds}, err
	}
	d, err := newDirective(alexa.NamespaceDiscovery, "Discover", nil,
		map[string]any{"scope": alexa.Scope{Type: alexa.ScopeBearerToken, Token: l.Tokens.AccessToken}}, false)
	if err != nil {
		return nil, err
	}
	rep := l.call(ctx, d, expect{ok: []string{alexa.NamespaceDiscovery + "/Discover.Response"}, errNamespace: alexa.NamespaceDiscovery})
	rep.Diagnoses = append(ds, rep.Diagnoses...)
	l.credentialCheck(rep)
	if rep.Name == alexa.NamespaceDiscovery+"/Discover.Response" {
		var p struct {
			Endpoints []alexa.DiscoveryEndpoint `json:"endpoints"`
		}
		if err := json.Unmarshal(rep.Payload, &p); err != nil {
			rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeDiscoveryFailed, "Discover.Response has no readable endpoints list"))
		} else {
			l.Endpoints = l.Endpoints[:0]
			for _, e := range p.Endpoints {
				ep := Endpoint{ID: e.EndpointID, FriendlyName: e.FriendlyName, Description: e.Description,
					DisplayCategories: e.DisplayCategories, Cookie: e.Cookie}
				for _, c := range e.Capabilities {
					ep.Interfaces = append(ep.Interfaces, c.Interface)
				}
				l.Endpoints = append(l.Endpoints, ep)
			}
			if len(l.Endpoints) == 0 {
				rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeDiscoveryFailed, "Discover.Response lists no endpoints: the Alexa app says no devices were found"))
			}
		}
	}
	if rep.Diagnoses.Failed() && !rep.Diagnoses.Has(CodeDiscoveryFailed) && !rep.Diagnoses.Has(CodeCredentialErrorUnlink) {
		first, _ := rep.Diagnoses.FirstError()
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeDiscoveryFailed, "discovery did not complete: "+first.Code))
	}
	return rep, l.result("discovery", rep)
}

// acceptGrant sends Alexa.Authorization/AcceptGrant with an LWA grant
// code and the user's access token as grantee (Alexa.Authorization
// interface); the skill must answer AcceptGrant.Response.
func (l *Link) acceptGrant(ctx context.Context, code string) *Reply {
	d, err := newDirective(alexa.NamespaceAuthorization, "AcceptGrant", nil, map[string]any{
		"grant":   map[string]string{"type": "OAuth2.AuthorizationCode", "code": code},
		"grantee": alexa.Scope{Type: alexa.ScopeBearerToken, Token: l.Tokens.AccessToken},
	}, false)
	if err != nil {
		return &Reply{Diagnoses: Diagnoses{newDiagnosis(CodeAcceptGrantNotAnswered, err.Error())}}
	}
	rep := l.call(ctx, d, expect{ok: []string{alexa.NamespaceAuthorization + "/AcceptGrant.Response"}, errNamespace: alexa.NamespaceAuthorization})
	switch {
	case rep.Name == alexa.NamespaceAuthorization+"/AcceptGrant.Response":
	case rep.Error != nil:
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeAcceptGrantFailed, fmt.Sprintf("the skill answered %s %s: %s", rep.Name, rep.Error.Type, clip(rep.Error.Message, 200))))
	case rep.Name == "":
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeAcceptGrantNotAnswered, "the skill gave no reply to AcceptGrant"))
	default:
		rep.Diagnoses = append(rep.Diagnoses, newDiagnosis(CodeAcceptGrantNotAnswered, "the skill answered AcceptGrant with "+rep.Name))
	}
	return rep
}

// Power sends Alexa.PowerController TurnOn or TurnOff.
func (l *Link) Power(ctx context.Context, endpoint string, on bool) (*Reply, error) {
	name := "TurnOff"
	if on {
		name = "TurnOn"
	}
	return l.control(ctx, alexa.NamespacePowerController, name, endpoint, struct{}{})
}

// Brightness sends Alexa.BrightnessController SetBrightness (0..100) or,
// when relative, AdjustBrightness with a delta of -100..100.
func (l *Link) Brightness(ctx context.Context, endpoint string, value int, relative bool) (*Reply, error) {
	if relative {
		return l.control(ctx, alexa.NamespaceBrightnessController, "AdjustBrightness", endpoint, map[string]int{"brightnessDelta": value})
	}
	return l.control(ctx, alexa.NamespaceBrightnessController, "SetBrightness", endpoint, map[string]int{"brightness": value})
}

// Color sends Alexa.ColorController SetColor.
func (l *Link) Color(ctx context.Context, endpoint string, c alexa.Color) (*Reply, error) {
	return l.control(ctx, alexa.NamespaceColorController, "SetColor", endpoint, map[string]alexa.Color{"color": c})
}

// Temperature sends Alexa.ColorTemperatureController
// SetColorTemperature, or IncreaseColorTemperature ("cooler") and
// DecreaseColorTemperature ("warmer").
func (l *Link) Temperature(ctx context.Context, endpoint string, t ColorTemperature) (*Reply, error) {
	switch {
	case t.Step > 0:
		return l.control(ctx, alexa.NamespaceColorTemperatureController, "IncreaseColorTemperature", endpoint, struct{}{})
	case t.Step < 0:
		return l.control(ctx, alexa.NamespaceColorTemperatureController, "DecreaseColorTemperature", endpoint, struct{}{})
	}
	return l.control(ctx, alexa.NamespaceColorTemperatureController, "SetColorTemperature", endpoint, map[string]int{"colorTemperatureInKelvin": t.Kelvin})
}

// State sends Alexa/ReportState; the skill answers StateReport.
func (l *Link) State(ctx context.Context, endpoint string) (*Reply, error) {
	return l.send(ctx, alexa.NamespaceAlexa, "ReportState", endpoint, struct{}{}, alexa.NamespaceAlexa+"/StateReport")
}

func (l *Link) control(ctx context.Context, namespace, name, endpoint string, payload any) (*Reply, error) {
	return l.send(ctx, namespace, name, endpoint, payload, alexa.NamespaceAlexa+"/Response")
}

// send sends an endpoint directive with the (refreshed) access token in
// endpoint.scope, the discovered cookie and a correlation token.
func (l *Link) send(ctx context.Context, namespace, name, endpoint string, payload any, want string) (*Reply, error) {
	op := namespace + "/" + name
	ds, err := l.fresh(ctx)
	if err != nil {
		return &Reply{Directive: op, EndpointID: endpoint, Diagnoses: ds}, err
	}
	ep := l.endpoint(endpoint)
	ep.Scope = &alexa.Scope{Type: alexa.ScopeBearerToken, Token: l.Tokens.AccessToken}
	d, err := newDirective(namespace, name, ep, payload, true)
	if err != nil {
		return nil, err
	}
	rep := l.call(ctx, d, expect{ok: []string{want}, errNamespace: alexa.NamespaceAlexa})
	rep.Diagnoses = append(ds, rep.Diagnoses...)
	l.credentialCheck(rep)
	return rep, l.result(op, rep)
}

// endpoint finds a discovered endpoint by id or friendly name; unknown
// ids are sent as they are (to see NO_SUCH_ENDPOINT).
func (l *Link) endpoint(ref string) *alexa.DirectiveEndpoint {
	for _, e := range l.Endpoints {
		if e.ID == ref {
			return &alexa.DirectiveEndpoint{EndpointID: e.ID, Cookie: e.Cookie}
		}
	}
	for _, e := range l.Endpoints {
		if strings.EqualFold(e.FriendlyName, ref) {
			return &alexa.DirectiveEndpoint{EndpointID: e.ID, Cookie: e.Cookie}
		}
	}
	return &alexa.DirectiveEndpoint{EndpointID: ref}
}

// credentialCheck unlinks on INVALID_/EXPIRED_AUTHORIZATION_CREDENTIAL:
// Alexa "deletes the user's account-linking tokens and unlinks the user"
// ("Add account linking logic to a smart home skill").
func (l *Link) credentialCheck(rep *Reply) {
	if rep.Error == nil {
		return
	}
	switch rep.Error.Type {
	case alexa.ErrInvalidAuthorization, alexa.ErrExpiredAuthorization:
		d := newDiagnosis(CodeCredentialErrorUnlink, fmt.Sprintf("the skill answered %s to %s (%s); Alexa deletes the tokens and the user must link again",
			rep.Error.Type, rep.Directive, clip(rep.Error.Message, 160)))
		rep.Diagnoses = append(rep.Diagnoses, d)
		l.unlink(d.Code, fmt.Sprintf("the skill answered %s to %s", rep.Error.Type, rep.Directive))
	}
}

// result turns a reply's Error diagnoses into the method's error.
func (l *Link) result(op string, rep *Reply) error {
	if !rep.Diagnoses.Failed() {
		return nil
	}
	return &DiagnosedError{Op: op, Diagnoses: rep.Diagnoses, unlinked: !l.IsLinked()}
}
