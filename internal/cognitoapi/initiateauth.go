package cognitoapi

import (
	"cmp"
	"errors"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// InitiateAuth (unsigned, authorized by the app client) and
// AdminInitiateAuth (SigV4): USER_PASSWORD_AUTH (ADMIN_USER_PASSWORD_AUTH,
// ADMIN_NO_SRP_AUTH) checks the password with internal/account;
// USER_SRP_AUTH answers the PASSWORD_VERIFIER challenge (srpauth.go);
// REFRESH_TOKEN_AUTH (alias REFRESH_TOKEN) runs the refresh grant. A
// signed-in user gets tokens minted by internal/oauth, as the token
// endpoint's, or a challenge (challenge.go).

// authenticationResult is Cognito's AuthenticationResultType.
type authenticationResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
}

// authAnswer is the answer of the InitiateAuth and RespondToAuthChallenge
// actions: tokens, or the next challenge with its Session.
type authAnswer struct {
	AuthenticationResult *authenticationResult `json:"AuthenticationResult,omitempty"`
	ChallengeName        string                `json:"ChallengeName,omitempty"`
	ChallengeParameters  map[string]string     `json:"ChallengeParameters"`
	Session              string                `json:"Session,omitempty"`
	// AvailableChallenges are the first factors of SELECT_CHALLENGE.
	AvailableChallenges []string `json:"AvailableChallenges,omitempty"`
}

var authFlows = []string{"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"}

// authRequest is the request of InitiateAuth and AdminInitiateAuth.
type authRequest struct {
	UserPoolId     *string           `json:"UserPoolId"`
	AuthFlow       *string           `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	ClientId       *string           `json:"ClientId"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// authCall is one sign-in being served: its app client and pool, whether
// it came through the administrative actions, and the token target.
type authCall struct {
	cl    pool.Client
	p     pool.Pool
	t     web.Target
	admin bool
	// tokenSource is the pre token generation triggerSource of the
	// tokens the call ends with; "" means TokenGeneration_Authentication.
	tokenSource string
	// meta is the request's ClientMetadata, passed to the triggers.
	meta map[string]string
}

func initiateAuth(c *call) (any, error)      { return c.initiateAuth(false) }
func adminInitiateAuth(c *call) (any, error) { return c.initiateAuth(true) }

func (c *call) initiateAuth(admin bool) (any, error) {
	var req authRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	if admin {
		v.poolID(req.UserPoolId)
	}
	v.enum("authFlow", req.AuthFlow, authFlows...)
	if req.AuthFlow == nil {
		v.add("authFlow", nil, false, "Member must not be null")
	}
	v.clientID(req.ClientId)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.authClient(*req.ClientId, deref(req.UserPoolId), admin)
	if err != nil {
		return nil, err
	}
	a.meta = req.ClientMetadata
	params := req.AuthParameters
	var secretHash *string
	if h, ok := params["SECRET_HASH"]; ok {
		secretHash = &h
	}
	switch flow := *req.AuthFlow; flow {
	case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		if admin == (flow == "USER_PASSWORD_AUTH") {
			return nil, NewError(InvalidParameterException, "Initiate Auth method not supported.")
		}
		if !a.allows(flow) {
			return nil, NewError(InvalidParameterException, flow+" flow not enabled for this client")
		}
		username, password := params["USERNAME"], params["PASSWORD"]
		if username == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
		}
		if password == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter PASSWORD")
		}
		if err := c.checkSecretHash(a.cl, username, secretHash); err != nil {
			return nil, err
		}
		return c.passwordSignIn(a, username, password)
	case "USER_SRP_AUTH":
		if !a.allows(flow) {
			return nil, NewError(InvalidParameterException, flow+" flow not enabled for this client")
		}
		return c.startSRP(a, params, secretHash)
	case "USER_AUTH":
		if !a.allows(flow) {
			return nil, NewError(InvalidParameterException, flow+" flow not enabled for this client")
		}
		return c.startUserAuth(a, params, secretHash)
	case "CUSTOM_AUTH":
		if !a.allows(flow) {
			return nil, NewError(InvalidParameterException, flow+" flow not enabled for this client")
		}
		return c.startCustomAuth(a, params, secretHash)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !a.allows("REFRESH_TOKEN_AUTH") {
			return nil, NewError(InvalidParameterException, "REFRESH_TOKEN_AUTH flow not enabled for this client")
		}
		// Cognito: refresh-token rotation is completed with
		// GetTokensFromRefreshToken only.
		if a.cl.RotatesRefreshTokens() {
			return nil, NewError(InvalidParameterException, "REFRESH_TOKEN_AUTH is not available to an app client that rotates refresh tokens; use GetTokensFromRefreshToken")
		}
		rt := params["REFRESH_TOKEN"]
		if rt == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter REFRESH_TOKEN")
		}
		check, err := c.refreshSecretHash(a.cl, secretHash)
		if err != nil {
			return nil, err
		}
		tokens, err := c.api.cfg.OAuth.RefreshAPI(c.ctx, a.t, a.cl, rt, check)
		if err != nil {
			return nil, refreshError(err)
		}
		return tokenAnswer(tokens), nil
	default:
		return nil, NewError(InvalidParameterException, "Unsupported AuthFlow "+flow+
			": this server offers USER_AUTH, USER_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, CUSTOM_AUTH and REFRESH_TOKEN_AUTH")
	}
}

