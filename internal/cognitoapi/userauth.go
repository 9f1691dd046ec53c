package cognitoapi

import (
	"errors"
	"net"
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
)

// USER_AUTH, the choice-based sign-in (the client allows
// ALLOW_USER_AUTH): the first factors the pool offers
// (account.FirstFactors) as Cognito names them, PASSWORD, PASSWORD_SRP,
// EMAIL_OTP and WEB_AUTHN. PREFERRED_CHALLENGE starts one at once;
// otherwise SELECT_CHALLENGE lists them as AvailableChallenges and
// ANSWER picks one. EMAIL_OTP mails a code (answer EMAIL_OTP_CODE);
// WEB_AUTHN answers CREDENTIAL_REQUEST_OPTIONS (answer CREDENTIAL, the
// passkey's assertion). The step after the first factor is
// account.NextStep's, as for a password.
//
// Unknown users are not revealed to a client that prevents user
// existence errors: EMAIL_OTP answers as for a known user and mails
// nothing, and WEB_AUTHN asks for any passkey of the pool.

// Challenge names of USER_AUTH.
const (
	challengeSelectChallenge = "SELECT_CHALLENGE"
	challengePassword        = "PASSWORD"
	challengePasswordSRP     = "PASSWORD_SRP"
	challengeWebAuthn        = pool.FactorWebAuthn
)

// availableChallenges are the pool's first factors as challenge names.
func availableChallenges(p pool.Pool) []string {
	var out []string
	for _, f := range account.FirstFactors(p) {
		if f == pool.FirstFactorPassword {
			out = append(out, challengePassword, challengePasswordSRP)
			continue
		}
		out = append(out, f)
	}
	return out
}

// startUserAuth serves InitiateAuth USER_AUTH.
func (c *call) startUserAuth(a authCall, params map[string]string, secretHash *string) (any, error) {
	username := params["USERNAME"]
	if username == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
	}
	if err := c.checkSecretHash(a.cl, username, secretHash); err != nil {
		return nil, err
	}
	available := availableChallenges(a.p)
	if pref := params["PREFERRED_CHALLENGE"]; pref != "" && slices.Contains(available, pref) {
		return c.firstFactorChallenge(a, username, pref, params, secretHash)
	}
	if _, err := c.limitSignIn(a, ""); err != nil {
		return nil, err
	}
	s := c.newSession(challengeSelectChallenge, a.cl)
	s.Username, s.Given, s.Admin, s.Options = username, username, a.admin, available
	session, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	return authAnswer{ChallengeName: challengeSelectChallenge, ChallengeParameters: map[string]string{}, Session: session, AvailableChallenges: available}, nil
}

// firstFactorChallenge starts the first factor choice for the user named
// given; params hold its members (PASSWORD, SRP_A).
func (c *call) firstFactorChallenge(a authCall, given, choice string, params map[string]string, secretHash *string) (any, error) {
	switch choice {
	case challengePassword:
		pw := params["PASSWORD"]
		if pw == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter PASSWORD")
		}
		return c.passwordSignIn(a, given, pw)
	case challengePasswordSRP:
		return c.startSRP(a, map[string]string{"USERNAME": given, "SRP_A": params["SRP_A"]}, secretHash)
	case pool.FirstFactorEmailOTP:
		return c.startEmailSignIn(a, given)
	case challengeWebAuthn:
		return c.startPasskeySignIn(a, given)
	}
	return nil, NewError(InvalidParameterException, "Unsupported challenge "+choice)
}

// answerMembers are the members a first factor chosen in SELECT_CHALLENGE
// needs.
var answerMembers = map[string]string{challengePassword: "PASSWORD", challengePasswordSRP: "SRP_A"}

