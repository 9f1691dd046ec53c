package cognitoapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// RespondToAuthChallenge (unsigned, authorized by the app client and the
// challenge's session) and AdminRespondToAuthChallenge (SigV4) answer the
// challenges of InitiateAuth. Each challenge is one entry of
// challengeHandlers: the password's (PASSWORD_VERIFIER in srpauth.go,
// NEW_PASSWORD_REQUIRED here), the multi-factor ones (mfachallenge.go)
// and those of USER_AUTH (userauth.go).

// Challenge names served.
const (
	challengePasswordVerifier = "PASSWORD_VERIFIER"
	challengeNewPassword      = "NEW_PASSWORD_REQUIRED"
)

// challengeNames is Cognito's ChallengeNameType.
var challengeNames = []string{"SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP",
	"PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "SELECT_CHALLENGE", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER",
	"ADMIN_NO_SRP_AUTH", "NEW_PASSWORD_REQUIRED", "SMS_OTP", "PASSWORD", "WEB_AUTHN", "PASSWORD_SRP"}

// challengeCall is one answer to a challenge.
type challengeCall struct {
	a         authCall
	responses map[string]string
	session   string
}

// challengeHandlers answer the challenges by name.
var challengeHandlers = map[string]func(c *call, r *challengeCall) (any, error){
	challengePasswordVerifier:      respondPasswordVerifier,
	challengeNewPassword:           respondNewPassword,
	pool.FactorSoftwareToken:       respondSoftwareTokenMFA,
	pool.FactorEmail:               respondEmailOTP,
	account.ChallengeSelectMFAType: respondSelectMFAType,
	account.ChallengeMFASetup:      respondMFASetup,
	challengeSelectChallenge:       respondSelectChallenge,
	challengeWebAuthn:              respondWebAuthn,
	challengeCustom:                respondCustomChallenge,
}

type respondRequest struct {
	UserPoolId         *string           `json:"UserPoolId"`
	ClientId           *string           `json:"ClientId"`
	ChallengeName      *string           `json:"ChallengeName"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	Session            *string           `json:"Session"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

func respondToAuthChallenge(c *call) (any, error)      { return c.respondToAuthChallenge(false) }
func adminRespondToAuthChallenge(c *call) (any, error) { return c.respondToAuthChallenge(true) }

func (c *call) respondToAuthChallenge(admin bool) (any, error) {
	var req respondRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	if admin {
		v.poolID(req.UserPoolId)
	}
	v.clientID(req.ClientId)
	if req.ChallengeName == nil {
		v.add("challengeName", nil, false, "Member must not be null")
	}
	v.enum("challengeName", req.ChallengeName, challengeNames...)
	// Longer than Cognito's 2048: a WEB_AUTHN session carries the
	// passkeys the sign-in may use.
	v.str("session", req.Session, false, 20, maxSessionLen, "", nil, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := c.authClient(*req.ClientId, deref(req.UserPoolId), admin)
	if err != nil {
		return nil, err
	}
	run, ok := challengeHandlers[*req.ChallengeName]
	if !ok {
		return nil, NewError(InvalidParameterException, "Unsupported ChallengeName "+*req.ChallengeName+
			": this server answers PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP, SELECT_CHALLENGE, WEB_AUTHN and CUSTOM_CHALLENGE")
	}
	if a.cl.HasSecret() && req.ChallengeResponses["SECRET_HASH"] == "" {
		return nil, NewError(NotAuthorizedException, "Client "+a.cl.ID+" is configured with secret but SECRET_HASH was not received")
	}
	responses := req.ChallengeResponses
	if responses == nil {
		responses = map[string]string{}
	}
	a.meta = req.ClientMetadata
	return run(c, &challengeCall{a: a, responses: responses, session: deref(req.Session)})
}

// checkSecretHash checks the answer's SECRET_HASH, which clients compute
// over the USERNAME they answer with, the user's username or the name
// they signed in with.
func (r *challengeCall) checkSecretHash(c *call, s authSession) error {
	var got *string
	if h, ok := r.responses["SECRET_HASH"]; ok {
		got = &h
	}
	return c.checkSecretHashAny(r.a.cl, []string{r.responses["USERNAME"], s.Username, s.Given}, got)
}

// userBySub reads the user a session names.
func (c *call) userBySub(a authCall, sub string) (pool.User, error) {
	u, err := c.api.cfg.Store.GetUser(c.ctx, a.p.ID, sub)
	if errors.Is(err, store.ErrNotFound) {
		return pool.User{}, NewError(NotAuthorizedException, msgSessionInvalid)
	}
	if err != nil {
		return pool.User{}, fmt.Errorf("cognitoapi: get user: %w", err)
	}
	return u, nil
}

// newPasswordChallenge answers a sign-in that proved a temporary
// password with the NEW_PASSWORD_REQUIRED challenge: the user's
// attributes, those still required, and a Session for the answer.
func (c *call) newPasswordChallenge(a authCall, u pool.User, given string) (any, error) {
	s := c.newSession(challengeNewPassword, a.cl)
	s.Sub, s.Username, s.Given, s.Admin = u.Sub, u.Username, given, a.admin
	session, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	attrs := make(map[string]string, len(u.Attributes))
	for k, v := range u.Attributes {
		attrs[k] = v
	}
	required := []string{}
	for _, n := range account.RequiredAttributes(a.p, u) {
		required = append(required, newPasswordAttrPrefix+n)
	}
	ua, err := json.Marshal(attrs)
	if err != nil {
		return nil, err
	}
	ra, err := json.Marshal(required)
	if err != nil {
		return nil, err
	}
	return authAnswer{
		ChallengeName: challengeNewPassword,
		Session:       session,
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP": u.Username, "userAttributes": string(ua), "requiredAttributes": string(ra),
		},
	}, nil
}

// newPasswordAttrPrefix prefixes the attributes of a
// NEW_PASSWORD_REQUIRED answer.
const newPasswordAttrPrefix = "userAttributes."

// respondNewPassword sets the new password (NEW_PASSWORD) and the
// attributes given (userAttributes.<name>) of the session's user and
// signs the user in. An answer refused for its input (a weak password, a
// missing attribute) leaves the session usable for another try.
func respondNewPassword(c *call, r *challengeCall) (any, error) {
	resp := r.responses
	s, _, err := c.openSession(r.session, challengeNewPassword, r.a.cl, r.a.admin)
	if err != nil {
		return nil, err
	}
	if resp["USERNAME"] == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
	}
	if err := r.checkSecretHash(c, s); err != nil {
		return nil, err
	}
	pw, ok := resp["NEW_PASSWORD"]
	if !ok || pw == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter NEW_PASSWORD")
	}
	attrs := map[string]string{}
	for k, v := range resp {
		if name, ok := strings.CutPrefix(k, newPasswordAttrPrefix); ok {
			attrs[name] = v
		}
	}
	if err := c.api.cfg.Accounts.CheckNewPassword(c.ctx, r.a.p, s.Sub, pw, attrs); err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	u, err := c.api.cfg.Accounts.RespondNewPassword(c.ctx, r.a.p, s.Sub, pw, attrs)
	r.a.tokenSource = trigger.SourceTokenNewPassword
	return c.signedIn(r.a, u, err, account.ByPassword, s.Given)
}
