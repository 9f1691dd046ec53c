package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

func runUserPasskeys(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "user passkeys", args, map[string]func(context.Context, *env, []string) error{
		"list":   runUserPasskeysList,
		"delete": runUserPasskeysDelete,
	})
}

// passkeyView is one passkey as `user passkeys list --json` prints it:
// Cognito's WebAuthnCredentialDescription, the id in base64url.
type passkeyView struct {
	CredentialID            string    `json:"CredentialId"`
	FriendlyCredentialName  string    `json:"FriendlyCredentialName"`
	RelyingPartyID          string    `json:"RelyingPartyId"`
	AuthenticatorAttachment string    `json:"AuthenticatorAttachment,omitempty"`
	AuthenticatorTransports []string  `json:"AuthenticatorTransports"`
	CreatedAt               time.Time `json:"CreatedAt"`
	LastUsedAt              time.Time `json:"LastUsedAt,omitzero"`
}

func passkeyViewOf(c pool.WebAuthnCredential) passkeyView {
	transports := c.Transports
	if transports == nil {
		transports = []string{}
	}
	return passkeyView{CredentialID: base64.RawURLEncoding.EncodeToString(c.ID), FriendlyCredentialName: c.Name,
		RelyingPartyID: c.RelyingPartyID, AuthenticatorAttachment: c.Attachment, AuthenticatorTransports: transports,
		CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt}
}

func runUserPasskeysList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user passkeys list", true)
	var r userRef
	r.register(c)
	d, p, u, err := r.start(ctx, c, args)
	if err != nil {
		return err
	}
	defer d.close()
	creds, err := d.passkeys.List(ctx, p, u.Sub)
	if err != nil {
		return err
	}
	views := make([]passkeyView, 0, len(creds))
	for _, c := range creds {
		views = append(views, passkeyViewOf(c))
	}
	return printList(e.stdout, c.json, views, []string{"ID", "NAME", "RELYING-PARTY", "ATTACHMENT", "CREATED", "LAST-USED"},
		func(v passkeyView) []string {
			return []string{v.CredentialID, orDash(v.FriendlyCredentialName), v.RelyingPartyID, orDash(v.AuthenticatorAttachment),
				fmtTime(v.CreatedAt), fmtTime(v.LastUsedAt)}
		})
}

func runUserPasskeysDelete(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "user passkeys delete", false)
	var r userRef
	var idText string
	r.register(c)
	c.fs.StringVar(&idText, "id", "", "the passkey's id, as 'user passkeys list' prints it (required)")
	if err := c.parse(args, "pool", "username", "id"); err != nil {
		return err
	}
	id, err := base64.RawURLEncoding.DecodeString(idText)
	if err != nil || len(id) == 0 {
		return usagef("--id %q is not a passkey id (base64url, as 'user passkeys list' prints it)", idText)
	}
	d, p, u, err := r.open(ctx, c)
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.passkeys.Delete(ctx, p, u.Sub, id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Deleted passkey %s of user %s.\n", idText, u.Username)
	return nil
}