// authClient resolves the app client of a sign-in and its pool. The
// administrative actions name the pool too, which must be the client's.
func (c *call) authClient(clientID, poolID string, admin bool) (authCall, error) {
	if c.api.cfg.OAuth == nil || c.api.cfg.Issuer == nil {
		return authCall{}, errors.New("cognitoapi: sign-in: no token service configured")
	}
	pid := ""
	if admin {
		pid = poolID
	}
	cl, p, err := c.clientOf(clientID, pid)
	if err != nil {
		return authCall{}, err
	}
	return authCall{cl: cl, p: p, t: web.Target{Pool: p, Issuer: c.api.cfg.Issuer(p.ID)}, admin: admin}, nil
}

// allows reports whether the client's ExplicitAuthFlows enable flow.
// The legacy values (ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH,
// CUSTOM_AUTH_FLOW_ONLY), which Cognito does not mix with the ALLOW_
// ones, enable the password flows; SRP and refresh were never gated for
// such clients.
func (a authCall) allows(flow string) bool {
	f := a.cl.ExplicitAuthFlows
	legacy := len(f) > 0 && !slices.ContainsFunc(f, func(v string) bool { return strings.HasPrefix(v, "ALLOW_") })
	switch flow {
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		return slices.Contains(f, "ALLOW_ADMIN_USER_PASSWORD_AUTH") || slices.Contains(f, "ADMIN_NO_SRP_AUTH")
	case "USER_PASSWORD_AUTH":
		return slices.Contains(f, "ALLOW_USER_PASSWORD_AUTH") || slices.Contains(f, "USER_PASSWORD_AUTH")
	case "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH":
		return legacy || slices.Contains(f, "ALLOW_"+flow)
	case "CUSTOM_AUTH":
		return slices.Contains(f, "ALLOW_CUSTOM_AUTH") || slices.Contains(f, "CUSTOM_AUTH_FLOW_ONLY")
	}
	return slices.Contains(f, "ALLOW_"+flow)
}

// limitSignIn takes an event of the client address (and of the address
// and username, when username is set) from the sign-in limiters shared
// with the hosted page. It returns the per-user key to refund on
// success. The administrative actions, signed by a trusted backend that
// speaks for many users, are not limited per address; the lockout
// applies to them as to every sign-in.
func (c *call) limitSignIn(a authCall, username string) (string, error) {
	if a.admin {
		return "", nil
	}
	addr := web.ClientKey(c.ctx) + "|"
	if l := c.api.cfg.SignInLimit; l != nil && !l.Allow(addr) {
		return "", NewError(TooManyRequestsException, "Too many requests")
	}
	if username == "" {
		return "", nil
	}
	userKey := addr + strings.ToLower(username)
	if l := c.api.cfg.SignInUserLimit; l != nil && !l.Allow(userKey) {
		return "", NewError(TooManyRequestsException, "Too many requests")
	}
	return userKey, nil
}

