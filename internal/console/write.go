package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/account"
)

// writeRoutes registers the pages that create, change and delete pools,
// signing keys and users (pools_write.go, keys.go, users_write.go). Every
// one is for administrators only; the forms post with the session's CSRF
// token from the console's origin (authorized).
func (c *Console) writeRoutes(m *http.ServeMux) {
	m.Handle("GET /console/pools/new", c.authorized(true, c.newPoolForm))
	m.Handle("POST /console/pools", c.authorized(true, c.createPool))
	m.Handle("POST /console/pools/{pool}/delete", c.authorized(true, c.deletePool))
	m.Handle("GET /console/pools/{pool}/keys", c.authorized(false, c.keys))
	m.Handle("POST /console/pools/{pool}/keys/rotate", c.authorized(true, c.rotateKeys))
	m.Handle("GET /console/pools/{pool}/users/new", c.authorized(true, c.newUserForm))
	m.Handle("POST /console/pools/{pool}/users", c.authorized(true, c.createUser))
	m.Handle("POST /console/pools/{pool}/users/{sub}/reset-password", c.authorized(true, c.resetPassword))
	m.Handle("POST /console/pools/{pool}/users/{sub}/signout", c.authorized(true, c.signOutUser))
	m.Handle("POST /console/pools/{pool}/users/{sub}/delete", c.authorized(true, c.deleteUser))
	c.userManageRoutes(m)
	c.settingsRoutes(m)
	c.clientRoutes(m)
	c.federationRoutes(m)
}

// refused renders the message page with status and a service's refusal:
// Cognito's error name and message (account.Error), which say what was
// wrong with the request and never hold a secret.
func (c *Console) refused(w http.ResponseWriter, r *http.Request, err error) bool {
	var ae *account.Error
	if !errors.As(err, &ae) {
		return false
	}
	status := http.StatusBadRequest
	switch ae.Type {
	case account.ResourceNotFoundException, account.UserNotFoundException:
		status = http.StatusNotFound
	case account.NotAuthorizedException:
		status = http.StatusForbidden
	case account.LimitExceededException:
		status = http.StatusTooManyRequests
	}
	c.render(w, r, status, "message", view{Title: "console.title.error", Page: message{Key: "console.error.refused", Detail: ae.Type + ": " + ae.Message}})
	return true
}

// fail renders err: a service's refusal as refused does, anything else
// as an internal failure (logged, 500).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	if !c.refused(w, r, err) {
		c.failure(w, r, err)
	}
}

// userURL is the console path of a user's page.
func userURL(poolID, sub string) string {
	return "/console/pools/" + url.PathEscape(poolID) + "/users/" + url.PathEscape(sub)
}

// asAccountError is errors.As for the services' *account.Error.
func asAccountError(err error, target **account.Error) bool {
	return err != nil && errors.As(err, target)
}
