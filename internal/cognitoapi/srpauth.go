package cognitoapi

import (
	"math/big"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/srp"
)

// USER_SRP_AUTH: InitiateAuth with USERNAME and SRP_A answers the
// PASSWORD_VERIFIER challenge (SALT, SRP_B, SECRET_BLOCK, USERNAME,
// USER_ID_FOR_SRP); RespondToAuthChallenge PASSWORD_VERIFIER proves the
// password with PASSWORD_CLAIM_SIGNATURE over the secret block and a
// TIMESTAMP (internal/srp). The secret block is the sealed authSession:
// it carries the server's b and B, the client's A, the user, pool,
// client and expiry, and is answered once. internal/account checks the
// proof with the same lockout and account-state code as a password.

// timestampSkew is how far a TIMESTAMP may be from the server's clock.
const timestampSkew = 5 * time.Minute

// startSRP answers USER_SRP_AUTH with the PASSWORD_VERIFIER challenge.
func (c *call) startSRP(a authCall, params map[string]string, secretHash *string) (any, error) {
	username := params["USERNAME"]
	if username == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter USERNAME")
	}
	srpA := params["SRP_A"]
	if srpA == "" {
		return nil, NewError(InvalidParameterException, "Missing required parameter SRP_A")
	}
	A, err := srp.ParseA(srpA)
	if err != nil {
		return nil, NewError(InvalidParameterException, "Invalid SRP_A: it must be a hex number whose value modulo N is not 0.")
	}
	if err := c.checkSecretHash(a.cl, username, secretHash); err != nil {
		return nil, err
	}
	if _, err := c.limitSignIn(a, ""); err != nil {
		return nil, err
	}
	ch, err := c.api.cfg.Accounts.StartSRP(c.ctx, a.p, username, prevents(a.cl))
	if err != nil {
		return nil, signInError(a.cl, err)
	}
	s := c.newSession(challengePasswordVerifier, a.cl)
	s.Given, s.Admin, s.A = username, a.admin, A.Bytes()
	return c.passwordVerifier(s, ch)
}

// passwordVerifier answers the PASSWORD_VERIFIER challenge ch in session
// s (a PASSWORD_VERIFIER session with the client's A).
func (c *call) passwordVerifier(s authSession, ch account.SRPChallenge) (any, error) {
	s.Sub, s.Username = ch.Sub, ch.UserIDForSRP
	s.Salt, s.B, s.SecretB = ch.Salt, ch.B.Bytes(), ch.SecretB.Bytes()
	block, err := c.seal(s)
	if err != nil {
		return nil, err
	}
	return authAnswer{
		ChallengeName: challengePasswordVerifier,
		ChallengeParameters: map[string]string{
			"SALT": ch.Salt, "SRP_B": ch.B.Text(16), "SECRET_BLOCK": block,
			"USERNAME": ch.UserIDForSRP, "USER_ID_FOR_SRP": ch.UserIDForSRP,
		},
	}, nil
}

// respondPasswordVerifier checks the proof of PASSWORD_VERIFIER.
func respondPasswordVerifier(c *call, r *challengeCall) (any, error) {
	resp := r.responses
	for _, k := range []string{"PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "USERNAME"} {
		if resp[k] == "" {
			return nil, NewError(InvalidParameterException, "Missing required parameter "+k)
		}
	}
	s, raw, err := c.openSession(resp["PASSWORD_CLAIM_SECRET_BLOCK"], challengePasswordVerifier, r.a.cl, r.a.admin)
	if err != nil {
		return nil, err
	}
	if err := r.checkSecretHash(c, s); err != nil {
		return nil, err
	}
	ts, err := srp.ParseTimestamp(resp["TIMESTAMP"])
	if err != nil {
		return nil, NewError(InvalidParameterException, "TIMESTAMP must be of the form EEE MMM d HH:mm:ss UTC yyyy.")
	}
	if d := c.api.now().Sub(ts); d > timestampSkew || d < -timestampSkew {
		return nil, NewError(NotAuthorizedException, "TIMESTAMP is more than 5 minutes from the server's time.")
	}
	userKey, err := c.limitSignIn(r.a, s.Given)
	if err != nil {
		return nil, err
	}
	if err := c.consume(s); err != nil {
		return nil, err
	}
	proof := account.SRPProof{
		Challenge: account.SRPChallenge{
			Sub: s.Sub, UserIDForSRP: s.Username, Salt: s.Salt,
			B: new(big.Int).SetBytes(s.B), SecretB: new(big.Int).SetBytes(s.SecretB),
		},
		A: new(big.Int).SetBytes(s.A), SecretBlock: raw, Timestamp: resp["TIMESTAMP"], Signature: resp["PASSWORD_CLAIM_SIGNATURE"],
	}
	u, err := c.api.cfg.Accounts.AuthenticateSRP(c.ctx, r.a.p, proof)
	if err == nil || account.TypeOf(err) == account.NewPasswordRequired {
		c.refund(userKey)
	}
	if s.Custom != nil {
		return c.customAfterPassword(r.a, s, u, err)
	}
	if account.TypeOf(err) == account.NewPasswordRequired {
		if u, err = c.userBySub(r.a, s.Sub); err != nil {
			return nil, err
		}
		return c.newPasswordChallenge(r.a, u, s.Given)
	}
	return c.signedIn(r.a, u, err, account.ByPassword, s.Given)
}
