package cognitoapi

import (
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// The self-service actions a signed-in user calls with an access token
// that has aws.cognito.signin.user.admin, as GetUser: each verifies the
// token (verifyAccess) and runs its internal/account flow for the token's
// user.

func updateUserAttributes(c *call) (any, error) {
	var req struct {
		AccessToken    *string           `json:"AccessToken"`
		UserAttributes []attributeIn     `json:"UserAttributes"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	attrs := v.attrs("userAttributes", req.UserAttributes, true)
	v.accessToken(req.AccessToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, cl, err := c.accessClient(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := c.api.cfg.Accounts.UpdateUserAttributes(c.ctx, a.pool, cl, a.user.Sub, attrs)
	if err != nil {
		return nil, err
	}
	out := struct {
		CodeDeliveryDetailsList []codeDeliveryDetails `json:"CodeDeliveryDetailsList"`
	}{[]codeDeliveryDetails{}}
	if d != nil {
		out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList, *newDelivery(d))
	}
	return out, nil
}

func deleteUserAttributes(c *call) (any, error) {
	var req struct {
		AccessToken        *string  `json:"AccessToken"`
		UserAttributeNames []string `json:"UserAttributeNames"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	if req.UserAttributeNames == nil {
		v.add("userAttributeNames", nil, false, "Member must not be null")
	}
	for i := range req.UserAttributeNames {
		v.str("userAttributeNames."+itoa(i+1)+".member", &req.UserAttributeNames[i], true, 1, 32, namePattern, nameRe, false)
	}
	v.accessToken(req.AccessToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, cl, err := c.accessClient(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.DeleteUserAttributes(c.ctx, a.pool, cl, a.user.Sub, req.UserAttributeNames)
}

func getUserAttributeVerificationCode(c *call) (any, error) {
	var req struct {
		AccessToken    *string           `json:"AccessToken"`
		AttributeName  *string           `json:"AttributeName"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	v.str("attributeName", req.AttributeName, true, 1, 32, namePattern, nameRe, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.verifyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	d, err := c.api.cfg.Accounts.GetUserAttributeVerificationCode(c.ctx, a.pool, a.user.Sub, *req.AttributeName)
	if err != nil {
		return nil, err
	}
	return codeDeliveryAnswer{newDelivery(d)}, nil
}

func verifyUserAttribute(c *call) (any, error) {
	var req struct {
		AccessToken   *string `json:"AccessToken"`
		AttributeName *string `json:"AttributeName"`
		Code          *string `json:"Code"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	v.str("attributeName", req.AttributeName, true, 1, 32, namePattern, nameRe, false)
	v.str("code", req.Code, true, 1, 2048, codePattern, passwordRe, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.verifyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.VerifyUserAttribute(c.ctx, a.pool, a.user.Sub, *req.AttributeName, *req.Code)
}

func changePassword(c *call) (any, error) {
	var req struct {
		AccessToken      *string `json:"AccessToken"`
		PreviousPassword *string `json:"PreviousPassword"`
		ProposedPassword *string `json:"ProposedPassword"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.password("previousPassword", req.PreviousPassword, false)
	v.password("proposedPassword", req.ProposedPassword, true)
	v.accessToken(req.AccessToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.verifyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	if req.PreviousPassword == nil {
		// Cognito lets only users without a password leave it out; every
		// linkpool user has one.
		return nil, NewError(InvalidParameterException, "PreviousPassword is required: the user has a password.")
	}
	return nil, c.api.cfg.Accounts.ChangePassword(c.ctx, a.pool, a.user, *req.PreviousPassword, *req.ProposedPassword)
}

func deleteUser(c *call) (any, error) {
	a, err := c.accessUser()
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.DeleteUser(c.ctx, a.pool, a.user.Sub)
}

// accessClient verifies an access token and returns the app client it was
// issued to as well; a token whose client is gone is refused like any
// token that no longer stands.
func (c *call) accessClient(tok string) (access, pool.Client, error) {
	a, err := c.verifyAccess(tok)
	if err != nil {
		return access{}, pool.Client{}, err
	}
	cl, err := c.api.getClient(c.ctx, a.clientID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cl.PoolID != a.pool.ID) {
		return access{}, pool.Client{}, NewError(NotAuthorizedException, "Access Token has been revoked")
	}
	if err != nil {
		return access{}, pool.Client{}, fmt.Errorf("cognitoapi: get client: %w", err)
	}
	return a, cl, nil
}
