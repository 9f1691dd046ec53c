package cognitoapi

// Action is an entry of the dispatch table: how an action is
// authenticated and authorized, and its handler.
type Action struct {
	// SigV4: the action needs a request signed with AWS Signature
	// Version 4 (every administrative action); false for the actions
	// Cognito serves unsigned (authorized by a client id, a session or
	// an access token).
	SigV4 bool
	// Write: the action changes something (false: it only reads).
	Write bool
	// PoolField is the request member that holds the pool id the action
	// works on, passed to Principal.Authorize.
	PoolField string
	// Run serves the action.
	Run func(c *call) (any, error)
}

// Actions is the dispatch table: every action the API serves, by its
// name in X-Amz-Target. README.md's table of supported actions is
// checked against it (TestSupportedActionsDocumented).
var Actions = map[string]Action{
	"AdminCreateUser":           {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminCreateUser},
	"AdminGetUser":              {SigV4: true, Write: false, PoolField: "UserPoolId", Run: adminGetUser},
	"AdminDeleteUser":           {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminDeleteUser},
	"AdminEnableUser":           {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminEnableUser},
	"AdminDisableUser":          {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminDisableUser},
	"AdminSetUserPassword":      {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminSetUserPassword},
	"AdminUpdateUserAttributes": {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminUpdateUserAttributes},
	"AdminDeleteUserAttributes": {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminDeleteUserAttributes},
	"AdminConfirmSignUp":        {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminConfirmSignUp},
	"AdminResetUserPassword":    {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminResetUserPassword},
	"AdminUserGlobalSignOut":    {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminUserGlobalSignOut},
	"ListUsers":                 {SigV4: true, Write: false, PoolField: "UserPoolId", Run: listUsers},
	"AdminSetUserMFAPreference": {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminSetUserMFAPreference},

	"AdminInitiateAuth":           {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminInitiateAuth},
	"AdminRespondToAuthChallenge": {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminRespondToAuthChallenge},

	"CreateUserPool":       {SigV4: true, Write: true, Run: createUserPool},
	"DescribeUserPool":     {SigV4: true, Write: false, PoolField: "UserPoolId", Run: describeUserPool},
	"UpdateUserPool":       {SigV4: true, Write: true, PoolField: "UserPoolId", Run: updateUserPool},
	"DeleteUserPool":       {SigV4: true, Write: true, PoolField: "UserPoolId", Run: deleteUserPool},
	"ListUserPools":        {SigV4: true, Write: false, Run: listUserPools},
	"AddCustomAttributes":  {SigV4: true, Write: true, PoolField: "UserPoolId", Run: addCustomAttributes},
	"SetUserPoolMfaConfig": {SigV4: true, Write: true, PoolField: "UserPoolId", Run: setUserPoolMfaConfig},
	"GetUserPoolMfaConfig": {SigV4: true, Write: false, PoolField: "UserPoolId", Run: getUserPoolMfaConfig},
	// Reads: the key pair it may create on first use is the pool's own.
	"GetSigningCertificate": {SigV4: true, Write: false, PoolField: "UserPoolId", Run: getSigningCertificate},

	"CreateUserPoolClient":   {SigV4: true, Write: true, PoolField: "UserPoolId", Run: createUserPoolClient},
	"DescribeUserPoolClient": {SigV4: true, Write: false, PoolField: "UserPoolId", Run: describeUserPoolClient},
	"UpdateUserPoolClient":   {SigV4: true, Write: true, PoolField: "UserPoolId", Run: updateUserPoolClient},
	"DeleteUserPoolClient":   {SigV4: true, Write: true, PoolField: "UserPoolId", Run: deleteUserPoolClient},
	"ListUserPoolClients":    {SigV4: true, Write: false, PoolField: "UserPoolId", Run: listUserPoolClients},

	"CreateUserPoolDomain":   {SigV4: true, Write: true, PoolField: "UserPoolId", Run: createUserPoolDomain},
	"DescribeUserPoolDomain": {SigV4: true, Write: false, Run: describeUserPoolDomain},
	"UpdateUserPoolDomain":   {SigV4: true, Write: true, PoolField: "UserPoolId", Run: updateUserPoolDomain},
	"DeleteUserPoolDomain":   {SigV4: true, Write: true, PoolField: "UserPoolId", Run: deleteUserPoolDomain},

	"CreateGroup":              {SigV4: true, Write: true, PoolField: "UserPoolId", Run: createGroup},
	"GetGroup":                 {SigV4: true, Write: false, PoolField: "UserPoolId", Run: getGroup},
	"UpdateGroup":              {SigV4: true, Write: true, PoolField: "UserPoolId", Run: updateGroup},
	"DeleteGroup":              {SigV4: true, Write: true, PoolField: "UserPoolId", Run: deleteGroup},
	"ListGroups":               {SigV4: true, Write: false, PoolField: "UserPoolId", Run: listGroups},
	"AdminAddUserToGroup":      {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminAddUserToGroup},
	"AdminRemoveUserFromGroup": {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminRemoveUserFromGroup},
	"AdminListGroupsForUser":   {SigV4: true, Write: false, PoolField: "UserPoolId", Run: adminListGroupsForUser},
	"ListUsersInGroup":         {SigV4: true, Write: false, PoolField: "UserPoolId", Run: listUsersInGroup},

	"CreateIdentityProvider":          {SigV4: true, Write: true, PoolField: "UserPoolId", Run: createIdentityProvider},
	"DescribeIdentityProvider":        {SigV4: true, Write: false, PoolField: "UserPoolId", Run: describeIdentityProvider},
	"UpdateIdentityProvider":          {SigV4: true, Write: true, PoolField: "UserPoolId", Run: updateIdentityProvider},
	"DeleteIdentityProvider":          {SigV4: true, Write: true, PoolField: "UserPoolId", Run: deleteIdentityProvider},
	"ListIdentityProviders":           {SigV4: true, Write: false, PoolField: "UserPoolId", Run: listIdentityProviders},
	"GetIdentityProviderByIdentifier": {SigV4: true, Write: false, PoolField: "UserPoolId", Run: getIdentityProviderByIdentifier},
	"AdminLinkProviderForUser":        {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminLinkProviderForUser},
	"AdminDisableProviderForUser":     {SigV4: true, Write: true, PoolField: "UserPoolId", Run: adminDisableProviderForUser},

	// Unsigned: authorized by the app client (ClientId, SecretHash).
	"SignUp":                 {Write: true, Run: signUp},
	"ConfirmSignUp":          {Write: true, Run: confirmSignUp},
	"ResendConfirmationCode": {Write: true, Run: resendConfirmationCode},
	"ForgotPassword":         {Write: true, Run: forgotPassword},
	"ConfirmForgotPassword":  {Write: true, Run: confirmForgotPassword},
	"InitiateAuth":           {Write: true, Run: initiateAuth},
	"RespondToAuthChallenge": {Write: true, Run: respondToAuthChallenge},
	"RevokeToken":            {Write: true, Run: revokeToken},
	// Unsigned: authorized by the app client (ClientId, ClientSecret).
	"GetTokensFromRefreshToken": {Write: true, Run: getTokensFromRefreshToken},
	// Unsigned: authorized by the user's access token.
	"GetUser":       {Write: false, Run: getUser},
	"GlobalSignOut": {Write: true, Run: globalSignOut},
	// Unsigned: a signed-in user's self-service, by the access token.
	"UpdateUserAttributes":             {Write: true, Run: updateUserAttributes},
	"DeleteUserAttributes":             {Write: true, Run: deleteUserAttributes},
	"GetUserAttributeVerificationCode": {Write: true, Run: getUserAttributeVerificationCode},
	"VerifyUserAttribute":              {Write: true, Run: verifyUserAttribute},
	"ChangePassword":                   {Write: true, Run: changePassword},
	"DeleteUser":                       {Write: true, Run: deleteUser},
	// Unsigned: multi-factor set-up, by the access token (or, for the
	// software token, the MFA_SETUP challenge's Session).
	"AssociateSoftwareToken": {Write: true, Run: associateSoftwareToken},
	"VerifySoftwareToken":    {Write: true, Run: verifySoftwareToken},
	"SetUserMFAPreference":   {Write: true, Run: setUserMFAPreference},
	// Unsigned: a signed-in user's passkeys, by the access token.
	"StartWebAuthnRegistration":    {Write: true, Run: startWebAuthnRegistration},
	"CompleteWebAuthnRegistration": {Write: true, Run: completeWebAuthnRegistration},
	"ListWebAuthnCredentials":      {Write: false, Run: listWebAuthnCredentials},
	"DeleteWebAuthnCredential":     {Write: true, Run: deleteWebAuthnCredential},
}
