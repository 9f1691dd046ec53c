package cognitoapi

import (
	"crypto/sha256"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// The unauthenticated sign-up and password-reset actions. Each is
// authorized by its app client (appClient: client id and SECRET_HASH)
// and served by internal/account, as the hosted pages' flows are.

// codeDeliveryDetails is Cognito's CodeDeliveryDetailsType.
type codeDeliveryDetails struct {
	Destination    string `json:"Destination"`
	DeliveryMedium string `json:"DeliveryMedium"`
	AttributeName  string `json:"AttributeName"`
}

func newDelivery(d *account.CodeDelivery) *codeDeliveryDetails {
	if d == nil {
		return nil
	}
	return &codeDeliveryDetails{Destination: d.Destination, DeliveryMedium: d.DeliveryMedium, AttributeName: d.AttributeName}
}

// codeDeliveryAnswer is the answer of ResendConfirmationCode and
// ForgotPassword.
type codeDeliveryAnswer struct {
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

const codePattern = `[\S]+`

// prevents reports whether the client hides which users exist
// (PreventUserExistenceErrors ENABLED).
func prevents(cl pool.Client) bool {
	return cl.PreventUserExistenceErrors == pool.ExistenceEnabled
}

// simulatedDelivery is the answer a client with PreventUserExistenceErrors
// gives for an unknown user: a code "sent" to a masked address, the same
// for every call with that name. A name that is an address is masked as
// it; any other gets letters derived from it.
func simulatedDelivery(username string) *codeDeliveryDetails {
	dest := account.MaskEmail(username)
	if !strings.Contains(username, "@") || dest == "***" {
		h := sha256.Sum256([]byte("simulated-delivery/" + username))
		dest = string(rune('a'+h[0]%26)) + "***@" + string(rune('a'+h[1]%26)) + "***.com"
	}
	return &codeDeliveryDetails{Destination: dest, DeliveryMedium: "EMAIL", AttributeName: pool.AttrEmail}
}

// concealUnknown turns an unknown user into a wrong code, as Cognito's
// confirmation actions answer with PreventUserExistenceErrors.
func concealUnknown(cl pool.Client, err error) error {
	if prevents(cl) && account.TypeOf(err) == account.UserNotFoundException {
		return NewError(CodeMismatchException, "Invalid verification code provided, please try again.")
	}
	return err
}

func signUp(c *call) (any, error) {
	var req struct {
		appClientRequest
		Password       *string       `json:"Password"`
		UserAttributes []attributeIn `json:"UserAttributes"`
		ValidationData []attributeIn `json:"ValidationData"`
	}
	var attrs map[string]string
	_, p, err := c.appClient(c.api.cfg.SignUpLimit, &req, &req.appClientRequest, func(v *validation) {
		v.password("password", req.Password, false)
		attrs = v.attrs("userAttributes", req.UserAttributes, false)
		v.attrs("validationData", req.ValidationData, false)
	})
	if err != nil {
		return nil, err
	}
	res, err := c.api.cfg.Accounts.SignUp(c.ctx, p, account.SignUpInput{
		Username: *req.Username, Password: deref(req.Password), Attributes: attrs,
	})
	if err != nil {
		return nil, err
	}
	return struct {
		UserConfirmed       bool                 `json:"UserConfirmed"`
		UserSub             string               `json:"UserSub"`
		CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
	}{res.Confirmed, res.User.Sub, newDelivery(res.Delivery)}, nil
}

func confirmSignUp(c *call) (any, error) {
	var req struct {
		appClientRequest
		ConfirmationCode *string `json:"ConfirmationCode"`
	}
	cl, p, err := c.appClient(c.api.cfg.SignUpLimit, &req, &req.appClientRequest, func(v *validation) {
		v.str("confirmationCode", req.ConfirmationCode, true, 1, 2048, codePattern, passwordRe, false)
	})
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Accounts.ConfirmSignUp(c.ctx, p, *req.Username, *req.ConfirmationCode)
	return nil, concealUnknown(cl, err)
}

func resendConfirmationCode(c *call) (any, error) {
	var req appClientRequest
	cl, p, err := c.appClient(c.api.cfg.SignUpLimit, &req, &req, nil)
	if err != nil {
		return nil, err
	}
	d, err := c.api.cfg.Accounts.ResendConfirmationCode(c.ctx, p, *req.Username)
	if prevents(cl) && account.TypeOf(err) == account.UserNotFoundException {
		return codeDeliveryAnswer{simulatedDelivery(*req.Username)}, nil
	}
	if err != nil {
		return nil, err
	}
	return codeDeliveryAnswer{newDelivery(d)}, nil
}

func forgotPassword(c *call) (any, error) {
	var req appClientRequest
	cl, p, err := c.appClient(c.api.cfg.ForgotPasswordLimit, &req, &req, nil)
	if err != nil {
		return nil, err
	}
	d, err := c.api.cfg.Accounts.ForgotPassword(c.ctx, p, *req.Username)
	if prevents(cl) && account.TypeOf(err) == account.UserNotFoundException {
		return codeDeliveryAnswer{simulatedDelivery(*req.Username)}, nil
	}
	if err != nil {
		return nil, err
	}
	return codeDeliveryAnswer{newDelivery(d)}, nil
}

func confirmForgotPassword(c *call) (any, error) {
	var req struct {
		appClientRequest
		ConfirmationCode *string `json:"ConfirmationCode"`
		Password         *string `json:"Password"`
	}
	cl, p, err := c.appClient(c.api.cfg.ForgotPasswordLimit, &req, &req.appClientRequest, func(v *validation) {
		v.str("confirmationCode", req.ConfirmationCode, true, 1, 2048, codePattern, passwordRe, false)
		v.password("password", req.Password, true)
	})
	if err != nil {
		return nil, err
	}
	err = c.api.cfg.Accounts.ConfirmForgotPassword(c.ctx, p, *req.Username, *req.ConfirmationCode, *req.Password)
	return nil, concealUnknown(cl, err)
}
