package account

import (
	"context"
	"maps"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// preSignUp runs the pre sign-up trigger (source PreSignUp_SignUp,
// PreSignUp_AdminCreateUser or PreSignUp_ExternalProvider) for u, a user
// about to be created, and applies its answer to u: autoVerifyEmail
// marks the email address verified and autoVerifyPhone the phone number,
// each only when the user has one. It returns whether the answer asked
// to confirm the user (autoConfirmUser), which only a self sign-up
// honours. A failed trigger is the operation's error; nothing is stored
// before it runs.
func (s *Service) preSignUp(ctx context.Context, p pool.Pool, source string, u *pool.User) (bool, error) {
	c := CallerFrom(ctx)
	req := trigger.PreSignUpRequest{
		UserAttributes: maps.Clone(u.Attributes),
		ValidationData: c.ValidationData,
		ClientMetadata: c.ClientMetadata,
	}
	var resp trigger.PreSignUpResponse
	ran, err := s.invoke(ctx, p, pool.TriggerPreSignUp, source, u.Username, req, trigger.PreSignUpResponse{}, &resp)
	if err != nil || !ran {
		return false, err
	}
	if resp.AutoVerifyEmail && u.Email() != "" {
		u.Attributes[pool.AttrEmailVerified] = "true"
	}
	if resp.AutoVerifyPhone && u.Attributes[attrPhone] != "" {
		u.Attributes[attrPhoneVerified] = "true"
	}
	return resp.AutoConfirmUser, nil
}

// Phone attributes, set verified by a pre sign-up answer only.
const (
	attrPhone         = "phone_number"
	attrPhoneVerified = "phone_number_verified"
)

// postConfirmation runs the post confirmation trigger (source
// PostConfirmation_ConfirmSignUp or PostConfirmation_ConfirmForgotPassword)
// for u, just confirmed. As in Cognito, the confirmation is stored before
// the trigger runs and stays when it fails: the operation then answers
// the trigger's error, and the user is confirmed nonetheless.
func (s *Service) postConfirmation(ctx context.Context, p pool.Pool, source string, u pool.User) error {
	req := trigger.PostConfirmationRequest{
		UserAttributes: trigger.UserAttributes(u),
		ClientMetadata: CallerFrom(ctx).ClientMetadata,
	}
	_, err := s.invoke(ctx, p, pool.TriggerPostConfirmation, source, u.Username, req, nil, nil)
	return err
}
