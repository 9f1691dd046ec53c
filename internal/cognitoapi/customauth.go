package cognitoapi

import (
	"errors"
	"maps"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
	"github.com/linkpool/linkpool/internal/trigger"
)

// CUSTOM_AUTH: the pool's define, create and verify auth challenge
// triggers lead the sign-in. InitiateAuth asks the define trigger what
// comes first; each CUSTOM_CHALLENGE is created by the create trigger and
// its ANSWER judged by the verify trigger, and after each answer the
// define trigger, given every step so far, issues the tokens, fails the
// sign-in or asks another challenge. The steps travel in the sealed,
// single-use session of each challenge, with the private challenge
// parameters, which the client never sees.

const challengeCustom = "CUSTOM_CHALLENGE"

// maxCustomRounds bounds the challenges of one custom sign-in.
const maxCustomRounds = 16

// customState is a custom sign-in's progress in its session.
type customState struct {
	Steps   []trigger.ChallengeResult `json:"steps"`
	Private map[string]string         `json:"private,omitempty"`
	Meta    string                    `json:"meta,omitempty"`
	// NotFound: the user does not exist and the client hides that; the
	// triggers are told (userNotFound) and the sign-in can only fail.
	NotFound bool `json:"nf,omitempty"`
}

// passwordProved reports whether the sign-in proved the user's password
// (a successful PASSWORD_VERIFIER step).
func (st customState) passwordProved() bool {
	for _, r := range st.Steps {
		if r.ChallengeName == challengePasswordVerifier && r.ChallengeResult {
			return true
		}
	}
	return false
}

// msgIncorrect is Cognito's refusal of a failed custom sign-in.
const msgIncorrect = "Incorrect username or password."

// startCustomAuth begins a CUSTOM_AUTH sign-in for USERNAME.
func (c *call) startCustomAuth(a authCall, params map[string]string, secretHash *string) (any, error) {
	username := params["USERNAME"]
	if username == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
	}
	var srpA []byte
	if v := params["SRP_A"]; v != "" {
		A, err := srp.ParseA(v)
		if err != nil {
			return nil, NewError(InvalidParameterException, "Invalid SRP_A: it must be a hex number whose value modulo N is not 0.")
		}
		srpA = A.Bytes()
	}
	if err := c.checkSecretHash(a.cl, username, secretHash); err != nil {
		return nil, err
	}
	if c.api.cfg.Triggers == nil || a.p.LambdaConfig.Target(pool.TriggerDefineAuthChallenge) == "" {
		return nil, NewError(InvalidParameterException, "Custom auth lambda trigger is not configured for the user pool.")
	}
	// The address's budget only: the per-user one counts failed
	// passwords, which a custom sign-in has not.
	if _, err := c.limitSignIn(a, ""); err != nil {
		return nil, err
	}
	st := customState{Steps: []trigger.ChallengeResult{}}
	u, err := c.api.cfg.Accounts.Lookup(c.ctx, a.p, username)
	switch {
	case account.TypeOf(err) == account.UserNotFoundException && prevents(a.cl):
		st.NotFound = true
		u = pool.User{Username: username}
	case err != nil:
		return nil, err
	case !u.Enabled:
		return nil, NewError(NotAuthorizedException, "User is disabled.")
	case u.Status == pool.StatusUnconfirmed:
		return nil, NewError(account.UserNotConfirmedException, "User is not confirmed.")
	}
	if !st.NotFound {
		if err := c.api.cfg.Accounts.PreAuthentication(c.ctx, a.p, u); err != nil {
			return nil, err
		}
	}
	s := c.newSession(challengeCustom, a.cl)
	s.Sub, s.Username, s.Given, s.Admin, s.A = u.Sub, u.Username, username, a.admin, srpA
	if srpA != nil {
		// The password first: the define trigger sees SRP_A and asks
		// for PASSWORD_VERIFIER.
		st.Steps = append(st.Steps, trigger.ChallengeResult{ChallengeName: challengeSRPA, ChallengeResult: true})
	}
	return c.defineNext(a, s, u, st)
}

