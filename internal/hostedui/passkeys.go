package hostedui

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
)

// passkeyView is the data of the passkey pages.
type passkeyView struct {
	// Options is the ceremony's options as JSON, for the script;
	// empty when no ceremony can start (the passkey limit).
	Options string
	// State is a sign-in ceremony's sealed state, posted back.
	State string
	// Items are the signed-in user's passkeys (/passkeys).
	Items []passkeyItem
	// Full: the user has the most passkeys allowed.
	Full bool
}

// passkeyItem is one passkey in the list.
type passkeyItem struct {
	ID, Name, Created, LastUsed string
}

// passkeysEnabled reports whether the pages offer passkeys, to sign in
// and to add: the UI has a passkey service and the pool offers them
// (passkey.Enabled: allowed, and not refused by the pool's MFA setting).
func (c *call) passkeysEnabled() bool {
	return c.u.passkeys != nil && passkey.Enabled(c.t.Pool)
}

func passkeysUnavailable() *pageError {
	return &pageError{status: http.StatusNotFound, title: "page.error", message: "error.passkeys_unavailable"}
}

// relyingParty is the passkeys' relying party at the page's origin.
func (c *call) relyingParty() (passkey.RP, error) {
	base, err := url.Parse(c.t.Base)
	if err != nil {
		return passkey.RP{}, badRequest("error.passkey_origin")
	}
	rp, err := passkey.RPFor(c.t.Pool, base.Scheme+"://"+base.Host)
	if err != nil {
		return passkey.RP{}, badRequest("error.passkey_origin")
	}
	return rp, nil
}

// passkeyOrigin reports whether the pages' origin can have passkeys
// (https, or localhost; a host under the RP id), so that no page offers
// a ceremony that cannot run.
func (c *call) passkeyOrigin() bool {
	_, err := c.relyingParty()
	return err == nil
}

// scripted makes v load the passkey script under a fresh nonce.
func (c *call) scripted(v *view) {
	v.Nonce = randomToken(18)
	v.ScriptURL = c.t.BasePath + "/static/passkey.js?v=" + scriptVersion
}

// passkeysPage is GET /passkeys: the signed-in user's passkeys, and a
// form that adds one. Without a session it leads to the sign-in page.
func (u *UI) passkeysPage(c *call) error {
	if !c.passkeysEnabled() {
		return passkeysUnavailable()
	}
	_, user, ok, err := c.manageSession()
	if err != nil || !ok {
		return err
	}
	return c.renderPasskeys(http.StatusOK, user, "")
}

func (c *call) renderPasskeys(status int, user pool.User, errKey string) error {
	rp, err := c.relyingParty()
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	list, err := c.u.passkeys.List(ctx, c.t.Pool, user.Sub)
	if err != nil {
		return err
	}
	pv := &passkeyView{}
	for _, k := range list {
		item := passkeyItem{ID: base64.RawURLEncoding.EncodeToString(k.ID), Name: k.Name, Created: c.cat.Date(k.CreatedAt.UTC())}
		if !k.LastUsedAt.IsZero() {
			item.LastUsed = c.cat.Date(k.LastUsedAt.UTC())
		}
		pv.Items = append(pv.Items, item)
	}
	options, err := c.u.passkeys.BeginRegistration(ctx, c.t.Pool, user.Sub, rp)
	switch {
	case account.TypeOf(err) == account.LimitExceededException:
		pv.Full = true
	case account.TypeOf(err) != "":
		// A user of an identity provider, or a pool changed meanwhile.
		return badRequest("error.passkeys_unavailable")
	case err != nil:
		return err
	default:
		pv.Options = string(options)
	}
	v := c.form("page.passkeys", "/passkeys", "")
	v.Passkey = pv
	v.setErrors(nil, errKey)
	c.scripted(v)
	return c.render(status, "passkeys", v)
}

// maxCredentialLen bounds a browser's WebAuthn answer taken from a form.
const maxCredentialLen = 12 << 10

// passkeysPost is POST /passkeys: action "add" with the browser's
// answer (credential) and an optional name, or action "remove" with a
// passkey's id. Both answer with the list again.
func (u *UI) passkeysPost(c *call) error {
	if err := c.acceptPost(u.limits.Login); err != nil {
		return err
	}
	if !c.passkeysEnabled() {
		return passkeysUnavailable()
	}
	_, user, ok, err := c.manageSession()
	if err != nil || !ok {
		return err
	}
	// refuse shows the list again with the message key names.
	refuse := func(key string) error { return c.renderPasskeys(http.StatusBadRequest, user, key) }
	ctx := c.r.Context()
	form := c.r.PostForm
	switch form.Get("action") {
	case "add":
		cred := form.Get("credential")
		if cred == "" || len(cred) > maxCredentialLen {
			return refuse("passkeys.failed")
		}
		rp, err := c.relyingParty()
		if err != nil {
			return err
		}
		_, err = u.passkeys.FinishRegistration(ctx, c.t.Pool, user.Sub, rp, []byte(cred), form.Get("name"))
		if err != nil {
			return c.passkeyFailure(err, refuse)
		}
		c.redirect(http.StatusSeeOther, c.local("/passkeys", url.Values{"notice": {"passkey_added"}}))
		return nil
	case "remove":
		id, err := base64.RawURLEncoding.DecodeString(form.Get("id"))
		if err != nil || len(id) == 0 || len(id) > 1024 {
			return refuse("passkeys.not_found")
		}
		if err := u.passkeys.Delete(ctx, c.t.Pool, user.Sub, id); err != nil {
			return c.passkeyFailure(err, refuse)
		}
		c.redirect(http.StatusSeeOther, c.local("/passkeys", url.Values{"notice": {"passkey_removed"}}))
		return nil
	}
	return badRequest("error.invalid_input")
}

// passkeyFailure shows a refused ceremony with show and the message of
// its exception; internal errors go on to fail.
func (c *call) passkeyFailure(err error, show func(key string) error) error {
	var ae *account.Error
	if !errors.As(err, &ae) {
		return err
	}
	key := "passkeys.failed"
	switch ae.Type {
	case account.LimitExceededException:
		key = "passkeys.limit"
	case account.InvalidParameterException:
		if ae.Field == "FriendlyCredentialName" {
			key = "passkeys.name_too_long"
		}
	case account.ResourceNotFoundException:
		key = "passkeys.not_found"
	case passkey.WebAuthnChallengeNotFoundException:
		key = "passkeys.expired"
	case passkey.WebAuthnOriginNotAllowedException, passkey.WebAuthnRelyingPartyMismatchException:
		key = "error.passkey_origin"
	}
	return show(key)
}
