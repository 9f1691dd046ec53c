// Package cognitoapi serves Cognito's JSON API (the cognito-idp wire
// protocol) so that the AWS CLI and SDKs work against linkpool
// unchanged: POST / with Content-Type application/x-amz-json-1.1 and
// X-Amz-Target AWSCognitoIdentityProviderService.<Action>. internal/server
// mounts it on the main listener, at the public URL's host and at every
// pool domain host.
//
// A request is framed (method, target, content type, a bounded body),
// authenticated when its action needs AWS Signature Version 4
// (Config.Authenticate: internal/app passes the access keys of
// internal/accesskey, whose refusals are rendered with AWS's names;
// without one every such action is refused, never open), authorized for
// the pool its PoolField names (Principal.Authorize), validated and
// served by internal/account (the user actions) or internal/admin (pools,
// app clients, domains, groups); a handler works only on the pool the
// caller was authorized for. The unsigned actions Cognito serves to apps
// (SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
// ConfirmForgotPassword) are authorized by their app client instead: the
// ClientId names the client and so the pool, and a client with a secret
// must send SecretHash (Base64 HMAC-SHA256 of username + client id under
// the secret, compared in constant time); they run the same
// internal/account flows as the hosted pages, honouring the client's
// PreventUserExistenceErrors. InitiateAuth (USER_SRP_AUTH,
// USER_PASSWORD_AUTH, USER_AUTH, REFRESH_TOKEN_AUTH) and RespondToAuthChallenge are
// authorized the same way and by the client's ExplicitAuthFlows;
// AdminInitiateAuth and AdminRespondToAuthChallenge (SigV4) add the
// ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH flows. Passwords and SRP
// proofs (internal/srp) are checked by internal/account with one
// lockout and account-state rule for both, and internal/oauth
// (Config.OAuth) mints or refreshes the tokens, the same grants as the
// token endpoint's. Between the round trips of a sign-in (the SRP
// SECRET_BLOCK, the Session of NEW_PASSWORD_REQUIRED) the state travels
// with the client, sealed with the master key (Config.Box): bound to its
// pool, client, user and kind of call, valid for the client's
// AuthSessionValidity, and answered once on any instance (its id is
// recorded in the store until it expires). Each challenge is an entry of
// challengeHandlers. A sign-in that proved its first factor takes the
// step internal/account's NextStep decides: the tokens, or a
// multi-factor challenge (SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE,
// MFA_SETUP with AssociateSoftwareToken and VerifySoftwareToken on its
// Session). USER_AUTH, the choice-based flow, offers the pool's first
// factors (password, SRP, a mailed code, a passkey through
// internal/passkey) and then takes the same step. GetTokensFromRefreshToken is the refresh grant too (with the
// client's RefreshTokenRotation and its grace period), authorized like
// RevokeToken by its app client's id and secret. GetUser, GlobalSignOut
// and the self-service actions (UpdateUserAttributes,
// DeleteUserAttributes, GetUserAttributeVerificationCode,
// VerifyUserAttribute, ChangePassword, DeleteUser) are authorized by an
// access token with aws.cognito.signin.user.admin
// (oauth.Service.VerifyAPIAccessClient) and run their internal/account
// flow for the token's user; a token of a deleted or disabled user, or
// one from before a global sign-out, is refused with
// NotAuthorizedException. The refreshes (REFRESH_TOKEN_AUTH,
// GetTokensFromRefreshToken) answer no IdToken for a client whose ID
// token on refresh is off (pool.Client.IDTokenOnRefresh); the client
// actions carry that setting as LinkpoolIdTokenOnRefresh, a member of
// linkpool's own that Cognito's clients never send (clients.go).
//
// Browser apps call the unsigned actions cross-origin: OPTIONS / is
// their CORS preflight, and their answers carry
// Access-Control-Allow-Origin for an origin the pool allows
// (admin.Service.CORSOrigins; see cors.go for how a preflight, which has
// no body, finds its pool). Pools, clients and the origins (per pool and
// their union) come from the configuration cache (internal/confcache),
// dropped when the configuration changes. Signed actions get no CORS
// headers. Every
// answer is application/x-amz-json-1.1 with x-amzn-RequestId (the
// server's request id). Errors are {"__type", "message"} with
// x-amzn-ErrorType: HTTP 400 for the caller's mistakes, with the
// exception names and messages of internal/account and internal/admin
// passed through as they are; 500 InternalErrorException, without details, for internal
// failures, which are logged, except a request whose client went away,
// which is answered nothing and logged at debug level (web.Gone).
//
// Files:
//
//	api.go       the handler: framing, authentication hook, decoding, pool lookup, error rendering
//	actions.go   the dispatch table Actions (README's supported-actions table is tested against it)
//	errors.go    the Error type, exception names, AWS-style validation messages
//	types.go     wire shapes (UserType, AttributeType with the "identities" attribute of users with
//	             linked provider identities, epoch-second timestamps) and member constraints
//	users.go     the user administration actions (AdminCreateUser, AdminGetUser, ...)
//	appclient.go the app client of an unsigned action: client lookup, SecretHash check
//	signup.go    SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword
//	initiateauth.go InitiateAuth, AdminInitiateAuth: the flows, the password sign-in, tokens
//	srpauth.go   USER_SRP_AUTH and its PASSWORD_VERIFIER challenge
//	challenge.go RespondToAuthChallenge, AdminRespondToAuthChallenge, NEW_PASSWORD_REQUIRED
//	authsession.go the sealed, single-use state of a challenge (Session, SECRET_BLOCK)
//	mfachallenge.go the step after a first factor and the multi-factor challenges
//	userauth.go  USER_AUTH: SELECT_CHALLENGE, the passwordless EMAIL_OTP and WEB_AUTHN
//	softwaretoken.go AssociateSoftwareToken, VerifySoftwareToken (access token or MFA_SETUP session)
//	mfaprefs.go  SetUserMFAPreference, AdminSetUserMFAPreference, the MFA members of GetUser
//	mfaconfig.go SetUserPoolMfaConfig, GetUserPoolMfaConfig
//	webauthn.go  StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials,
//	             DeleteWebAuthnCredential (access token)
//	usertoken.go GetUser, GlobalSignOut (access token) and RevokeToken (refresh token)
//	selfservice.go UpdateUserAttributes, DeleteUserAttributes, GetUserAttributeVerificationCode,
//	             VerifyUserAttribute, ChangePassword, DeleteUser (access token)
//	refreshtokens.go GetTokensFromRefreshToken
//	cors.go      CORS: the preflight (OPTIONS /) and the allowed origin of an unsigned action's answer
//	listusers.go ListUsers (the Filter grammar and the indexed listing are account's)
//	pools.go     CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools, AddCustomAttributes
//	clients.go   CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient, ListUserPoolClients (with LinkpoolIdTokenOnRefresh)
//	domains.go   CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain
//	groups.go    CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups and group membership
//	idps.go      CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
//	             ListIdentityProviders, GetIdentityProviderByIdentifier (admin), AdminLinkProviderForUser,
//	             AdminDisableProviderForUser (account)
//	samlcert.go  GetSigningCertificate (the pool's SAML certificate, admin.Service.SAMLCertificate)
package cognitoapi