// respondSelectChallenge answers SELECT_CHALLENGE with the first factor
// chosen (ANSWER) and its members.
func respondSelectChallenge(c *call, r *challengeCall) (any, error) {
	s, ans, err := r.choice(c, challengeSelectChallenge, "the AvailableChallenges: ")
	if err != nil {
		return nil, err
	}
	// The members of the answer are checked before the session is spent.
	if m, ok := answerMembers[ans]; ok {
		if _, err := r.required(m); err != nil {
			return nil, err
		}
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	var hash *string
	if h, ok := r.responses["SECRET_HASH"]; ok {
		hash = &h
	}
	return c.firstFactorChallenge(r.a, s.Given, ans, r.responses, hash)
}

// startEmailSignIn mails a sign-in code to the user named given
// (account.Service.SendSignInCode) and answers EMAIL_OTP. For a client
// that prevents user existence errors every refusal (an unknown user, one
// who may not sign in, one without an address) answers as a send to a
// simulated address, and no code will match.
func (c *call) startEmailSignIn(a authCall, given string) (any, error) {
	if _, err := c.limitSignIn(a, ""); err != nil {
		return nil, err
	}
	s := c.newSession(pool.FactorEmail, a.cl)
	s.Username, s.Given, s.Admin = given, given, a.admin
	dest, err := c.api.cfg.Accounts.SendSignInCode(c.ctx, a.p, given)
	var refused *account.Error
	switch {
	case err == nil:
		u, err := c.api.cfg.Accounts.Lookup(c.ctx, a.p, given)
		if err != nil {
			return nil, signInError(a.cl, err)
		}
		s.Sub, s.Username = u.Sub, u.Username
	case errors.As(err, &refused) && prevents(a.cl):
		// A known user who may not sign in is shown the address a
		// code would have gone to, as one who may.
		dest = simulatedDelivery(given).Destination
		if u, err := c.api.cfg.Accounts.Lookup(c.ctx, a.p, given); err == nil && u.Email() != "" {
			dest = account.MaskEmail(u.Email())
		}
	default:
		return nil, signInError(a.cl, err)
	}
	session, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	return authAnswer{ChallengeName: pool.FactorEmail, Session: session, ChallengeParameters: map[string]string{
		"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": dest,
	}}, nil
}

// rp is the relying party of the API's passkey ceremonies in pool p.
func (c *call) rp(p pool.Pool) (passkey.RP, error) {
	origins, _, err := c.api.origins.Get(c.ctx, p.ID)
	if err != nil {
		return passkey.RP{}, err
	}
	host := c.host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return passkey.RPForAPI(p, host, origins)
}

// startPasskeySignIn answers WEB_AUTHN with the options of a passkey
// sign-in for the user named given.
func (c *call) startPasskeySignIn(a authCall, given string) (any, error) {
	if c.api.cfg.Passkeys == nil {
		return nil, errWebAuthnNotEnabled
	}
	if _, err := c.limitSignIn(a, ""); err != nil {
		return nil, err
	}
	rp, err := c.rp(a.p)
	if err != nil {
		return nil, err
	}
	s := c.newSession(challengeWebAuthn, a.cl)
	s.Username, s.Given, s.Admin = given, given, a.admin
	var target *pool.User
	u, err := c.api.cfg.Accounts.Lookup(c.ctx, a.p, given)
	switch {
	case err == nil:
		if err := c.api.cfg.Accounts.PreAuthentication(c.ctx, a.p, u); err != nil {
			return nil, err
		}
		s.Sub, s.Username = u.Sub, u.Username
		if !prevents(a.cl) {
			target = &u
		}
	case account.TypeOf(err) == account.UserNotFoundException && prevents(a.cl):
	default:
		return nil, signInError(a.cl, err)
	}
	opts, state, err := c.api.cfg.Passkeys.BeginSignIn(c.ctx, a.p, target, rp)
	if err != nil {
		return nil, err
	}
	s.Passkey = state
	session, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	return authAnswer{ChallengeName: challengeWebAuthn, Session: session, ChallengeParameters: map[string]string{
		"CREDENTIAL_REQUEST_OPTIONS": string(opts),
	}}, nil
}

// respondWebAuthn checks the passkey's assertion (CREDENTIAL); it must be
// a passkey of the user the sign-in named.
func respondWebAuthn(c *call, r *challengeCall) (any, error) {
	s, err := r.openAnswer(c, challengeWebAuthn)
	if err != nil {
		return nil, err
	}
	cred, err := r.required("CREDENTIAL")
	if err != nil {
		return nil, err
	}
	if c.api.cfg.Passkeys == nil {
		return nil, errWebAuthnNotEnabled
	}
	rp, err := c.rp(r.a.p)
	if err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	u, verified, err := c.api.cfg.Passkeys.FinishSignIn(c.ctx, r.a.p, rp, s.Passkey, []byte(cred))
	if err != nil {
		return nil, signInError(r.a.cl, err)
	}
	if s.Sub == "" || u.Sub != s.Sub {
		return nil, NewError(NotAuthorizedException, "Incorrect username or password.")
	}
	first := account.ByPasskey
	if verified {
		first = account.ByPasskeyVerified
	}
	return c.afterFirstFactor(r.a, u, first, s.Given)
}
