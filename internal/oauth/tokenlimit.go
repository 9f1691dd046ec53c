package oauth

import (
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/pool"
)

// Token endpoint admission. Every token request spends one unit of its
// client address's budget in the token limiter (web.ClientKey). Once that
// budget is spent, a request is still served when it authenticates a
// confidential client (one with a secret) and that client's own budget,
// of the same size, allows it. A flood, whether from many addresses or
// from the very addresses Alexa calls from, therefore cannot deny tokens
// to a client that holds its secret; and the flood stays limited, since
// without the secret it cannot spend the client's budget. A public
// client's id is no secret, so public clients get no budget of their own.
//
// An over-budget request gets 429 unless it authenticates such a client,
// whatever else is wrong with it. It costs at most one client lookup and
// one constant-time comparison, and only when it is a well-formed token
// request that carries a secret. Client
// secrets are 52 random characters, so the unlimited authentication
// attempts this allows cannot guess one.

// presentsSecret reports whether r carries a client secret, by HTTP Basic
// or in the body: only such requests may use a client's budget.
func presentsSecret(r *http.Request, form url.Values) bool {
	_, secret, basic := r.BasicAuth()
	return basic && secret != "" || form.Get("client_secret") != ""
}

// overAddressBudget decides a token request whose address budget is
// spent, given the outcome of its client authentication: served (nil) on
// the authenticated confidential client's own budget, else 429. Backend
// failures stay 5xx.
func (s *Service) overAddressBudget(c pool.Client, authErr error) error {
	if authErr != nil {
		if e := AsError(authErr); e.Status >= 500 {
			return authErr
		}
		return tooManyRequests()
	}
	if !c.HasSecret() || !s.limiter.Allow(clientBudgetKey(c)) {
		return tooManyRequests()
	}
	return nil
}

// clientBudgetKey is a client's key in the token limiter; address keys
// never contain "|".
func clientBudgetKey(c pool.Client) string { return "client|" + c.ID }
