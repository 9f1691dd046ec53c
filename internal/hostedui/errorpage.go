package hostedui

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// errorPage is GET /error, where authorization requests that must not be
// redirected end (Cognito: /error?error=redirect_mismatch&client_id=...).
// Cognito's page says only "An error was encountered with the requested
// page."; this one says whether the client is unknown or the redirect URI
// is not registered for it, and names the client id, without listing the
// registered URIs.
func (u *UI) errorPage(c *call) error {
	q := c.r.URL.Query()
	clientID := q.Get("client_id")
	v := c.view("page.error", "", "")
	v.Error = c.cat.T("error.unknown")
	if q.Get("error") == oauth.ErrRedirectMismatch && pool.ValidClientID(clientID) {
		client, err := u.store.GetClient(c.r.Context(), clientID)
		switch {
		case err == nil && client.PoolID == c.t.Pool.ID:
			v.Error = c.cat.T("error.redirect_mismatch", "client", clientID)
		case err == nil || errors.Is(err, store.ErrNotFound):
			v.Error = c.cat.T("error.unknown_client", "client", clientID, "pool", c.t.Pool.Name)
		default:
			return fmt.Errorf("hostedui: error page: get client: %w", err)
		}
	}
	return c.render(http.StatusBadRequest, "message", v)
}
