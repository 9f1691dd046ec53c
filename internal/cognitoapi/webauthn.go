package cognitoapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
)

// The passkey actions of a signed-in user (unsigned, by an access token
// with aws.cognito.signin.user.admin): StartWebAuthnRegistration and
// CompleteWebAuthnRegistration register one, ListWebAuthnCredentials and
// DeleteWebAuthnCredential manage them, over internal/passkey. The
// relying party is passkey.RPForAPI's. Registering needs a pool that
// offers passkey sign-in (passkey.Enabled); listing and deleting do not,
// so a user can still remove passkeys once the pool stops offering them.

// WebAuthnNotEnabledException refuses passkeys in a pool without them.
const WebAuthnNotEnabledException = "WebAuthnNotEnabledException"

var errWebAuthnNotEnabled = NewError(WebAuthnNotEnabledException,
	"Passkeys are not enabled for this user pool: its Policies.SignInPolicy.AllowedFirstAuthFactors must include WEB_AUTHN, and where MFA is required its WebAuthnConfiguration.FactorConfiguration must be MULTI_FACTOR_WITH_USER_VERIFICATION.")

// maxPasskeysPage bounds ListWebAuthnCredentials' MaxResults (Cognito: 20).
const maxPasskeysPage = pool.MaxPasskeys

// passkeyAccess verifies the access token of a passkey action that
// lists or deletes.
func (c *call) passkeyAccess(tok string) (access, error) {
	a, err := c.verifyAccess(tok)
	if err != nil {
		return access{}, err
	}
	if c.api.cfg.Passkeys == nil {
		return access{}, errWebAuthnNotEnabled
	}
	return a, nil
}

// registrationRP refuses a registration step where the pool does not
// offer passkeys and returns the relying party the user registers with.
func (c *call) registrationRP(a access) (passkey.RP, error) {
	if c.api.cfg.Passkeys == nil || !passkey.Enabled(a.pool) {
		return passkey.RP{}, errWebAuthnNotEnabled
	}
	return c.rp(a.pool)
}

func startWebAuthnRegistration(c *call) (any, error) {
	a, err := c.accessUser()
	if err != nil {
		return nil, err
	}
	rp, err := c.registrationRP(a)
	if err != nil {
		return nil, err
	}
	opts, err := c.api.cfg.Passkeys.BeginRegistration(c.ctx, a.pool, a.user.Sub, rp)
	if err != nil {
		return nil, err
	}
	return struct {
		CredentialCreationOptions json.RawMessage `json:"CredentialCreationOptions"`
	}{opts}, nil
}

func completeWebAuthnRegistration(c *call) (any, error) {
	var req struct {
		AccessToken *string         `json:"AccessToken"`
		Credential  json.RawMessage `json:"Credential"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	if cred := bytes.TrimSpace(req.Credential); len(cred) == 0 || bytes.Equal(cred, []byte("null")) {
		v.add("credential", nil, false, "Member must not be null")
	} else if cred[0] != '{' {
		return nil, NewError(InvalidParameterException, "Credential must be the PublicKeyCredential as a JSON object.")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.verifyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	rp, err := c.registrationRP(a)
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Passkeys.FinishRegistration(c.ctx, a.pool, a.user.Sub, rp, req.Credential, "")
	return nil, err
}

// webAuthnCredentialDescription is Cognito's WebAuthnCredentialDescription.
type webAuthnCredentialDescription struct {
	CredentialId            string   `json:"CredentialId"`
	FriendlyCredentialName  string   `json:"FriendlyCredentialName"`
	RelyingPartyId          string   `json:"RelyingPartyId"`
	AuthenticatorAttachment string   `json:"AuthenticatorAttachment,omitempty"`
	AuthenticatorTransports []string `json:"AuthenticatorTransports"`
	CreatedAt               epoch    `json:"CreatedAt"`
}

// credentialID is a passkey's id on the wire (base64url, no padding, as
// WebAuthn's JSON writes it).
func credentialID(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

func listWebAuthnCredentials(c *call) (any, error) {
	var req struct {
		AccessToken *string `json:"AccessToken"`
		MaxResults  *int    `json:"MaxResults"`
		NextToken   *string `json:"NextToken"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	if req.MaxResults != nil && (*req.MaxResults < 1 || *req.MaxResults > maxPasskeysPage) {
		n := itoa(*req.MaxResults)
		v.add("maxResults", &n, false, "Member must have value between 1 and "+itoa(maxPasskeysPage))
	}
	v.str("nextToken", req.NextToken, false, 1, 131072, "", nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.passkeyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	creds, err := c.api.cfg.Passkeys.List(c.ctx, a.pool, a.user.Sub)
	if err != nil {
		return nil, err
	}
	start := 0
	if req.NextToken != nil {
		start = slices.IndexFunc(creds, func(cr pool.WebAuthnCredential) bool { return credentialID(cr.ID) == *req.NextToken })
		if start < 0 {
			return nil, NewError(InvalidParameterException, "Invalid NextToken.")
		}
	}
	size := maxPasskeysPage
	if req.MaxResults != nil {
		size = *req.MaxResults
	}
	out := struct {
		Credentials []webAuthnCredentialDescription `json:"Credentials"`
		NextToken   string                          `json:"NextToken,omitempty"`
	}{Credentials: []webAuthnCredentialDescription{}}
	for i := start; i < len(creds); i++ {
		if len(out.Credentials) == size {
			out.NextToken = credentialID(creds[i].ID)
			break
		}
		cr := creds[i]
		transports := cr.Transports
		if transports == nil {
			transports = []string{}
		}
		out.Credentials = append(out.Credentials, webAuthnCredentialDescription{
			CredentialId: credentialID(cr.ID), FriendlyCredentialName: cr.Name, RelyingPartyId: cr.RelyingPartyID,
			AuthenticatorAttachment: cr.Attachment, AuthenticatorTransports: transports, CreatedAt: epoch(cr.CreatedAt),
		})
	}
	return out, nil
}

func deleteWebAuthnCredential(c *call) (any, error) {
	var req struct {
		AccessToken  *string `json:"AccessToken"`
		CredentialId *string `json:"CredentialId"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	v.str("credentialId", req.CredentialId, true, 1, 1024, "", nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.passkeyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	id, err := base64.RawURLEncoding.DecodeString(*req.CredentialId)
	if err != nil || len(id) == 0 {
		return nil, NewError(ResourceNotFoundException, "The user has no passkey with that CredentialId.")
	}
	return nil, c.api.cfg.Passkeys.Delete(c.ctx, a.pool, a.user.Sub, id)
}