// refund gives back the per-user event of a sign-in that proved the
// user.
func (c *call) refund(userKey string) {
	if l := c.api.cfg.SignInUserLimit; l != nil && userKey != "" {
		l.Refund(userKey)
	}
}

// passwordSignIn checks a password (USER_PASSWORD_AUTH and its admin
// forms) and finishes the sign-in.
func (c *call) passwordSignIn(a authCall, username, password string) (any, error) {
	userKey, err := c.limitSignIn(a, username)
	if err != nil {
		return nil, err
	}
	u, err := c.api.cfg.Accounts.Authenticate(c.ctx, a.p, username, password)
	if err == nil || account.TypeOf(err) == account.NewPasswordRequired {
		c.refund(userKey)
	}
	if account.TypeOf(err) == account.NewPasswordRequired {
		// The password proved the user; the challenge needs who it is.
		if u, err = c.api.cfg.Accounts.Lookup(c.ctx, a.p, username); err != nil {
			return nil, err
		}
		return c.newPasswordChallenge(a, u, username)
	}
	return c.signedIn(a, u, err, account.ByPassword, username)
}

// signedIn finishes a first factor: the refusal rendered as Cognito
// renders it, or the step account.NextStep decides (mfachallenge.go):
// the tokens, or a multi-factor challenge. given is the name the caller
// signed in with.
func (c *call) signedIn(a authCall, u pool.User, err error, first account.FirstFactor, given string) (any, error) {
	if err != nil {
		return nil, signInError(a.cl, err)
	}
	return c.afterFirstFactor(a, u, first, given)
}

// issue mints the tokens of a finished sign-in, after the post
// authentication trigger.
func (c *call) issue(a authCall, u pool.User) (any, error) {
	if err := c.api.cfg.Accounts.PostAuthentication(c.ctx, a.p, u); err != nil {
		return nil, err
	}
	tokens, err := c.api.cfg.OAuth.IssueSignInFrom(c.ctx, a.t, a.cl, u, cmp.Or(a.tokenSource, trigger.SourceTokenAuthentication), a.meta)
	if err != nil {
		return nil, err
	}
	return tokenAnswer(tokens), nil
}

func tokenAnswer(tokens oauth.Tokens) authAnswer {
	return authAnswer{
		AuthenticationResult: &authenticationResult{
			AccessToken: tokens.AccessToken, ExpiresIn: tokens.ExpiresIn, TokenType: "Bearer",
			RefreshToken: tokens.RefreshToken, IdToken: tokens.IDToken,
		},
		ChallengeParameters: map[string]string{},
	}
}

// signInError renders a refused sign-in as Cognito does: an unknown user
// is "Incorrect username or password." unless the client's
// PreventUserExistenceErrors is LEGACY.
func signInError(cl pool.Client, err error) error {
	if account.TypeOf(err) == account.UserNotFoundException && prevents(cl) {
		return NewError(NotAuthorizedException, "Incorrect username or password.")
	}
	return err
}

// refreshSecretHash checks the SECRET_HASH of a refresh by a client with
// a secret. Cognito computes it over the user's sub or username (the
// token's user), which only the refresh reads: for such a client it
// returns the check that the refresh runs once it has read the token and
// its user (oauth.Service.RefreshAPI), so that neither is read twice; an
// unknown token is left to the refresh, which refuses it.
func (c *call) refreshSecretHash(cl pool.Client, got *string) (func(sub, username string) error, error) {
	if !cl.HasSecret() || got == nil {
		return nil, c.checkSecretHash(cl, "", got)
	}
	return func(sub, username string) error {
		names := []string{sub}
		if username != "" {
			names = append(names, username)
		}
		return c.checkSecretHashAny(cl, names, got)
	}, nil
}