// challengeSRPA is the first step of a custom sign-in begun with SRP_A.
const challengeSRPA = "SRP_A"

// customPassword answers the define trigger's PASSWORD_VERIFIER after
// SRP_A with the SRP challenge of USER_SRP_AUTH, in a session that keeps
// the custom sign-in's steps.
func (c *call) customPassword(a authCall, s authSession, st customState) (any, error) {
	ch, err := c.api.cfg.Accounts.StartSRP(c.ctx, a.p, s.Given, prevents(a.cl))
	if err != nil {
		return nil, signInError(a.cl, err)
	}
	n := c.next(s, challengePasswordVerifier, a.cl)
	n.A, n.Custom = s.A, &st
	return c.passwordVerifier(n, ch)
}

// customAfterPassword records the PASSWORD_VERIFIER of a custom sign-in
// (err is the proof's verdict) and asks the define trigger what follows.
// A wrong password is a failed step for the trigger to judge; any other
// refusal (a disabled or locked-out user) ends the sign-in.
func (c *call) customAfterPassword(a authCall, s authSession, u pool.User, err error) (any, error) {
	st := *s.Custom
	proved := err == nil
	switch t := account.TypeOf(err); {
	case err == nil:
	case t == account.NewPasswordRequired:
		return nil, NewError(NotAuthorizedException, "The temporary password must be changed before a custom sign-in.")
	case t == NotAuthorizedException && !errors.Is(err, account.ErrLockedOut):
		u = pool.User{Username: s.Given}
		if s.Sub != "" {
			if u, err = c.userBySub(a, s.Sub); err != nil {
				return nil, err
			}
		}
	default:
		return nil, signInError(a.cl, err)
	}
	st.Steps = append(st.Steps, trigger.ChallengeResult{ChallengeName: challengePasswordVerifier, ChallengeResult: proved})
	return c.defineNext(a, c.next(s, challengeCustom, a.cl), u, st)
}

// respondCustomChallenge judges the ANSWER of a CUSTOM_CHALLENGE and
// asks the define trigger what follows.
func respondCustomChallenge(c *call, r *challengeCall) (any, error) {
	s, _, err := c.openSession(r.session, challengeCustom, r.a.cl, r.a.admin)
	if err != nil {
		return nil, err
	}
	if r.responses["USERNAME"] == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
	}
	if err := r.checkSecretHash(c, s); err != nil {
		return nil, err
	}
	answer, ok := r.responses["ANSWER"]
	if !ok {
		return nil, NewError(InvalidParameterException, "Missing required parameter ANSWER")
	}
	if s.Custom == nil {
		return nil, NewError(NotAuthorizedException, msgSessionInvalid)
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	st := *s.Custom
	u := pool.User{Username: s.Username}
	if !st.NotFound {
		if u, err = c.userBySub(r.a, s.Sub); err != nil {
			return nil, err
		}
		if !u.Enabled {
			return nil, NewError(NotAuthorizedException, "User is disabled.")
		}
	}
	var verdict trigger.VerifyAuthChallengeResponse
	err = c.invokeTrigger(r.a, u, trigger.Call{
		Trigger: pool.TriggerVerifyAuthChallengeResponse, Source: trigger.SourceVerifyAuthChallengeResponse,
		Request: trigger.VerifyAuthChallengeRequest{
			UserAttributes: trigger.UserAttributes(u), PrivateChallengeParameters: nonNilMap(st.Private),
			ChallengeAnswer: answer, ClientMetadata: r.a.meta, UserNotFound: st.NotFound,
		},
		Response: trigger.VerifyAuthChallengeResponse{},
	}, &verdict)
	if err != nil {
		return nil, err
	}
	st.Steps = append(st.Steps, trigger.ChallengeResult{ChallengeName: challengeCustom, ChallengeResult: verdict.AnswerCorrect, ChallengeMetadata: st.Meta})
	st.Private, st.Meta = nil, ""
	return c.defineNext(r.a, c.next(s, challengeCustom, r.a.cl), u, st)
}

