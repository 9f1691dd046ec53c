package admin

import (
	"errors"
	"fmt"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// Config holds the Service's dependencies.
type Config struct {
	Store store.Store
	// Box seals client secrets with the master key.
	Box *seal.Box
	// Keys creates the signing keys of new pools.
	Keys *token.Keys
	// Accounts resolves usernames and aliases for group membership.
	Accounts *account.Service
	// Audit records every change the Service makes or refuses; nil
	// records nothing.
	Audit *audit.Recorder
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service runs the administrative actions on pools, app clients, domains
// and groups.
type Service struct {
	st       store.Store
	box      *seal.Box
	keys     *token.Keys
	accounts *account.Service
	audit    *audit.Recorder
	now      func() time.Time
	saml     samlKeys // opened SAML key pairs (samlcert.go)
}

// New returns a Service. Store, Box, Keys and Accounts are required.
func New(c Config) *Service {
	if c.Store == nil || c.Box == nil || c.Keys == nil || c.Accounts == nil {
		panic("admin: New needs Store, Box, Keys and Accounts")
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &Service{st: c.Store, box: c.Box, keys: c.Keys, accounts: c.Accounts, audit: c.Audit, now: now}
}

// Accounts returns the user-account service the Service uses, for the
// user actions (AdminCreateUser, ...), which account.Service implements.
func (s *Service) Accounts() *account.Service { return s.accounts }

// MaxPageSize is the largest page of the List actions (Cognito's
// MaxResults and Limit: 1-60).
const MaxPageSize = 60

// pageOptions checks a List action's page size and token. A limit of 0
// means MaxPageSize unless required.
func pageOptions(limit int, limitField string, required bool, next string) (store.ListOptions, error) {
	if limit < 0 || limit > MaxPageSize || (required && limit == 0) {
		min := 0
		if required {
			min = 1
		}
		return store.ListOptions{}, invalidParam(limitField, "must be between %d and %d", min, MaxPageSize)
	}
	if limit == 0 {
		limit = MaxPageSize
	}
	return store.ListOptions{Limit: limit, PageToken: next}, nil
}

// pageErr converts a listing's error: a token the store does not know is
// an InvalidParameterException naming field.
func pageErr(err error, field, op string) error {
	if errors.Is(err, store.ErrInvalidPageToken) {
		return invalidParam(field, "is not a token of this listing")
	}
	return fmt.Errorf("%s: %w", op, err)
}
