package federation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// Binding is the protocol a callback came back by.
type Binding int

const (
	// BindingOIDC is /oauth2/idpresponse: OAuth 2.0 and OpenID Connect
	// providers (a GET, or Apple's form_post POST).
	BindingOIDC Binding = iota + 1
	// BindingSAML is /saml2/idpresponse: a SAML response by HTTP-POST.
	BindingSAML
)

// Finished is a completed federated sign-in: the pool user and the
// authorization request to complete for it.
type Finished struct {
	User  pool.User
	Query url.Values
	// Provider is the name of the provider the user signed in with.
	Provider string
}

// Finish completes the sign-in a provider sent the browser back from:
// params are the callback's query or form, cookie the browser's
// state cookie (CallbackCookieName), base the pool's base URL. The state is opened and used
// up (a second callback with it is refused), the protocol checks its
// answer, SAML assertions are consumed once until they expire, the
// provider's claims are mapped to pool attributes (AttributeMapping) and
// account.Service.SignInFederated finds, refreshes or creates the user.
//
// Errors: an *Error for everything the browser may be told (with Query
// when the state was verified, so the edge can redirect to the client);
// any other error is an internal failure.
func (s *Service) Finish(ctx context.Context, p pool.Pool, base string, b Binding, params url.Values, cookie string) (Finished, error) {
	st, err := s.openState(ctx, p.ID, cookie)
	if err != nil {
		return Finished{}, err
	}
	q := st.query()
	idp, err := s.store.GetIdentityProvider(ctx, p.ID, st.Provider)
	if errors.Is(err, store.ErrNotFound) {
		return Finished{}, &Error{Code: CodeInvalidRequest, Description: "The identity provider no longer exists.", Query: q}
	}
	if err != nil {
		return Finished{}, fmt.Errorf("federation: get provider: %w", err)
	}
	saml := idp.ProviderType == pool.ProviderSAML
	if saml != (b == BindingSAML) || saml && st.SAML == nil || !saml && st.OIDC == nil {
		return Finished{}, &Error{Code: CodeInvalidRequest, Description: "The response came back to the wrong endpoint.", Query: q}
	}
	details, err := s.openDetails(idp)
	if err != nil {
		return Finished{}, err
	}
	var subject string
	var claims map[string]string
	if saml {
		if params.Get("RelayState") != st.Relay {
			return Finished{}, s.upstreamFailed(ctx, p, idp, q, &upstream.Error{Kind: upstream.Invalid, Description: "RelayState does not match the sign-in."})
		}
		subject, claims, err = s.finishSAML(ctx, p, base, idp, details, *st.SAML, params)
		if err != nil {
			return Finished{}, s.upstreamFailed(ctx, p, idp, q, err)
		}
	} else {
		r, err := s.oidc.Finish(ctx, oidcConfig(idp, base, details), *st.OIDC, params)
		if err != nil {
			return Finished{}, s.upstreamFailed(ctx, p, idp, q, err)
		}
		subject, claims = r.Subject, r.Claims
	}
	subject, attrs := MapAttributes(idp, subject, claims)
	// The app client of the (verified) authorization request is the
	// caller the pool's triggers see (callerContext.clientId).
	ctx = account.WithCaller(ctx, account.Caller{ClientID: q.Get("client_id")})
	u, err := s.accounts.SignInFederated(ctx, p, idp, subject, attrs)
	if err != nil {
		var ae *account.Error
		if errors.As(err, &ae) {
			s.log.WarnContext(ctx, "federation: sign-in refused", "pool", p.ID, "provider", idp.ProviderName, "error", ae.Type, "message", ae.Message)
			return Finished{}, &Error{Code: CodeInvalidRequest, Description: ae.Message, Query: q, Err: err}
		}
		return Finished{}, err
	}
	return Finished{User: u, Query: q, Provider: idp.ProviderName}, nil
}

// authorizeCodes are the error codes of RFC 6749 §4.1.2.1, the only
// codes of a provider's refusal passed on to the client; any other
// (a provider's own, or a token endpoint's such as invalid_grant, which
// Alexa takes for an unlinked account) becomes access_denied.
var authorizeCodes = []string{
	"invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
	"invalid_scope", "server_error", "temporarily_unavailable",
}

// upstreamFailed turns a protocol package's failure into the *Error the
// browser gets, and logs what is safe: the kind, the provider's error
// code and description, never the wrapped error (whose URLs may carry
// tokens). Anything but an *upstream.Error is an internal failure.
func (s *Service) upstreamFailed(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, q url.Values, err error) error {
	var ue *upstream.Error
	if !errors.As(err, &ue) {
		return fmt.Errorf("federation: %s: %w", idp.ProviderName, err)
	}
	s.log.WarnContext(ctx, "federation: sign-in at provider failed", "pool", p.ID, "provider", idp.ProviderName,
		"kind", ue.Kind.String(), "code", ue.Code, "description", ue.Description)
	e := &Error{Code: CodeInvalidRequest, Query: q, Err: err}
	switch ue.Kind {
	case upstream.Denied:
		e.Code = CodeAccessDenied
		if slices.Contains(authorizeCodes, ue.Code) {
			e.Code = ue.Code
		}
		e.Description = idp.ProviderName + " Error - " + firstNonEmpty(ue.Description, ue.Code, "the identity provider refused the sign-in")
	case upstream.Unavailable:
		e.Description = firstNonEmpty(ue.Description, "The identity provider could not be reached.")
	default:
		e.Description = firstNonEmpty(ue.Description, "The identity provider's response is not valid.")
	}
	return e
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
