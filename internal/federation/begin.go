package federation

import (
	"context"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/federation/oidcflow"
	"github.com/linkpool/linkpool/internal/pool"
)

// Callback paths under a pool's base URL (Cognito's).
const (
	OIDCCallbackPath = "/oauth2/idpresponse"
	SAMLCallbackPath = "/saml2/idpresponse"
)

// Started is a sign-in sent to a provider: the browser goes to Location
// and keeps Cookie (the sealed state) under the name CookieName
// (StateCookieName of the round trip's state or RelayState) until
// Expires.
type Started struct {
	Location   string
	CookieName string
	Cookie     string
	Expires    time.Time
}

// Begin starts a sign-in of the browser at provider idp for the
// authorization request whose query is authorizeQuery; base is the
// pool's base URL (its callbacks are under it). The state the callback
// needs (the protocol's pending values, the provider, the request, an
// expiry of StateTTL) is sealed with the master key, bound to the pool,
// into Started.Cookie.
//
// Errors: an *Error when the provider's configuration cannot start a
// sign-in (unreachable metadata or discovery); the request can then be
// redirected to the client with it.
func (s *Service) Begin(ctx context.Context, p pool.Pool, base string, idp pool.IdentityProvider, authorizeQuery url.Values) (Started, error) {
	details, err := s.openDetails(idp)
	if err != nil {
		return Started{}, err
	}
	now := s.now()
	st := state{
		ID: randomID(), Pool: p.ID, Provider: idp.ProviderName,
		Query: authorizeQuery, Expires: now.Add(StateTTL).Unix(),
	}
	var loc, roundTrip string
	if idp.ProviderType == pool.ProviderSAML {
		st.Relay = randomID()
		roundTrip = st.Relay
		loc, st.SAML, err = s.beginSAML(ctx, p, base, details, st.Relay)
	} else {
		var pending oidcflow.Pending
		loc, pending, err = s.oidc.Begin(ctx, oidcConfig(idp, base, details))
		st.OIDC = &pending
		roundTrip = pending.State
	}
	if err != nil {
		return Started{}, s.upstreamFailed(ctx, p, idp, authorizeQuery, err)
	}
	cookie, err := s.sealState(st)
	if err != nil {
		return Started{}, err
	}
	return Started{Location: loc, CookieName: StateCookieName(roundTrip), Cookie: cookie, Expires: time.Unix(st.Expires, 0)}, nil
}

func oidcConfig(idp pool.IdentityProvider, base string, details map[string]string) oidcflow.Config {
	return oidcflow.Config{Type: idp.ProviderType, Details: details, RedirectURI: base + OIDCCallbackPath}
}
