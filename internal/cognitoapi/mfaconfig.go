package cognitoapi

import (
	"github.com/linkpool/linkpool/internal/pool"
)

// SetUserPoolMfaConfig and GetUserPoolMfaConfig (SigV4): a pool's
// multi-factor mode, its factors (authenticator apps, email codes) and
// its passkey settings, over admin.Service.SetMFAConfig. linkpool sends
// no SMS: an SmsMfaConfiguration is refused.

type softwareTokenMfaConfigType struct {
	Enabled *bool `json:"Enabled"`
}

type emailMfaConfigType struct {
	Message *string `json:"Message"`
	Subject *string `json:"Subject"`
}

type webAuthnConfigurationType struct {
	RelyingPartyId      *string `json:"RelyingPartyId"`
	UserVerification    *string `json:"UserVerification"`
	FactorConfiguration *string `json:"FactorConfiguration"`
}

// mfaConfigAnswer is the answer of both actions.
type mfaConfigAnswer struct {
	SoftwareTokenMfaConfiguration *softwareTokenOut `json:"SoftwareTokenMfaConfiguration,omitempty"`
	EmailMfaConfiguration         *emailMfaOut      `json:"EmailMfaConfiguration,omitempty"`
	MfaConfiguration              string            `json:"MfaConfiguration"`
	WebAuthnConfiguration         webAuthnOut       `json:"WebAuthnConfiguration"`
}

type softwareTokenOut struct {
	Enabled bool `json:"Enabled"`
}

type emailMfaOut struct {
	Message string `json:"Message,omitempty"`
	Subject string `json:"Subject,omitempty"`
}

type webAuthnOut struct {
	RelyingPartyId      string `json:"RelyingPartyId,omitempty"`
	UserVerification    string `json:"UserVerification"`
	FactorConfiguration string `json:"FactorConfiguration"`
}

func newMFAConfigAnswer(c pool.MFAConfig) mfaConfigAnswer {
	out := mfaConfigAnswer{
		SoftwareTokenMfaConfiguration: &softwareTokenOut{c.SoftwareToken},
		MfaConfiguration:              c.MFAMode(),
		WebAuthnConfiguration: webAuthnOut{
			RelyingPartyId: c.WebAuthn.RelyingPartyID, UserVerification: c.WebAuthn.UserVerificationOrDefault(),
			FactorConfiguration: c.WebAuthn.FactorConfiguration,
		},
	}
	if out.WebAuthnConfiguration.FactorConfiguration == "" {
		out.WebAuthnConfiguration.FactorConfiguration = pool.WebAuthnSingleFactor
	}
	if c.Email {
		out.EmailMfaConfiguration = &emailMfaOut{Message: c.EmailMessage, Subject: c.EmailSubject}
	}
	return out
}

// msgNoSMS refuses the SMS factor.
const msgNoSMS = "SMS multi-factor authentication is not supported: linkpool sends no text messages; use SoftwareTokenMfaConfiguration or EmailMfaConfiguration"

// setUserPoolMfaConfig replaces the pool's factors: SoftwareTokenMfaConfiguration
// (Enabled) and EmailMfaConfiguration (present: enabled) as given, absent
// ones disabled. MfaConfiguration and WebAuthnConfiguration, when left
// out, keep their values.
func setUserPoolMfaConfig(c *call) (any, error) {
	var req struct {
		poolIDRequest
		SmsMfaConfiguration           *struct{}                   `json:"SmsMfaConfiguration"`
		SoftwareTokenMfaConfiguration *softwareTokenMfaConfigType `json:"SoftwareTokenMfaConfiguration"`
		EmailMfaConfiguration         *emailMfaConfigType         `json:"EmailMfaConfiguration"`
		MfaConfiguration              *string                     `json:"MfaConfiguration"`
		WebAuthnConfiguration         *webAuthnConfigurationType  `json:"WebAuthnConfiguration"`
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.enum("mfaConfiguration", req.MfaConfiguration, pool.MFAOff, pool.MFAOn, pool.MFAOptional)
		if e := req.EmailMfaConfiguration; e != nil {
			v.str("emailMfaConfiguration.message", e.Message, false, 6, pool.MaxEmailMFAMessage, "", nil, false)
			v.str("emailMfaConfiguration.subject", e.Subject, false, 1, pool.MaxEmailMFASubject, "", nil, false)
		}
		if w := req.WebAuthnConfiguration; w != nil {
			v.str("webAuthnConfiguration.relyingPartyId", w.RelyingPartyId, false, 1, 127, "", nil, false)
			v.enum("webAuthnConfiguration.userVerification", w.UserVerification, pool.UserVerificationRequired, pool.UserVerificationPreferred)
			v.enum("webAuthnConfiguration.factorConfiguration", w.FactorConfiguration, pool.WebAuthnSingleFactor, pool.WebAuthnMultiFactorWithUserVerification)
		}
	})
	if err != nil {
		return nil, err
	}
	if req.SmsMfaConfiguration != nil {
		return nil, NewError(InvalidParameterException, msgNoSMS)
	}
	cur, err := c.api.cfg.Admin.GetMFAConfig(c.ctx, id)
	if err != nil {
		return nil, err
	}
	next := pool.MFAConfig{Mode: cur.Mode, WebAuthn: cur.WebAuthn}
	if req.MfaConfiguration != nil {
		next.Mode = *req.MfaConfiguration
	}
	if s := req.SoftwareTokenMfaConfiguration; s != nil && s.Enabled != nil {
		next.SoftwareToken = *s.Enabled
	}
	if e := req.EmailMfaConfiguration; e != nil {
		next.Email, next.EmailMessage, next.EmailSubject = true, deref(e.Message), deref(e.Subject)
	}
	if w := req.WebAuthnConfiguration; w != nil {
		next.WebAuthn = pool.WebAuthnConfig{
			RelyingPartyID: deref(w.RelyingPartyId), UserVerification: deref(w.UserVerification),
			FactorConfiguration: deref(w.FactorConfiguration),
		}
	}
	p, err := c.api.cfg.Admin.SetMFAConfig(c.ctx, id, next)
	if err != nil {
		return nil, err
	}
	return newMFAConfigAnswer(p.MFA), nil
}

func getUserPoolMfaConfig(c *call) (any, error) {
	var req poolIDRequest
	id, err := c.onPool(&req, &req, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := c.api.cfg.Admin.GetMFAConfig(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return newMFAConfigAnswer(cfg), nil
}
