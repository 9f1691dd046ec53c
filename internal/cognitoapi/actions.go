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
}
