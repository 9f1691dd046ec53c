package srp

import (
	"errors"
	"math/big"
)

// Client is the client's side of a sign-in, as amazon-cognito-identity-js
// runs it. linkpool uses it in tests and benchmarks.
type Client struct {
	PoolName string
	a, A     *big.Int
}

// NewClient starts a sign-in with a random a.
func NewClient(poolName string) *Client { return NewClientWithA(poolName, NewPrivate()) }

// NewClientWithA starts a sign-in with the given a (for fixed vectors).
func NewClientWithA(poolName string, a *big.Int) *Client {
	return &Client{PoolName: poolName, a: a, A: new(big.Int).Exp(g, a, N)}
}

// SRPA is the SRP_A the client sends: A in hex, unpadded, as the
// JavaScript library sends it.
func (c *Client) SRPA() string { return c.A.Text(16) }

// Key derives the key from the server's SRP_B and SALT (hex) for the
// user USER_ID_FOR_SRP names.
func (c *Client) Key(userID, password, srpB, salt string) ([]byte, error) {
	B, ok := ParseHex(srpB)
	if !ok || new(big.Int).Mod(B, N).Sign() == 0 {
		return nil, errors.New("srp: bad SRP_B")
	}
	s, ok := ParseHex(salt)
	if !ok {
		return nil, errors.New("srp: bad SALT")
	}
	u := U(c.A, B)
	if u.Sign() == 0 {
		return nil, ErrZeroU
	}
	x := X(s, c.PoolName, userID, password)
	// S = (B - k*g^x)^(a + u*x) mod N
	base := new(big.Int).Exp(g, x, N)
	base.Mul(base, k).Sub(B, base).Mod(base, N)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	S := new(big.Int).Exp(base, exp, N)
	return derive(S, u), nil
}
