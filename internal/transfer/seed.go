package transfer

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/srp"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// SeedOptions describe the test deployment Seed generates.
type SeedOptions struct {
	// Users is how many users the pool holds: user0000000, user0000001,
	// ..., each with the email address <username>@example.com, verified.
	Users int
	// Links is how many of them, the first ones, have a live refresh
	// token of the client: at most Users.
	Links int
	// Password is every user's password and PasswordHash its hash (PHC
	// string), computed once by the caller: every user has the same.
	Password, PasswordHash string
	// Algorithm is the pool's signing algorithm; empty means RS256.
	Algorithm string
	// RedirectURI is the client's callback URL.
	RedirectURI string
	// Now is the creation time of everything; zero means time.Now.
	Now time.Time
}

// Seeded is the generated deployment, as a load generator addresses it.
type Seeded struct {
	PoolID       string `json:"pool_id"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RedirectURI  string `json:"redirect_uri"`
	Password     string `json:"password"`
}

// SeedUser is one generated user as a load generator uses it: the
// username to sign in with (Seeded.Password) and, for a linked user, the
// refresh token a client holds.
type SeedUser struct {
	Username     string `json:"username"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// Seed is a generated test deployment: one pool (usernames, with email
// addresses as sign-in aliases), one confidential app client with the
// code grant and without refresh-token rotation, its signing keys,
// opts.Users users and opts.Links refresh-token grants of that client.
// Write writes it as an export; import it with the master key it was
// generated with.
//
// It is for test data only: every user has the same password and
// password hash, and the same SRP verifier (that of the first user), so
// that generating a million users costs no hashing; SRP sign-in works
// for the first user only, password sign-in for all. Nothing is held per
// user, so memory does not grow with opts.Users.
type Seed struct {
	Seeded
	opts     SeedOptions
	box      *seal.Box
	now      time.Time
	pool     pool.Pool
	client   pool.Client
	keys     store.KeySet
	salt     string
	verifier []byte
}

// NewSeed generates the pool, the client and its keys, sealed with box.
func NewSeed(box *seal.Box, opts SeedOptions) (*Seed, error) {
	if opts.Users < 0 || opts.Links < 0 || opts.Links > opts.Users {
		return nil, errors.New("transfer: seed: need 0 <= links <= users")
	}
	if opts.Password == "" || opts.PasswordHash == "" || opts.RedirectURI == "" {
		return nil, errors.New("transfer: seed: password, its hash and a redirect URI are required")
	}
	s := &Seed{opts: opts, box: box, now: opts.Now}
	if s.now.IsZero() {
		s.now = time.Now()
	}
	now := s.now.UTC().Truncate(time.Microsecond)
	s.now = now
	p := pool.NewPool("us-east-1", "seed", now)
	p.AliasAttributes = []string{pool.AttrEmail}
	if opts.Algorithm != "" {
		p.SigningAlgorithm = opts.Algorithm
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("transfer: seed: %w", err)
	}
	c := pool.NewClient(p.ID, "seed", now)
	secret := pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
	c.CallbackURLs = []string{opts.RedirectURI}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail}
	c.ExplicitAuthFlows = append(c.ExplicitAuthFlows, "ALLOW_USER_PASSWORD_AUTH")
	c.RefreshTokenValidity, c.TokenValidityUnits.RefreshToken = 3650, pool.UnitDays
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("transfer: seed: %w", err)
	}
	ks, err := token.NewKeySet(box, p.ID, p.SigningAlgorithm, now)
	if err != nil {
		return nil, fmt.Errorf("transfer: seed: %w", err)
	}
	s.pool, s.client, s.keys = p, c, ks
	s.salt = srp.NewSalt()
	saltInt, _ := srp.ParseHex(s.salt)
	s.verifier = srp.Verifier(saltInt, srp.PoolName(p.ID), seedUsername(0), opts.Password)
	s.Seeded = Seeded{PoolID: p.ID, ClientID: c.ID, ClientSecret: secret, RedirectURI: opts.RedirectURI, Password: opts.Password}
	return s, nil
}

// seedUsername is the username of the i-th generated user.
func seedUsername(i int) string { return fmt.Sprintf("user%07d", i) }

// Write writes the deployment as an export to w and calls user for
// every user, in order, with what a load generator needs; the refresh
// tokens exist nowhere else. Every call draws new subs and refresh
// tokens: the export of one call and its users go together.
func (s *Seed) Write(ctx context.Context, w io.Writer, user func(SeedUser) error) (Counts, error) {
	p, c, now := &s.pool, s.client, s.now
	bw := bufio.NewWriterSize(w, 256<<10)
	e := &exporter{w: bw, enc: json.NewEncoder(bw)}
	e.enc.SetEscapeHTML(false)
	write := func(typ string, data any) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return e.write(typ, data)
	}
	err := e.enc.Encode(header{Format: FormatName, Version: Version, ExportedAt: now})
	if err == nil {
		err = write(typePool, poolRecord(*p))
	}
	if err == nil {
		err = write(typeClient, clientRecord(c))
	}
	if err == nil {
		err = write(typeKeySet, keySetToRecord(s.keys))
	}
	// Subs and refresh tokens come from one seeded stream, drawn again in
	// the same order for the grants, which follow all users.
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return e.counts, fmt.Errorf("transfer: seed: %w", err)
	}
	stream := rand.NewChaCha8(seed)
	for i := 0; err == nil && i < s.opts.Users; i++ {
		var sub uuid.UUID
		if sub, err = uuid.NewRandomFromReader(stream); err != nil {
			break
		}
		u := pool.User{
			PoolID: p.ID, Sub: sub.String(), Username: seedUsername(i), Status: pool.StatusConfirmed, Enabled: true,
			PasswordHash: s.opts.PasswordHash, PasswordSetAt: now, SRPSalt: s.salt, CreatedAt: now, UpdatedAt: now,
		}
		u.UsernameKey = p.UsernameKey(u.Username)
		email := u.Username + "@example.com"
		u.Attributes = map[string]string{pool.AttrEmail: email, pool.AttrEmailVerified: "true"}
		u.EmailKey = pool.EmailKey(email)
		u.SRPVerifier = s.box.Seal(s.verifier, u.SRPVerifierAAD())
		su := SeedUser{Username: u.Username}
		if i < s.opts.Links {
			if su.RefreshToken, _, _, err = oauth.NewRefreshToken(stream); err != nil {
				break
			}
		}
		if err = write(typeUser, userRecord(u)); err == nil {
			err = user(su)
		}
	}
	stream = rand.NewChaCha8(seed)
	expires := now.Add(c.RefreshTokenTTL())
	for i := 0; err == nil && i < s.opts.Links; i++ {
		var sub uuid.UUID
		if sub, err = uuid.NewRandomFromReader(stream); err != nil {
			break
		}
		var id, hash string
		if _, id, hash, err = oauth.NewRefreshToken(stream); err != nil {
			break
		}
		err = write(typeRefreshToken, refreshTokenRecord(store.RefreshToken{
			ID: id, OriginJTI: pool.NewSub(), PoolID: p.ID, ClientID: c.ID, Sub: sub.String(),
			Scopes: []string{pool.ScopeOpenID, pool.ScopeEmail}, AuthTime: now, SecretHash: hash,
			CreatedAt: now, LastUsedAt: now, ExpiresAt: expires,
		}))
	}
	if err == nil {
		err = e.write(typeEnd, endRecord{Counts: e.counts})
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return e.counts, fmt.Errorf("transfer: seed: %w", err)
	}
	return e.counts, nil
}
