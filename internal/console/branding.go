package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// brandingData is the branding page: the form (the saved branding, or
// the one just posted) and the preview of the pool's hosted sign-in page
// with it.
type brandingData struct {
	Pool pool.Pool
	CSRF string
	// Form is the branding the form shows; Proposed says the preview
	// shows it before it is saved.
	Form     pool.Branding
	Proposed bool
	// PreviewURL is the preview's address, on the console's origin.
	PreviewURL string
	// Messages is the pool's own wording of messages as the form shows
	// it: the JSON of `linkpool pool update --messages-file`.
	Messages string
	Error    string
	Done     bool
}

// brandingFields are the form fields of a branding and their query
// parameters in the preview's address.
var brandingFields = []string{"logo_url", "primary_color", "background_color", "css", "messages"}

// errMessagesJSON is the refusal of messages that are not the JSON of
// `linkpool pool update --messages-file`.
var errMessagesJSON = &account.Error{Type: account.InvalidParameterException,
	Message: `Branding.Messages must be a JSON object of language to message key to text, like {"en": {"login.intro": "Sign in to {pool}."}}`}

// brandingForm reads a branding from a form or the preview's query. The
// messages are the JSON of `linkpool pool update --messages-file`; empty
// removes them.
func brandingForm(v url.Values) (pool.Branding, error) {
	b := pool.Branding{
		LogoURL: strings.TrimSpace(v.Get("logo_url")), PrimaryColor: strings.TrimSpace(v.Get("primary_color")),
		BackgroundColor: strings.TrimSpace(v.Get("background_color")), CSS: strings.TrimSpace(v.Get("css")),
	}
	if m := strings.TrimSpace(v.Get("messages")); m != "" {
		if err := json.Unmarshal([]byte(m), &b.Messages); err != nil {
			return b, errMessagesJSON
		}
	}
	return b, nil
}

// messagesJSON is the form's text of a pool's own wording of messages.
func messagesJSON(m map[string]map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return string(b)
}

// previewURL is the address of the preview of p's sign-in page in the
// console's language lang: with the saved branding, or with proposed.
func previewURL(p pool.Pool, lang string, proposed *pool.Branding) string {
	q := url.Values{"lang": {lang}}
	if proposed != nil {
		q.Set("proposed", "1")
		var messages string
		if len(proposed.Messages) > 0 {
			b, _ := json.Marshal(proposed.Messages)
			messages = string(b)
		}
		for i, v := range []string{proposed.LogoURL, proposed.PrimaryColor, proposed.BackgroundColor, proposed.CSS, messages} {
			if v != "" {
				q.Set(brandingFields[i], v)
			}
		}
	}
	return "/console/pools/" + url.PathEscape(p.ID) + "/branding/preview?" + q.Encode()
}

func (c *Console) renderBranding(w http.ResponseWriter, r *http.Request, op operator, status int, d brandingData) {
	d.CSRF = op.CSRF
	c.render(w, r, status, "branding", view{Op: &op, Title: "console.title.branding", Nav: "pools", Frames: true, Page: d})
}

func (c *Console) branding(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	c.renderBranding(w, r, op, http.StatusOK, brandingData{Pool: p, Form: p.Branding, Messages: messagesJSON(p.Branding.Messages),
		PreviewURL: previewURL(p, c.catalog(r).Lang(), nil), Done: r.URL.Query().Get("done") == "saved"})
}

// postBranding previews (action "preview") or saves the posted
// branding. A preview changes nothing: it checks the proposed branding
// with the pool as the admin service would (admin.ValidateUserPool) and
// shows the preview of the sign-in page with it, or the refusal. A save
// goes through the admin service's UpdateUserPool (`linkpool pool
// update --logo-url --primary-color --background-color --css-file`): one
// audit record with the fields that changed; a refusal shows Cognito's
// error, 400, and changes nothing.
func (c *Console) postBranding(w http.ResponseWriter, r *http.Request, op operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	b, err := brandingForm(r.PostForm)
	d := brandingData{Pool: p, Form: b, Messages: r.PostFormValue("messages"), PreviewURL: previewURL(p, c.catalog(r).Lang(), nil)}
	var ae *account.Error
	if asAccountError(err, &ae) {
		d.Error = ae.Type + ": " + ae.Message
		c.renderBranding(w, r, op, http.StatusBadRequest, d)
		return
	}
	if r.PostFormValue("action") == "preview" {
		proposed := p
		proposed.Branding = b
		if err := admin.ValidateUserPool(proposed); asAccountError(err, &ae) {
			d.Error = ae.Type + ": " + ae.Message
			c.renderBranding(w, r, op, http.StatusBadRequest, d)
			return
		} else if err != nil {
			c.failure(w, r, err)
			return
		}
		d.PreviewURL, d.Proposed = previewURL(p, c.catalog(r).Lang(), &b), true
		c.renderBranding(w, r, op, http.StatusOK, d)
		return
	}
	_, err = c.cfg.Admin.UpdateUserPool(r.Context(), p.ID, func(p *pool.Pool) { p.Branding = b })
	if asAccountError(err, &ae) && ae.Type != account.ResourceNotFoundException {
		d.Error = ae.Type + ": " + ae.Message
		c.renderBranding(w, r, op, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/pools/"+url.PathEscape(p.ID)+"/branding?done=saved", http.StatusSeeOther)
}

// brandingPreview is the pool's hosted sign-in page as the hosted pages
// render it (Config.SignInPreview: hostedui.Preview), with the saved branding or, with
// proposed=1, the branding of the query, for the branding page's
// iframe. The iframe is sandboxed without scripts and forms, and the
// page's own policy allows its inline styles by nonce, images from
// https: and data: (logos), nothing else, and framing by the console's
// own pages alone (frame-ancestors 'self'). A proposed branding the
// service would refuse is answered 400 with its error as text.
func (c *Console) brandingPreview(w http.ResponseWriter, r *http.Request, _ operator) {
	p, ok := c.findPool(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("proposed") == "1" {
		var err error
		p.Branding, err = brandingForm(q)
		if err == nil {
			err = admin.ValidateUserPool(p)
		}
		var ae *account.Error
		if asAccountError(err, &ae) {
			previewHeaders(w.Header(), "")
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(ae.Type + ": " + ae.Message))
			return
		}
	}
	nonce := randomToken()
	body, err := c.cfg.SignInPreview(p, q.Get("lang"), nonce)
	if err != nil {
		c.failure(w, r, err)
		return
	}
	previewHeaders(w.Header(), nonce)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(body)
}

// previewHeaders are the security headers of the preview.
func previewHeaders(h http.Header, nonce string) {
	style := "'none'"
	if nonce != "" {
		style = "'nonce-" + nonce + "'"
	}
	h.Set("Content-Security-Policy", "default-src 'none'; style-src "+style+"; img-src https: data:; form-action 'none'; "+
		"frame-ancestors 'self'; base-uri 'none'; sandbox")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}
