package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"math/big"
	"sync"

	"github.com/google/uuid"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/srp"
)

// msgNoVerifier refuses SRP for a user who has only a password hash.
const msgNoVerifier = "SRP sign-in is not yet available for this user: sign in once with the password " +
	"(the hosted sign-in page or USER_PASSWORD_AUTH), then USER_SRP_AUTH works."

// ErrNoVerifier is the Cause of the NotAuthorizedException for a user
// without an SRP verifier.
var ErrNoVerifier = errors.New("account: user has no SRP verifier")

// SRPChallenge is the server's first step of USER_SRP_AUTH
// (ChallengeName PASSWORD_VERIFIER).
type SRPChallenge struct {
	// Sub is the user the challenge is for; empty for a concealed
	// challenge (unknown user, or a user without verifier), which no
	// proof answers.
	Sub string
	// UserIDForSRP is the identity the client hashes (USER_ID_FOR_SRP)
	// and names in its answer: the username.
	UserIDForSRP string
	// Salt (hex) and B are SALT and SRP_B; SecretB is the server's secret
	// exponent b, which the caller keeps sealed for the second step.
	Salt    string
	B       *big.Int
	SecretB *big.Int
}

// StartSRP begins USER_SRP_AUTH for the user a person named username
// (username, or email address where the pool allows it). With conceal
// (PreventUserExistenceErrors), an unknown user, or one without an SRP
// verifier, gets a challenge that looks and costs the same as a real one
// (a stable salt per name, B from a fresh b) and that no answer can
// prove. Without conceal an unknown user is a UserNotFoundException and
// one without verifier a NotAuthorizedException (Cause ErrNoVerifier)
// that says to sign in once with the password.
//
// The account state is not looked at: as with passwords, it is reported
// after the proof (AuthenticateSRP).
//
// USER_ID_FOR_SRP must be the identity the verifier was derived for, so
// a real user's is the username while a concealed challenge can only
// echo the name given (or, in pools whose usernames are subs, a sub-like
// id). In a pool with an email alias, a sign-in by address therefore
// tells from USER_ID_FOR_SRP whether the address belongs to a user: a
// limit of the protocol, which makes the client hash the username.
func (s *Service) StartSRP(ctx context.Context, p pool.Pool, username string, conceal bool) (SRPChallenge, error) {
	b := srp.NewPrivate()
	u, err := s.Lookup(ctx, p, username)
	switch {
	case TypeOf(err) == UserNotFoundException:
		if !conceal {
			return SRPChallenge{}, err
		}
		return s.concealedSRP(p, username, b), nil
	case err != nil:
		return SRPChallenge{}, err
	}
	if IsFederated(u) {
		// No password, so no verifier: a wrong password's answer.
		if !conceal {
			return SRPChallenge{}, notAuthorized(msgIncorrect)
		}
		return s.concealedSRP(p, username, b), nil
	}
	v, err := s.openVerifier(ctx, u)
	if err != nil {
		if !conceal {
			return SRPChallenge{}, err
		}
		return s.concealedSRP(p, username, b), nil
	}
	return SRPChallenge{Sub: u.Sub, UserIDForSRP: u.Username, Salt: u.SRPSalt, B: srp.ServerB(v, b), SecretB: b}, nil
}

// concealedSRP is the challenge for a user who cannot be proved: the salt
// is stable per pool and name (as a real user's is per password), the
// identity is the name given, or a sub-like id in pools whose usernames
// are subs.
func (s *Service) concealedSRP(p pool.Pool, username string, b *big.Int) SRPChallenge {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte("srp-salt\x00" + p.ID + "\x00" + p.UsernameKey(username)))
	sum := m.Sum(nil)
	id := username
	if p.EmailIsUsername() {
		id = uuid.Must(uuid.FromBytes(sum[16:32])).String()
	}
	return SRPChallenge{
		UserIDForSRP: id,
		Salt:         srp.PadHex(new(big.Int).SetBytes(sum[:srp.SaltSize])),
		B:            srp.ServerB(nil, b),
		SecretB:      b,
	}
}

// openVerifier returns the user's SRP verifier, or the NotAuthorized
// error of a user without one.
func (s *Service) openVerifier(ctx context.Context, u pool.User) ([]byte, error) {
	if len(u.SRPVerifier) == 0 || u.SRPSalt == "" {
		return nil, &Error{Type: NotAuthorizedException, Message: msgNoVerifier, Cause: ErrNoVerifier}
	}
	v, err := s.box.Open(u.SRPVerifier, u.SRPVerifierAAD())
	if err != nil {
		// Sealed under another master key: the user must prove the
		// password once again, as if there were none.
		s.log.WarnContext(ctx, "account: SRP verifier does not open", "pool", u.PoolID, "sub", u.Sub)
		return nil, &Error{Type: NotAuthorizedException, Message: msgNoVerifier, Cause: ErrNoVerifier}
	}
	return v, nil
}

// SRPProof is the client's answer to an SRPChallenge
// (RespondToAuthChallenge PASSWORD_VERIFIER) with what the caller kept
// of the challenge.
type SRPProof struct {
	// Challenge is the challenge answered.
	Challenge SRPChallenge
	// A is the client's SRP_A (checked with srp.ParseA).
	A *big.Int
	// SecretBlock (raw bytes), Timestamp and Signature are
	// PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and
	// PASSWORD_CLAIM_SIGNATURE.
	SecretBlock []byte
	Timestamp   string
	Signature   string
}

// AuthenticateSRP checks the proof of USER_SRP_AUTH and signs the user
// in with the rules of Authenticate (the same code): a wrong signature
// counts towards the lockout, the lockout and account state (disabled,
// unconfirmed, RESET_REQUIRED, FORCE_CHANGE_PASSWORD) are reported after
// a right one, and an unknown user costs the same work and is a
// UserNotFoundException. A concealed challenge is "Incorrect username or
// password.", counting nothing.
func (s *Service) AuthenticateSRP(ctx context.Context, p pool.Pool, proof SRPProof) (pool.User, error) {
	ch := proof.Challenge
	check := func(v []byte, u pool.User) (bool, error) {
		key, err := srp.ServerKey(proof.A, ch.B, ch.SecretB, v)
		if err != nil {
			return false, notAuthorized(msgIncorrect)
		}
		return srp.VerifySignature(key, srp.PoolName(p.ID), u.Username, proof.SecretBlock, proof.Timestamp, proof.Signature), nil
	}
	dummy := func(ctx context.Context) {
		_, _ = check(dummyVerifier(), pool.User{Username: ch.UserIDForSRP})
	}
	c := credential{
		verify: func(ctx context.Context, u pool.User) (bool, error) {
			if ch.Sub == "" || u.Sub != ch.Sub {
				dummy(ctx)
				return false, notAuthorized(msgIncorrect)
			}
			v, err := s.openVerifier(ctx, u)
			if err != nil {
				dummy(ctx)
				return false, notAuthorized(msgIncorrect)
			}
			return check(v, u)
		},
		dummy: dummy,
	}
	return s.signIn(ctx, p, ch.UserIDForSRP, c)
}

// dummyVerifier is the verifier a check for an unknown user, or one
// without a verifier, runs against: made once, so that such a check costs
// what a real one costs (one ServerKey), not an exponentiation more.
var dummyVerifier = sync.OnceValue(func() []byte { return srp.ServerB(nil, srp.NewPrivate()).Bytes() })
