package hostedui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// logout is GET /logout (Cognito "Logout endpoint"). It always ends the
// browser's session. Then, for a client of this pool, either it
// redirects to logout_uri, which must be one of the client's LogoutURLs
// exactly, or, given redirect_uri (a registered callback URL) and
// response_type, it sends the browser to /login to sign in again with
// those parameters (and state, scope and the other authorization
// parameters). Anything else is an error page. Like Cognito, this is not
// OpenID Connect RP-initiated logout: there is no id_token_hint.
func (u *UI) logout(c *call) error {
	c.endSession()
	q := c.r.URL.Query()
	clientID := q.Get("client_id")
	if !pool.ValidClientID(clientID) {
		return badRequest("error.logout_params")
	}
	client, err := u.store.GetClient(c.r.Context(), clientID)
	if errors.Is(err, store.ErrNotFound) || err == nil && client.PoolID != c.t.Pool.ID {
		return badRequest("error.unknown_client", "client", clientID, "pool", c.t.Pool.Name)
	}
	if err != nil {
		return fmt.Errorf("hostedui: logout: get client: %w", err)
	}
	if lu := q.Get("logout_uri"); lu != "" {
		if len(q["logout_uri"]) > 1 || !client.HasLogoutURL(lu) {
			return badRequest("error.logout_uri", "client", clientID)
		}
		c.redirect(http.StatusFound, lu)
		return nil
	}
	ru, rt := q.Get("redirect_uri"), q.Get("response_type")
	if ru == "" || rt == "" {
		return badRequest("error.logout_params")
	}
	if len(q["redirect_uri"]) > 1 || !client.HasCallbackURL(ru) {
		c.redirect(http.StatusFound, c.t.BasePath+"/error?"+url.Values{"error": {oauth.ErrRedirectMismatch}, "client_id": {clientID}}.Encode())
		return nil
	}
	c.redirect(http.StatusFound, c.t.BasePath+"/login?"+carried(q).Encode())
	return nil
}
