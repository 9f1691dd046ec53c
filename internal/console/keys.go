package console

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/token"
)

// keysData is a pool's signing keys with their publication schedule, as
// `linkpool keys list` and `keys rotate` show them.
type keysData struct {
	Pool pool.Pool
	Keys admin.SigningKeys
	CSRF string
	// Done says a rotation was just made; NotReady is when the next keys
	// may sign, when a rotation was refused because they may not yet.
	Done     bool
	NotReady time.Time
}

func (c *Console) keys(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	c.renderKeys(w, r, op, p, http.StatusOK, keysData{Done: r.URL.Query().Get("done") == "rotated"})
}

func (c *Console) renderKeys(w http.ResponseWriter, r *http.Request, op operator, p pool.Pool, status int, d keysData) {
	keys, err := c.cfg.Admin.DescribeSigningKeys(r.Context(), p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d.Pool, d.Keys, d.CSRF = p, keys, op.CSRF
	c.render(w, r, status, "keys", view{Op: &op, Title: "console.title.keys", Nav: "pools", Page: d})
}

// rotateKeys rotates the pool's signing keys with the admin service's
// RotateSigningKeys (`linkpool keys rotate`). A rotation refused because
// the next keys are not yet published long enough is answered 409 with
// the time they may sign.
func (c *Console) rotateKeys(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	_, _, err := c.cfg.Admin.RotateSigningKeys(r.Context(), p.ID)
	var nr *token.NotReadyError
	if errors.As(err, &nr) {
		c.renderKeys(w, r, op, p, http.StatusConflict, keysData{NotReady: nr.ReadyAt})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/keys?done=rotated", http.StatusSeeOther)
}
