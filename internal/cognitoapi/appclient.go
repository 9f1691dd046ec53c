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
	cl, err := c.api.cfg.Store.GetClient(c.ctx, *r.ClientId)
	if errors.Is(err, store.ErrNotFound) {
		return pool.Client{}, pool.Pool{}, NewError(ResourceNotFoundException, "User pool client "+*r.ClientId+" does not exist.")
	}
	if err != nil {
		return pool.Client{}, pool.Pool{}, fmt.Errorf("cognitoapi: get client: %w", err)
	}
	if err := c.checkSecretHash(cl, *r.Username, r.SecretHash); err != nil {
		return pool.Client{}, pool.Pool{}, err
	}
	p, err := c.api.cfg.Store.GetPool(c.ctx, cl.PoolID)
	if errors.Is(err, store.ErrNotFound) {
		return pool.Client{}, pool.Pool{}, NewError(ResourceNotFoundException, "User pool client "+cl.ID+" does not exist.")
	}
	if err != nil {
		return pool.Client{}, pool.Pool{}, fmt.Errorf("cognitoapi: get pool: %w", err)
	}
	return cl, p, nil
}

// checkSecretHash checks the SecretHash of a request by a client with a
// secret: Base64(HMAC-SHA256(secret, username + client id)), compared in
// constant time. A client without a secret may not send one.
func (c *call) checkSecretHash(cl pool.Client, username string, got *string) error {
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
	if subtle.ConstantTimeCompare([]byte(SecretHash(secret, username, cl.ID)), []byte(*got)) != 1 {
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
