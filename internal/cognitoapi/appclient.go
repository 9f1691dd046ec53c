package cognitoapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/web"
)

// appClientRequest is the members every unauthenticated user action has:
// the app client that calls, its secret hash and the user.
type appClientRequest struct {
	ClientId   *string `json:"ClientId"`
	SecretHash *string `json:"SecretHash"`
	Username   *string `json:"Username"`
}

const secretHashPattern = `[\w+=/]+`

var secretHashRe = regexp.MustCompile(`^(?:` + secretHashPattern + `)$`)

// appClient takes an event of the client address from limit, decodes req, checks its client id, secret hash and username
// (and whatever more adds), and returns the app client and its pool. The
// pool is the client's: unauthenticated actions name no pool. An unknown
// client is a ResourceNotFoundException, a missing or wrong secret hash
// a NotAuthorizedException, as in Cognito.
func (c *call) appClient(limit *web.Limiter, req any, r *appClientRequest, more func(v *validation)) (pool.Client, pool.Pool, error) {
	if limit != nil && !limit.Allow(web.ClientKey(c.ctx)+"|") {
		return pool.Client{}, pool.Pool{}, NewError(TooManyRequestsException, "Too many requests")
	}
	if err := c.decode(req); err != nil {
		return pool.Client{}, pool.Pool{}, err
	}
	var v validation
	v.clientID(r.ClientId)
	v.str("secretHash", r.SecretHash, false, 1, 128, secretHashPattern, secretHashRe, true)
	v.username(r.Username)
	if more != nil {
		more(&v)
	}
	if err := v.err(); err != nil {
		return pool.Client{}, pool.Pool{}, err
	}
	cl, p, err := c.clientOf(*r.ClientId, "")
	if err != nil {
		return pool.Client{}, pool.Pool{}, err
	}
	if err := c.checkSecretHash(cl, *r.Username, r.SecretHash); err != nil {
		return pool.Client{}, pool.Pool{}, err
	}
	return cl, p, nil
}

// clientOf returns the app client id and its pool. An unknown client, or
// one outside poolID when poolID is set (the administrative actions name
// the pool too), is Cognito's ResourceNotFoundException.
func (c *call) clientOf(id, poolID string) (pool.Client, pool.Pool, error) {
	notFound := NewError(ResourceNotFoundException, "User pool client "+id+" does not exist.")
	cl, err := c.api.getClient(c.ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && poolID != "" && cl.PoolID != poolID {
		return pool.Client{}, pool.Pool{}, notFound
	}
	if err != nil {
		return pool.Client{}, pool.Pool{}, fmt.Errorf("cognitoapi: get client: %w", err)
	}
	p, err := c.api.getPool(c.ctx, cl.PoolID)
	if errors.Is(err, store.ErrNotFound) {
		return pool.Client{}, pool.Pool{}, notFound
	}
	if err != nil {
		return pool.Client{}, pool.Pool{}, fmt.Errorf("cognitoapi: get pool: %w", err)
	}
	return cl, p, nil
}

// authenticateClient checks the ClientSecret of an action a client calls
// with its own credentials (RevokeToken, GetTokensFromRefreshToken): a
// client with a secret must send it, compared in constant time; a client
// without one needs none.
func (c *call) authenticateClient(cl pool.Client, got *string) error {
	if !cl.HasSecret() {
		return nil
	}
	secret, err := c.api.cfg.Admin.ClientSecret(cl)
	if err != nil {
		return fmt.Errorf("cognitoapi: %w", err)
	}
	if got == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(*got)) != 1 {
		return NewError(NotAuthorizedException, "Client authentication failed.")
	}
	return nil
}

// checkSecretHash checks the SecretHash of a request by a client with a
// secret: Base64(HMAC-SHA256(secret, username + client id)), compared in
// constant time. A client without a secret may not send one.
func (c *call) checkSecretHash(cl pool.Client, username string, got *string) error {
	return c.checkSecretHashAny(cl, []string{username}, got)
}

// checkSecretHashAny is checkSecretHash for a hash that may be computed
// over any of names (a user's username, sub, or the name signed in with),
// each compared in constant time.
func (c *call) checkSecretHashAny(cl pool.Client, names []string, got *string) error {
	if !cl.HasSecret() {
		if got != nil {
			return NewError(InvalidParameterException, "App client "+cl.ID+" is not configured for secret but secret hash was received")
		}
		return nil
	}
	if got == nil {
		return NewError(NotAuthorizedException, "Client "+cl.ID+" is configured with secret but SECRET_HASH was not received")
	}
	secret, err := c.api.cfg.Admin.ClientSecret(cl)
	if err != nil {
		return fmt.Errorf("cognitoapi: %w", err)
	}
	ok := 0
	for _, n := range names {
		ok |= subtle.ConstantTimeCompare([]byte(SecretHash(secret, n, cl.ID)), []byte(*got))
	}
	if ok != 1 {
		return NewError(NotAuthorizedException, "Unable to verify secret hash for client "+cl.ID)
	}
	return nil
}

// SecretHash is the SECRET_HASH a client with a secret sends:
// Base64(HMAC-SHA256(key: client secret, message: username + client id)).
func SecretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
