package cognitoapi

import (
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// userRequest is the members every user action has.
type userRequest struct {
	UserPoolId *string `json:"UserPoolId"`
	Username   *string `json:"Username"`
}

// target decodes req, checks its pool id and username (and whatever
// more adds) and returns the pool.
func (c *call) target(req any, u *userRequest, more func(v *validation)) (pool.Pool, error) {
	if err := c.decode(req); err != nil {
		return pool.Pool{}, err
	}
	var v validation
	v.poolID(u.UserPoolId)
	v.username(u.Username)
	if more != nil {
		more(&v)
	}
	if err := v.err(); err != nil {
		return pool.Pool{}, err
	}
	return c.pool(*u.UserPoolId)
}

// simple serves an action whose request is a pool and a user and whose
// answer is empty.
func simple(op func(c *call, p pool.Pool, username string) error) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		var req userRequest
		p, err := c.target(&req, &req, nil)
		if err != nil {
			return nil, err
		}
		return nil, op(c, p, *req.Username)
	}
}

var (
	adminDeleteUser = simple(func(c *call, p pool.Pool, u string) error {
		return c.api.cfg.Accounts.AdminDeleteUser(c.ctx, p, u)
	})
	adminEnableUser = simple(func(c *call, p pool.Pool, u string) error {
		return c.api.cfg.Accounts.AdminEnableUser(c.ctx, p, u)
	})
	adminDisableUser = simple(func(c *call, p pool.Pool, u string) error {
		return c.api.cfg.Accounts.AdminDisableUser(c.ctx, p, u)
	})
	adminConfirmSignUp = simple(func(c *call, p pool.Pool, u string) error {
		return c.api.cfg.Accounts.AdminConfirmSignUp(c.ctx, p, u)
	})
	adminResetUserPassword = simple(func(c *call, p pool.Pool, u string) error {
		return c.api.cfg.Accounts.AdminResetUserPassword(c.ctx, p, u)
	})
	adminUserGlobalSignOut = simple(func(c *call, p pool.Pool, u string) error {
		return c.api.cfg.Accounts.GlobalSignOut(c.ctx, p, u)
	})
)

// adminGetUser answers Cognito's AdminGetUser shape, with the user's MFA
// settings (mfaSettings).
func adminGetUser(c *call) (any, error) {
	var req userRequest
	p, err := c.target(&req, &req, nil)
	if err != nil {
		return nil, err
	}
	u, err := c.api.cfg.Accounts.Lookup(c.ctx, p, *req.Username)
	if err != nil {
		return nil, err
	}
	return struct {
		Username             string          `json:"Username"`
		UserAttributes       []attributeType `json:"UserAttributes"`
		UserCreateDate       epoch           `json:"UserCreateDate"`
		UserLastModifiedDate epoch           `json:"UserLastModifiedDate"`
		Enabled              bool            `json:"Enabled"`
		UserStatus           string          `json:"UserStatus"`
		mfaSettings
	}{u.Username, attributes(u, nil), epoch(u.CreatedAt), epoch(u.UpdatedAt), u.Enabled, u.Status, newMFASettings(u)}, nil
}

func adminCreateUser(c *call) (any, error) {
	var req struct {
		userRequest
		UserAttributes         []attributeIn `json:"UserAttributes"`
		TemporaryPassword      *string       `json:"TemporaryPassword"`
		MessageAction          *string       `json:"MessageAction"`
		DesiredDeliveryMediums []string      `json:"DesiredDeliveryMediums"`
	}
	var attrs map[string]string
	p, err := c.target(&req, &req.userRequest, func(v *validation) {
		attrs = v.attrs("userAttributes", req.UserAttributes, false)
		v.password("temporaryPassword", req.TemporaryPassword, false)
		v.enum("messageAction", req.MessageAction, "RESEND", "SUPPRESS")
		for i := range req.DesiredDeliveryMediums {
			v.enum("desiredDeliveryMediums."+itoa(i+1)+".member", &req.DesiredDeliveryMediums[i], "SMS", "EMAIL")
		}
	})
	if err != nil {
		return nil, err
	}
	if slices.Contains(req.DesiredDeliveryMediums, "SMS") {
		return nil, NewError(InvalidParameterException, "SMS delivery is not supported; use EMAIL.")
	}
	in := account.AdminCreateUserInput{
		Username: *req.Username, TemporaryPassword: deref(req.TemporaryPassword), Attributes: attrs,
		MessageAction: deref(req.MessageAction), EmailDelivery: slices.Contains(req.DesiredDeliveryMediums, "EMAIL"),
	}
	if v, ok := attrs[pool.AttrEmailVerified]; ok {
		in.EmailVerified = v == "true"
		delete(attrs, pool.AttrEmailVerified)
	}
	res, err := c.api.cfg.Accounts.AdminCreateUser(c.ctx, p, in)
	if err != nil {
		return nil, err
	}
	return struct {
		User userType `json:"User"`
	}{newUserType(res.User, nil)}, nil
}

func adminSetUserPassword(c *call) (any, error) {
	var req struct {
		userRequest
		Password  *string `json:"Password"`
		Permanent bool    `json:"Permanent"`
	}
	p, err := c.target(&req, &req.userRequest, func(v *validation) { v.password("password", req.Password, true) })
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.AdminSetUserPassword(c.ctx, p, *req.Username, *req.Password, req.Permanent)
}

func adminUpdateUserAttributes(c *call) (any, error) {
	var req struct {
		userRequest
		UserAttributes []attributeIn `json:"UserAttributes"`
	}
	var attrs map[string]string
	p, err := c.target(&req, &req.userRequest, func(v *validation) { attrs = v.attrs("userAttributes", req.UserAttributes, true) })
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.AdminUpdateUserAttributes(c.ctx, p, *req.Username, attrs)
}

func adminDeleteUserAttributes(c *call) (any, error) {
	var req struct {
		userRequest
		UserAttributeNames []string `json:"UserAttributeNames"`
	}
	p, err := c.target(&req, &req.userRequest, func(v *validation) {
		if req.UserAttributeNames == nil {
			v.add("userAttributeNames", nil, false, "Member must not be null")
		}
		for i := range req.UserAttributeNames {
			v.str("userAttributeNames."+itoa(i+1)+".member", &req.UserAttributeNames[i], true, 1, 32, namePattern, nameRe, false)
		}
	})
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.AdminDeleteUserAttributes(c.ctx, p, *req.Username, req.UserAttributeNames)
}
