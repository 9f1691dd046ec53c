package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func (c *Console) triggerRoutes(m *http.ServeMux) {
	m.Handle("GET /console/pools/{pool}/triggers", c.authorized(false, c.triggers))
	m.Handle("POST /console/pools/{pool}/triggers", c.authorized(true, c.setTriggers))
	m.Handle("POST /console/pools/{pool}/triggers/rotate-secret", c.authorized(true, c.rotateTriggerSecret))
}

// trigger is one trigger of a pool with its target ("" when not
// configured) and the kind of target (pool.TargetLambda,
// pool.TargetWebhook).
type trigger struct {
	Name, Target, Kind string
}

// triggersData is a pool's triggers (its LambdaConfig), as `linkpool
// pool triggers show` prints them, with whether the pool has a webhook
// signing secret; Secret is a new secret, shown on the answer that made
// it and never again.
type triggersData struct {
	Pool     pool.Pool
	Triggers []trigger
	Version  string
	Versions []string
	// PreToken: pre token generation is configured (its version is
	// shown).
	PreToken  bool
	HasSecret bool
	Secret    string
	CSRF      string
	Done      string
	Error     string
}

// triggersOf returns the page of p's triggers; form, when not nil, holds
// the posted targets to show again with a refusal.
func triggersOf(p pool.Pool, form map[string]string) triggersData {
	lc := p.LambdaConfig
	d := triggersData{Pool: p, Version: lc.PreTokenVersion(), HasSecret: len(p.TriggerSecret) > 0,
		Versions: []string{pool.PreTokenV1, pool.PreTokenV2, pool.PreTokenV3}, PreToken: lc.Target(pool.TriggerPreTokenGeneration) != ""}
	for _, t := range pool.Triggers {
		target := lc.Target(t)
		if form != nil {
			target = form[t]
		}
		d.Triggers = append(d.Triggers, trigger{Name: t, Target: target, Kind: pool.TargetKind(target)})
	}
	return d
}

func (c *Console) triggers(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	d := triggersOf(p, nil)
	if r.URL.Query().Get("done") == "saved" {
		d.Done = "console.triggers.saved_done"
	}
	d.CSRF = op.CSRF
	c.render(w, r, http.StatusOK, "triggers", view{Op: &op, Title: "console.title.triggers", Nav: "pools", Page: d})
}

// setTriggers replaces the pool's triggers with the form's with the
// admin service's SetLambdaConfig, as `linkpool pool triggers set`: an
// empty target removes a trigger. When the pool's first webhook gave it
// a signing secret, the answer shows it, once, as the command does.
func (c *Console) setTriggers(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	version := strings.ToUpper(strings.TrimSpace(r.PostFormValue("pre_token_version")))
	if version == "" {
		version = p.LambdaConfig.PreTokenVersion()
	}
	lc := p.LambdaConfig
	form := map[string]string{}
	for _, t := range pool.Triggers {
		form[t] = strings.TrimSpace(r.PostFormValue(t))
		lc.SetTarget(t, form[t], version)
	}
	updated, err := c.cfg.Admin.SetLambdaConfig(r.Context(), p.ID, lc)
	var ae *account.Error
	if asAccountError(err, &ae) {
		d := triggersOf(p, form)
		d.Version, d.CSRF, d.Error = version, op.CSRF, ae.Type+": "+ae.Message
		c.render(w, r, http.StatusBadRequest, "triggers", view{Op: &op, Title: "console.title.triggers", Nav: "pools", Page: d})
		return
	}
	if err != nil {
		c.failure(w, r, err)
		return
	}
	if len(p.TriggerSecret) > 0 || len(updated.TriggerSecret) == 0 {
		http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/triggers?done=saved", http.StatusSeeOther)
		return
	}
	secret, err := c.cfg.Admin.TriggerSecret(r.Context(), p.ID)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	d := triggersOf(updated, nil)
	d.CSRF, d.Secret, d.Done = op.CSRF, secret, "console.triggers.saved_done"
	c.render(w, r, http.StatusOK, "triggers", view{Op: &op, Title: "console.title.triggers", Nav: "pools", Page: d})
}

// rotateTriggerSecret replaces the pool's webhook signing secret with
// the admin service's RotateTriggerSecret (`linkpool pool triggers
// secret --rotate`) and shows the new one on this answer only.
func (c *Console) rotateTriggerSecret(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	secret, err := c.cfg.Admin.RotateTriggerSecret(r.Context(), p.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p, ok = c.findPool(w, r)
	if !ok {
		return
	}
	d := triggersOf(p, nil)
	d.CSRF, d.Secret, d.Done = op.CSRF, secret, "console.triggers.rotated_done"
	c.render(w, r, http.StatusOK, "triggers", view{Op: &op, Title: "console.title.triggers", Nav: "pools", Page: d})
}
