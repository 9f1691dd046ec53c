package cognitoapi

import (
	"regexp"
	"slices"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// AssociateSoftwareToken and VerifySoftwareToken (unsigned) set up an
// authenticator app, for a signed-in user (AccessToken) or within the
// MFA_SETUP challenge of a sign-in (Session). With a Session each answers
// a new Session, and the one VerifySoftwareToken answers completes the
// sign-in with RespondToAuthChallenge MFA_SETUP. A wrong code leaves the
// session usable.

const userCodePattern = `[0-9]+`

var userCodeRe = regexp.MustCompile(`^(?:` + userCodePattern + `)$`)

// tokenOrSession checks that exactly one of AccessToken and Session is
// given.
func tokenOrSession(v *validation, tok, session *string) {
	v.str("accessToken", tok, false, 1, 16384, "", nil, true)
	v.str("session", session, false, 20, 2048, "", nil, true)
}

var errTokenOrSession = NewError(InvalidParameterException, "Give either AccessToken or Session.")

// setupSession opens the MFA_SETUP session of AssociateSoftwareToken and
// VerifySoftwareToken and returns it with its client and pool.
func (c *call) setupSession(encoded string) (authSession, authCall, error) {
	s, _, err := c.openAnySession(encoded, account.ChallengeMFASetup)
	if err != nil {
		return authSession{}, authCall{}, err
	}
	cl, p, err := c.clientOf(s.ClientID, s.PoolID)
	if err != nil {
		return authSession{}, authCall{}, NewError(NotAuthorizedException, msgSessionInvalid)
	}
	if !slices.Contains(s.Options, pool.FactorSoftwareToken) {
		return authSession{}, authCall{}, NewError(InvalidParameterException, "Software token MFA is not enabled for the user pool.")
	}
	return s, authCall{cl: cl, p: p, admin: s.Admin}, nil
}

func associateSoftwareToken(c *call) (any, error) {
	var req struct {
		AccessToken *string `json:"AccessToken"`
		Session     *string `json:"Session"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	tokenOrSession(&v, req.AccessToken, req.Session)
	if err := v.err(); err != nil {
		return nil, err
	}
	if (req.AccessToken == nil) == (req.Session == nil) {
		return nil, errTokenOrSession
	}
	type answer struct {
		SecretCode string `json:"SecretCode"`
		Session    string `json:"Session,omitempty"`
	}
	if req.AccessToken != nil {
		a, err := c.verifyAccess(*req.AccessToken)
		if err != nil {
			return nil, err
		}
		secret, err := c.api.cfg.Accounts.AssociateSoftwareToken(c.ctx, a.pool, a.user.Sub)
		if err != nil {
			return nil, err
		}
		return answer{SecretCode: secret}, nil
	}
	s, a, err := c.setupSession(*req.Session)
	if err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	secret, err := c.api.cfg.Accounts.AssociateSoftwareToken(c.ctx, a.p, s.Sub)
	if err != nil {
		return nil, err
	}
	n := c.next(s, account.ChallengeMFASetup, a.cl)
	n.Options, n.Setup = s.Options, setupAssociated
	session, err := c.seal(n)
	if err != nil {
		return nil, err
	}
	return answer{SecretCode: secret, Session: session}, nil
}

func verifySoftwareToken(c *call) (any, error) {
	var req struct {
		AccessToken        *string `json:"AccessToken"`
		Session            *string `json:"Session"`
		UserCode           *string `json:"UserCode"`
		FriendlyDeviceName *string `json:"FriendlyDeviceName"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	tokenOrSession(&v, req.AccessToken, req.Session)
	v.str("userCode", req.UserCode, true, 6, 6, userCodePattern, userCodeRe, false)
	v.str("friendlyDeviceName", req.FriendlyDeviceName, false, 1, pool.MaxDeviceNameLen, "", nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if (req.AccessToken == nil) == (req.Session == nil) {
		return nil, errTokenOrSession
	}
	type answer struct {
		Status  string `json:"Status"`
		Session string `json:"Session,omitempty"`
	}
	name := deref(req.FriendlyDeviceName)
	if req.AccessToken != nil {
		a, err := c.verifyAccess(*req.AccessToken)
		if err != nil {
			return nil, err
		}
		if _, err := c.api.cfg.Accounts.VerifySoftwareToken(c.ctx, a.pool, a.user.Sub, *req.UserCode, name); err != nil {
			return nil, err
		}
		return answer{Status: "SUCCESS"}, nil
	}
	s, a, err := c.setupSession(*req.Session)
	if err != nil {
		return nil, err
	}
	if s.Setup != setupAssociated {
		return nil, NewError("SoftwareTokenMFANotFoundException", "Call AssociateSoftwareToken with this session first.")
	}
	if _, err := c.api.cfg.Accounts.VerifySoftwareToken(c.ctx, a.p, s.Sub, *req.UserCode, name); err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	n := c.next(s, account.ChallengeMFASetup, a.cl)
	n.Options, n.Setup = s.Options, setupVerified
	session, err := c.seal(n)
	if err != nil {
		return nil, err
	}
	return answer{Status: "SUCCESS", Session: session}, nil
}
