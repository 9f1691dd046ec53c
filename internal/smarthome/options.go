package smarthome

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Options are the SmartLamp skill's settings that an operator chooses, the
// same wherever the skill runs: `linkpool serve` with the skill mounted,
// `linkpool skill serve`, and the Lambda (cmd/smartlamp-lambda). Which
// tokens the skill accepts (the pool or issuer, the client ids) depends on
// where it runs and is configured there.
//
// OptionList describes every setting once: its flag name (the CLI's
// environment variable is LINKPOOL_ plus the name, as for every flag), the
// Lambda's environment variable, its help text, and the flag.Value bound to
// the field; DefaultOptions holds the defaults and Validate the checks.
type Options struct {
	// RequiredScopes must all be in every access token.
	RequiredScopes []string
	// LWA is the skill's Alexa Skill Messaging client at Login with
	// Amazon, for AcceptGrant and ChangeReports; no client id: no events.
	LWA LWAConfig
	// EventGatewayURL is where ChangeReports go.
	EventGatewayURL string
	// LampsClientID and LampsClientSecret are the /lamps page's app
	// client at the issuer; no client id: no page.
	LampsClientID     string
	LampsClientSecret string
	// LampsRecheckInterval is how often, at most, a /lamps session of a
	// page not co-located with its pool is re-checked with the issuer.
	LampsRecheckInterval time.Duration
}

// DefaultOptions returns the options with their defaults: Amazon's LWA
// token endpoint, the North American event gateway, no events, no page.
func DefaultOptions() Options {
	return Options{
		LWA:                  LWAConfig{TokenURL: DefaultLWATokenURL},
		EventGatewayURL:      DefaultEventGatewayURL,
		LampsRecheckInterval: DefaultRecheckInterval,
	}
}

// Option describes one setting of Options.
type Option struct {
	// Name is the flag name; the CLI reads it also from LINKPOOL_<NAME>
	// (and, for every flag, from the file LINKPOOL_<NAME>_FILE names).
	Name string
	// LambdaEnv is the Lambda's environment variable; empty for the
	// /lamps page's settings, since the Lambda serves no page.
	LambdaEnv string
	// Secret settings are never printed; the Lambda also reads them from
	// the file LambdaEnv_FILE names.
	Secret bool
	Usage  string
	// Value sets and shows the field of the Options it was listed from.
	Value flag.Value
}

// OptionList returns the settings bound to the fields of o, in the order
// of the documentation. Register them on a flag set with
// fs.Var(opt.Value, opt.Name, opt.Usage) after setting o's defaults.
func (o *Options) OptionList() []Option {
	return []Option{
		{Name: "required-scope", LambdaEnv: "SMARTLAMP_REQUIRED_SCOPES", Value: (*listValue)(&o.RequiredScopes),
			Usage: "SmartLamp skill: `scope` every access token must carry (repeatable, or separated by commas or spaces)"},
		{Name: "lwa-client-id", LambdaEnv: "SMARTLAMP_LWA_CLIENT_ID", Value: (*stringValue)(&o.LWA.ClientID),
			Usage: "SmartLamp skill: Alexa Skill Messaging client `id` (developer console, Permissions), for AcceptGrant and ChangeReports; empty sends no events"},
		{Name: "lwa-client-secret", LambdaEnv: "SMARTLAMP_LWA_CLIENT_SECRET", Secret: true, Value: (*stringValue)(&o.LWA.ClientSecret),
			Usage: "SmartLamp skill: Alexa Skill Messaging client `secret` (goes with --lwa-client-id)"},
		{Name: "lwa-token-url", LambdaEnv: "SMARTLAMP_LWA_TOKEN_URL", Value: (*stringValue)(&o.LWA.TokenURL),
			Usage: "SmartLamp skill: Login with Amazon token endpoint `URL`"},
		{Name: "event-gateway-url", LambdaEnv: "SMARTLAMP_EVENT_GATEWAY_URL", Value: (*stringValue)(&o.EventGatewayURL),
			Usage: "SmartLamp skill: Alexa event gateway `URL` for ChangeReports (Europe: https://api.eu.amazonalexa.com/v3/events, Far East: https://api.fe.amazonalexa.com/v3/events)"},
		{Name: "lamps-client-id", Value: (*stringValue)(&o.LampsClientID),
			Usage: "SmartLamp skill: app client `id` of the /lamps page at the issuer (code flow, scope openid, callback <origin>/lamps/callback); empty serves no page"},
		{Name: "lamps-client-secret", Secret: true, Value: (*stringValue)(&o.LampsClientSecret),
			Usage: "SmartLamp skill: the /lamps page client's `secret`, if it has one"},
		{Name: "lamps-recheck-interval", Value: (*durationValue)(&o.LampsRecheckInterval),
			Usage: "SmartLamp skill: how often (`duration`), at most, a /lamps session is re-checked with an issuer elsewhere (refresh grant); a page in the pool's own server checks every request"},
	}
}

// Validate checks the options; the error names each setting with name,
// which gives the flag or the environment variable of an Option.
func (o Options) Validate(name func(Option) string) error {
	list := o.OptionList()
	by := map[string]string{}
	for _, opt := range list {
		by[opt.Name] = name(opt)
	}
	var errs []error
	if (o.LWA.ClientID == "") != (o.LWA.ClientSecret == "") {
		errs = append(errs, fmt.Errorf("%s and %s go together", by["lwa-client-id"], by["lwa-client-secret"]))
	}
	for flagName, v := range map[string]string{"lwa-token-url": o.LWA.TokenURL, "event-gateway-url": o.EventGatewayURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q is not an absolute http(s) URL", by[flagName], v))
		}
	}
	if o.LampsClientSecret != "" && o.LampsClientID == "" {
		errs = append(errs, fmt.Errorf("%s needs %s", by["lamps-client-secret"], by["lamps-client-id"]))
	}
	if o.LampsRecheckInterval <= 0 {
		errs = append(errs, fmt.Errorf("%s must be positive", by["lamps-recheck-interval"]))
	}
	return errors.Join(errs...)
}

// EventsEnabled reports whether the options let the skill send
// ChangeReports.
func (o Options) EventsEnabled() bool { return o.LWA.ClientID != "" }

// SkillConfig returns a SkillConfig with the options' LWA client and event
// gateway; the caller adds the store, the verifier and the rest.
func (o Options) SkillConfig() SkillConfig {
	return SkillConfig{LWA: o.LWA, EventGatewayURL: o.EventGatewayURL}
}

// LampsConfig returns a LampsConfig with the options' page client and
// recheck interval; the caller adds the skill, the issuer and the rest.
func (o Options) LampsConfig() LampsConfig {
	return LampsConfig{ClientID: o.LampsClientID, ClientSecret: o.LampsClientSecret, RecheckInterval: o.LampsRecheckInterval}
}

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(strings.TrimSpace(s)); return nil }

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a duration like 5m: %q", s)
	}
	*v = durationValue(d)
	return nil
}

// listValue is repeatable; each value may hold several items separated by
// commas or white space.
type listValue []string

func (v *listValue) String() string { return strings.Join(*v, ",") }

func (v *listValue) Set(s string) error {
	*v = append(*v, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })...)
	return nil
}
