package cognitoapi

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// The multi-factor challenges. Once a sign-in proved its first factor,
// account.NextStep decides what follows: the tokens, or
// SOFTWARE_TOKEN_MFA (answer SOFTWARE_TOKEN_MFA_CODE), EMAIL_OTP (a
// mailed code; answer EMAIL_OTP_CODE), SELECT_MFA_TYPE (MFAS_CAN_CHOOSE;
// answer ANSWER) or MFA_SETUP (MFAS_CAN_SETUP: an authenticator app set
// up with AssociateSoftwareToken and VerifySoftwareToken on the
// challenge's Session, or an email answered with EMAIL and then its
// EMAIL_OTP code). A wrong code is a CodeMismatchException that counts
// towards the lockout and issues nothing; the session stays usable for
// another try until it expires, and is spent by the right answer.

// msgOTPMismatch refuses a wrong passwordless code without telling an
// unknown user, an expired code or a locked-out user apart.
const msgOTPMismatch = "Invalid code or auth state for the user."

// emailCodeRe is the form of a mailed sign-in code, checked before the
// user is, so that the answer does not depend on whether the user exists.
var emailCodeRe = regexp.MustCompile(`^[0-9]{8}$`)

// afterFirstFactor runs account.NextStep for u after first.
func (c *call) afterFirstFactor(a authCall, u pool.User, first account.FirstFactor, given string) (any, error) {
	step, err := account.NextStep(a.p, u, first)
	if err != nil {
		return nil, err
	}
	if step.Done() {
		return c.issue(a, u)
	}
	s := c.newSession(step.Challenge, a.cl)
	s.Sub, s.Username, s.Given, s.Admin, s.First = u.Sub, u.Username, given, a.admin, string(first)
	return c.mfaChallenge(a, u, s, step.Challenge, step.Options)
}