// defineNext runs the define trigger over the steps so far and does what
// it decides, in s, the session of the next challenge.
func (c *call) defineNext(a authCall, s authSession, u pool.User, st customState) (any, error) {
	if len(st.Steps) >= maxCustomRounds {
		return nil, NewError(NotAuthorizedException, msgIncorrect)
	}
	var d trigger.DefineAuthChallengeResponse
	err := c.invokeTrigger(a, u, trigger.Call{
		Trigger: pool.TriggerDefineAuthChallenge, Source: trigger.SourceDefineAuthChallenge,
		Request: trigger.DefineAuthChallengeRequest{
			UserAttributes: trigger.UserAttributes(u), Session: st.Steps, ClientMetadata: a.meta, UserNotFound: st.NotFound,
		},
		Response: trigger.DefineAuthChallengeResponse{},
	}, &d)
	if err != nil {
		return nil, err
	}
	switch {
	case d.FailAuthentication:
		return nil, NewError(NotAuthorizedException, msgIncorrect)
	case d.IssueTokens:
		if st.NotFound {
			return nil, NewError(NotAuthorizedException, msgIncorrect)
		}
		if st.passwordProved() {
			// A password sign-in: the pool's second factor follows, as
			// Cognito's does after a PASSWORD_VERIFIER.
			return c.afterFirstFactor(a, u, account.ByPassword, s.Given)
		}
		return c.issue(a, u)
	case d.ChallengeName == challengePasswordVerifier && len(s.A) > 0 && len(st.Steps) == 1:
		return c.customPassword(a, s, st)
	case d.ChallengeName != challengeCustom:
		return nil, NewError(trigger.InvalidLambdaResponseException, "Invalid lambda response: challengeName must be CUSTOM_CHALLENGE, or issueTokens or failAuthentication set.")
	}
	var created trigger.CreateAuthChallengeResponse
	err = c.invokeTrigger(a, u, trigger.Call{
		Trigger: pool.TriggerCreateAuthChallenge, Source: trigger.SourceCreateAuthChallenge,
		Request: trigger.CreateAuthChallengeRequest{
			UserAttributes: trigger.UserAttributes(u), ChallengeName: challengeCustom, Session: st.Steps,
			ClientMetadata: a.meta, UserNotFound: st.NotFound,
		},
		Response: trigger.CreateAuthChallengeResponse{},
	}, &created)
	if err != nil {
		return nil, err
	}
	st.Private, st.Meta = created.PrivateChallengeParameters, created.ChallengeMetadata
	s.Custom = &st
	sealed, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	if len(sealed) > maxSessionLen {
		return nil, NewError(trigger.InvalidLambdaResponseException, "Invalid lambda response: the challenge parameters are too large.")
	}
	params := maps.Clone(created.PublicChallengeParameters)
	if params == nil {
		params = map[string]string{}
	}
	params["USERNAME"] = s.Username
	return authAnswer{ChallengeName: challengeCustom, Session: sealed, ChallengeParameters: params}, nil
}

// invokeTrigger invokes one of the custom auth triggers; a trigger the
// pool has not is Cognito's refusal of a custom sign-in without it.
func (c *call) invokeTrigger(a authCall, u pool.User, tc trigger.Call, out any) error {
	tc.UserName, tc.ClientID, tc.SDKVersion = u.Username, a.cl.ID, account.CallerFrom(c.ctx).SDKVersion
	err := c.api.cfg.Triggers.Invoke(c.ctx, &a.p, tc, out)
	if errors.Is(err, trigger.ErrNotConfigured) {
		return NewError(InvalidParameterException, "Custom auth lambda trigger is not configured for the user pool.")
	}
	return err
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
