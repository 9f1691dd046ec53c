package trigger

// The request and response members of each trigger's event, in
// Cognito's JSON shape: a Call's Request and Response, and what Invoke
// decodes an answer's response into. Maps left nil are sent as null, as
// Cognito sends absent ones.

// PreSignUpRequest is the pre sign-up trigger's request.
type PreSignUpRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// PreSignUpResponse is the pre sign-up trigger's response.
type PreSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

// PostConfirmationRequest is the post confirmation trigger's request; its
// response is empty.
type PostConfirmationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// PreAuthenticationRequest is the pre authentication trigger's request;
// its response is empty.
type PreAuthenticationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ValidationData map[string]string `json:"validationData"`
	UserNotFound   bool              `json:"userNotFound"`
}

// PostAuthenticationRequest is the post authentication trigger's
// request; its response is empty.
type PostAuthenticationRequest struct {
	NewDeviceUsed  bool              `json:"newDeviceUsed"`
	UserAttributes map[string]string `json:"userAttributes"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// Empty is the response of the triggers that answer nothing.
type Empty struct{}

// CustomMessageRequest is the custom message trigger's request: the
// placeholders the message must keep ({####} for the code, {username}).
type CustomMessageRequest struct {
	UserAttributes    map[string]string `json:"userAttributes"`
	CodeParameter     string            `json:"codeParameter"`
	LinkParameter     string            `json:"linkParameter,omitempty"`
	UsernameParameter string            `json:"usernameParameter"`
	ClientMetadata    map[string]string `json:"clientMetadata"`
}

// CustomMessageResponse is the custom message trigger's response; empty
// members keep the pool's message.
type CustomMessageResponse struct {
	SMSMessage   string `json:"smsMessage"`
	EmailMessage string `json:"emailMessage"`
	EmailSubject string `json:"emailSubject"`
}

// GroupConfiguration is the groups part of a pre token generation
// request, and of its response's groupOverrideDetails.
type GroupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// PreTokenRequest is the pre token generation trigger's request; Scopes
// is sent with versions 2 and 3 only.
type PreTokenRequest struct {
	UserAttributes     map[string]string  `json:"userAttributes"`
	GroupConfiguration GroupConfiguration `json:"groupConfiguration"`
	ClientMetadata     map[string]string  `json:"clientMetadata"`
	Scopes             []string           `json:"scopes,omitempty"`
}

// PreTokenResponseV1 is the response of a version 1 pre token generation
// event: string claims for the ID token.
type PreTokenResponseV1 struct {
	ClaimsOverrideDetails *ClaimsOverrideDetails `json:"claimsOverrideDetails"`
}

// ClaimsOverrideDetails is a version 1 answer's changes to the ID token.
type ClaimsOverrideDetails struct {
	ClaimsToAddOrOverride map[string]string   `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string            `json:"claimsToSuppress"`
	GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails"`
}

// PreTokenResponseV2 is the response of a version 2 or 3 pre token
// generation event: claims of any JSON type for both tokens, and scopes.
type PreTokenResponseV2 struct {
	ClaimsAndScopeOverrideDetails *ClaimsAndScopeOverrideDetails `json:"claimsAndScopeOverrideDetails"`
}

// ClaimsAndScopeOverrideDetails is a version 2 or 3 answer's changes.
type ClaimsAndScopeOverrideDetails struct {
	IDTokenGeneration     *TokenGeneration    `json:"idTokenGeneration"`
	AccessTokenGeneration *TokenGeneration    `json:"accessTokenGeneration"`
	GroupOverrideDetails  *GroupConfiguration `json:"groupOverrideDetails"`
}

// TokenGeneration is the changes to one token; the scopes apply to the
// access token only.
type TokenGeneration struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress"`
	ScopesToAdd           []string       `json:"scopesToAdd,omitempty"`
	ScopesToSuppress      []string       `json:"scopesToSuppress,omitempty"`
}

// UserMigrationRequest is the user migration trigger's request: the
// password just typed (sign-in) or none (forgot password).
type UserMigrationRequest struct {
	Password       string            `json:"password,omitempty"`
	ValidationData map[string]string `json:"validationData"`
	ClientMetadata map[string]string `json:"clientMetadata"`
}

// UserMigrationResponse is the user migration trigger's response.
type UserMigrationResponse struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        string            `json:"finalUserStatus"`
	MessageAction          string            `json:"messageAction"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
	ForceAliasCreation     bool              `json:"forceAliasCreation"`
	EnableSMSMFA           bool              `json:"enableSMSMFA,omitempty"`
}

// ChallengeResult is one step of a custom authentication session.
type ChallengeResult struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata"`
}

// DefineAuthChallengeRequest is the define auth challenge trigger's
// request.
type DefineAuthChallengeRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata"`
	UserNotFound   bool              `json:"userNotFound"`
}

// DefineAuthChallengeResponse is the define auth challenge trigger's
// response.
type DefineAuthChallengeResponse struct {
	ChallengeName      string `json:"challengeName"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`
}

// CreateAuthChallengeRequest is the create auth challenge trigger's
// request.
type CreateAuthChallengeRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	ChallengeName  string            `json:"challengeName"`
	Session        []ChallengeResult `json:"session"`
	ClientMetadata map[string]string `json:"clientMetadata"`
	UserNotFound   bool              `json:"userNotFound"`
}

// CreateAuthChallengeResponse is the create auth challenge trigger's
// response.
type CreateAuthChallengeResponse struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

// VerifyAuthChallengeRequest is the verify auth challenge response
// trigger's request.
type VerifyAuthChallengeRequest struct {
	UserAttributes             map[string]string `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeAnswer            string            `json:"challengeAnswer"`
	ClientMetadata             map[string]string `json:"clientMetadata"`
	UserNotFound               bool              `json:"userNotFound"`
}

// VerifyAuthChallengeResponse is the verify auth challenge response
// trigger's response.
type VerifyAuthChallengeResponse struct {
	AnswerCorrect bool `json:"answerCorrect"`
}