// mfaChallenge answers with challenge, continuing the sign-in of s.
func (c *call) mfaChallenge(a authCall, u pool.User, s authSession, challenge string, options []string) (any, error) {
	s.Challenge = challenge
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	switch challenge {
	case pool.FactorSoftwareToken:
		if d := u.MFA.TOTP; d != nil && d.Name != "" {
			params["FRIENDLY_DEVICE_NAME"] = d.Name
		}
	case pool.FactorEmail:
		dest, err := c.api.cfg.Accounts.SendEmailOTP(c.ctx, a.p, u.Sub, pool.CodeEmailMFA)
		if err != nil {
			return nil, err
		}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "EMAIL"
		params["CODE_DELIVERY_DESTINATION"] = dest
	case account.ChallengeSelectMFAType:
		s.Options = options
		params["MFAS_CAN_CHOOSE"] = jsonList(options)
	case account.ChallengeMFASetup:
		s.Options = options
		params["MFAS_CAN_SETUP"] = jsonList(options)
	}
	session, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	return authAnswer{ChallengeName: challenge, ChallengeParameters: params, Session: session}, nil
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// openAnswer opens the session of an answer to challenge and checks its
// USERNAME and SECRET_HASH.
func (r *challengeCall) openAnswer(c *call, challenge string) (authSession, error) {
	s, _, err := c.openSession(r.session, challenge, r.a.cl, r.a.admin)
	if err != nil {
		return authSession{}, err
	}
	if r.responses["USERNAME"] == "" {
		return authSession{}, NewError(InvalidParameterException, "Missing required parameter USERNAME")
	}
	if err := r.checkSecretHash(c, s); err != nil {
		return authSession{}, err
	}
	return s, nil
}

// required returns the answer's member name, refusing it when empty.
func (r *challengeCall) required(name string) (string, error) {
	v := r.responses[name]
	if v == "" {
		return "", NewError(InvalidParameterException, "Missing required parameter "+name)
	}
	return v, nil
}

// choice opens the session of a challenge that offers options
// (SELECT_MFA_TYPE, SELECT_CHALLENGE) and returns it with the ANSWER
// chosen, refusing one it does not offer: the message names the options
// after offered.
func (r *challengeCall) choice(c *call, challenge, offered string) (authSession, string, error) {
	s, err := r.openAnswer(c, challenge)
	if err != nil {
		return authSession{}, "", err
	}
	ans, err := r.required("ANSWER")
	if err != nil {
		return authSession{}, "", err
	}
	if !slices.Contains(s.Options, ans) {
		return authSession{}, "", NewError(InvalidParameterException, "ANSWER must be one of "+offered+strings.Join(s.Options, ", "))
	}
	return s, ans, nil
}

// respondSoftwareTokenMFA checks SOFTWARE_TOKEN_MFA_CODE.
func respondSoftwareTokenMFA(c *call, r *challengeCall) (any, error) {
	s, err := r.openAnswer(c, pool.FactorSoftwareToken)
	if err != nil {
		return nil, err
	}
	code, err := r.required("SOFTWARE_TOKEN_MFA_CODE")
	if err != nil {
		return nil, err
	}
	u, err := c.api.cfg.Accounts.VerifyTOTP(c.ctx, r.a.p, s.Sub, code)
	if err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	return c.issue(r.a, u)
}

// respondEmailOTP checks EMAIL_OTP_CODE: the second factor after a
// password, the code of an email MFA set-up, or the passwordless first
// factor of USER_AUTH (the session has no first factor yet).
func respondEmailOTP(c *call, r *challengeCall) (any, error) {
	s, err := r.openAnswer(c, pool.FactorEmail)
	if err != nil {
		return nil, err
	}
	code, err := r.required("EMAIL_OTP_CODE")
	if err != nil {
		return nil, err
	}
	if s.First == "" {
		return c.emailSignIn(r.a, s, code)
	}
	u, err := c.api.cfg.Accounts.VerifyEmailOTP(c.ctx, r.a.p, s.Sub, code, pool.CodeEmailMFA)
	if err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	if s.SetupEmail {
		on := &account.FactorSetting{Enabled: true, Preferred: u.MFA.Preferred == ""}
		if u, err = c.api.cfg.Accounts.SetMFAPreference(c.ctx, r.a.p, u.Sub, account.MFAPreference{Email: on}); err != nil {
			return nil, err
		}
	}
	return c.issue(r.a, u)
}

// emailSignIn checks the code of a passwordless sign-in. For a client
// that prevents user existence errors, an unknown user (no code was
// sent), a wrong or expired code and a locked-out user get one answer.
func (c *call) emailSignIn(a authCall, s authSession, code string) (any, error) {
	conceal := prevents(a.cl)
	mismatch := NewError(CodeMismatchException, msgOTPMismatch)
	if !emailCodeRe.MatchString(code) {
		return nil, NewError(InvalidParameterException, "The code must be 8 digits.")
	}
	if s.Sub == "" {
		return nil, mismatch
	}
	u, err := c.api.cfg.Accounts.VerifyEmailOTP(c.ctx, a.p, s.Sub, code, pool.CodeEmailSignIn)
	if err != nil {
		switch t := account.TypeOf(err); {
		case conceal && (t == account.CodeMismatchException || t == account.ExpiredCodeException || errors.Is(err, account.ErrLockedOut)):
			return nil, mismatch
		default:
			return nil, signInError(a.cl, err)
		}
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	if err := account.SignInState(a.p, u, c.api.now()); err != nil {
		return nil, signInError(a.cl, err)
	}
	return c.afterFirstFactor(a, u, account.ByEmailOTP, s.Given)
}

// respondSelectMFAType answers SELECT_MFA_TYPE with the factor chosen.
func respondSelectMFAType(c *call, r *challengeCall) (any, error) {
	s, ans, err := r.choice(c, account.ChallengeSelectMFAType, "")
	if err != nil {
		return nil, err
	}
	u, err := c.userBySub(r.a, s.Sub)
	if err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	return c.mfaChallenge(r.a, u, c.next(s, ans, r.a.cl), ans, nil)
}

// respondMFASetup finishes MFA_SETUP: after VerifySoftwareToken on the
// session, the tokens; with EMAIL (the user's address), the EMAIL_OTP
// challenge whose right code enables email MFA.
func respondMFASetup(c *call, r *challengeCall) (any, error) {
	s, err := r.openAnswer(c, account.ChallengeMFASetup)
	if err != nil {
		return nil, err
	}
	u, err := c.userBySub(r.a, s.Sub)
	if err != nil {
		return nil, err
	}
	email, withEmail := r.responses["EMAIL"]
	switch {
	case s.Setup == setupVerified:
		if err := c.consume(s); err != nil {
			return nil, err
		}
		return c.issue(r.a, u)
	case withEmail && slices.Contains(s.Options, pool.FactorEmail):
		if !strings.EqualFold(email, u.Attributes[pool.AttrEmail]) {
			return nil, NewError(InvalidParameterException, "EMAIL must be the user's email address.")
		}
		if err := c.consume(s); err != nil {
			return nil, err
		}
		n := c.next(s, pool.FactorEmail, r.a.cl)
		n.SetupEmail = true
		return c.mfaChallenge(r.a, u, n, pool.FactorEmail, nil)
	}
	return nil, NewError(InvalidParameterException, "MFA_SETUP needs a software token verified with VerifySoftwareToken on this session, or EMAIL (the user's email address) when MFAS_CAN_SETUP offers EMAIL_OTP.")
}
