package trigger

import (
	"maps"

	"github.com/linkpool/linkpool/internal/pool"
)

// Event is a Cognito trigger event as sent to the target. Request and
// Response are the trigger's own members, marshalled to JSON; the target
// answers with the whole event, and Invoke decodes its response member.
type Event struct {
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext CallerContext `json:"callerContext"`
	Request       any           `json:"request"`
	Response      any           `json:"response"`
}

// CallerContext is the event's callerContext.
type CallerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// UnknownSDK is the awsSdkVersion Cognito reports when the caller is not
// an AWS SDK (the hosted pages, a plain HTTP client).
const UnknownSDK = "aws-sdk-unknown-unknown"

// Trigger sources (the event's triggerSource), as Cognito names them.
const (
	SourcePreSignUp              = "PreSignUp_SignUp"
	SourcePreSignUpAdminCreate   = "PreSignUp_AdminCreateUser"
	SourcePreSignUpExternal      = "PreSignUp_ExternalProvider"
	SourcePostConfirmation       = "PostConfirmation_ConfirmSignUp"
	SourcePostConfirmationForgot = "PostConfirmation_ConfirmForgotPassword"
	SourcePreAuthentication      = "PreAuthentication_Authentication"
	SourcePostAuthentication     = "PostAuthentication_Authentication"

	SourceCustomMessageSignUp         = "CustomMessage_SignUp"
	SourceCustomMessageAdminCreate    = "CustomMessage_AdminCreateUser"
	SourceCustomMessageResendCode     = "CustomMessage_ResendCode"
	SourceCustomMessageForgot         = "CustomMessage_ForgotPassword"
	SourceCustomMessageUpdateAttr     = "CustomMessage_UpdateUserAttribute"
	SourceCustomMessageVerifyAttr     = "CustomMessage_VerifyUserAttribute"
	SourceCustomMessageAuthentication = "CustomMessage_Authentication"

	SourceTokenHostedAuth         = "TokenGeneration_HostedAuth"
	SourceTokenAuthentication     = "TokenGeneration_Authentication"
	SourceTokenNewPassword        = "TokenGeneration_NewPasswordChallenge"
	SourceTokenAuthenticateDevice = "TokenGeneration_AuthenticateDevice"
	SourceTokenRefresh            = "TokenGeneration_RefreshTokens"
	SourceTokenClientCredentials  = "TokenGeneration_ClientCredentials"

	SourceUserMigrationAuthentication = "UserMigration_Authentication"
	SourceUserMigrationForgotPassword = "UserMigration_ForgotPassword"

	SourceDefineAuthChallenge         = "DefineAuthChallenge_Authentication"
	SourceCreateAuthChallenge         = "CreateAuthChallenge_Authentication"
	SourceVerifyAuthChallengeResponse = "VerifyAuthChallengeResponse_Authentication"
)

// UserAttributes is a user's attributes as trigger events carry them
// (request.userAttributes): every stored attribute, with sub and
// cognito:user_status when the user has them; none for a user not stored.
func UserAttributes(u pool.User) map[string]string {
	a := make(map[string]string, len(u.Attributes)+2)
	maps.Copy(a, u.Attributes)
	if u.Sub != "" {
		a["sub"] = u.Sub
	}
	if u.Status != "" {
		a["cognito:user_status"] = u.Status
	}
	return a
}
