package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// Defaults of Config.
const (
	// DefaultSignUpCodeTTL: Cognito's sign-up confirmation codes are valid
	// for 24 hours.
	DefaultSignUpCodeTTL = 24 * time.Hour
	// DefaultResetCodeTTL: Cognito's forgot-password codes are valid for
	// one hour.
	DefaultResetCodeTTL = time.Hour
	// DefaultCodeInterval is the least time between two codes mailed to
	// one user.
	DefaultCodeInterval = 30 * time.Second
	// MaxCodeAttempts wrong guesses void a code.
	MaxCodeAttempts = 5
	// DefaultMaxCodesPerDay is how many codes (sign-up and reset alike)
	// one user can be mailed in 24 hours: enough for a user who loses a
	// few mails, too few to flood the user's mailbox.
	DefaultMaxCodesPerDay = 10
	// DefaultMaxCodeMissesPerDay is how many wrong codes one user's codes
	// accept in 24 hours, across codes and purposes. A guess at a
	// six-digit code succeeds with chance 1 in 1,000,000, so 20 a day
	// give an attacker an even chance only after about 70 years; a
	// person mistyping a code rarely needs more than a handful.
	DefaultMaxCodeMissesPerDay = 20
	// DefaultTemporaryPasswordDays applies when the pool's
	// TemporaryPasswordValidityDays is 0 (Cognito's default, 7 days).
	DefaultTemporaryPasswordDays = 7
)

// Config holds the dependencies and settings of a Service.
type Config struct {
	Store  store.Store
	Hasher *password.Hasher
	// Mailer sends the codes and notices. The server passes a
	// mail.Outbox, which stores them and delivers after the answer, so
	// that no answer waits for the relay or reveals by its time whether
	// it mailed an existing user; the command line sends synchronously.
	Mailer mail.Sender
	// CodeKey (32 bytes) keys the hashes of the one-time codes stored in
	// the database; every instance sharing a store must use the same key.
	// linkpool derives it from the master key (seal.Box.DeriveKey with
	// CodeKeyPurpose). New panics without it.
	CodeKey []byte
	// Box seals the users' SRP verifiers with the master key; New panics
	// without it.
	Box *seal.Box
	// Log receives security events (lockouts, mail failures); nil
	// discards them. Passwords and codes are never logged.
	Log *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// SignUpCodeTTL and ResetCodeTTL are the code lifetimes; zero means
	// DefaultSignUpCodeTTL and DefaultResetCodeTTL.
	SignUpCodeTTL time.Duration
	ResetCodeTTL  time.Duration
	// CodeInterval is the least time between two codes mailed to one
	// user; zero means DefaultCodeInterval.
	CodeInterval time.Duration
	// MaxCodesPerDay and MaxCodeMissesPerDay cap, per user and per 24
	// hours, the codes mailed and the wrong codes tried; past a cap the
	// operation answers LimitExceededException. The counts are kept on
	// the user record in the store, so the caps hold across instances.
	// Zero means DefaultMaxCodesPerDay and DefaultMaxCodeMissesPerDay.
	MaxCodesPerDay      int
	MaxCodeMissesPerDay int
	// Triggers invokes the pools' triggers (pre sign-up, post
	// confirmation, pre and post authentication, custom message, user
	// migration); nil means no trigger is ever invoked.
	Triggers *trigger.Invoker
	// Audit records the administrative changes (the Admin* actions);
	// nil records nothing.
	Audit *audit.Recorder
	// Metrics receives the sign-in counters
	// (linkpool_sign_in_failures_total, linkpool_lockouts_total); nil
	// exports none.
	Metrics prometheus.Registerer
}

// Service runs the account flows. It is safe for concurrent use, and
// several Services (in several processes) may share one store.
type Service struct {
	store     store.Store
	hasher    *password.Hasher
	mailer    mail.Sender
	codeKey   []byte
	box       *seal.Box
	log       *slog.Logger
	now       func() time.Time
	signUpTTL time.Duration
	resetTTL  time.Duration
	interval  time.Duration
	maxCodes  int
	maxMisses int
	triggers  *trigger.Invoker
	audit     *audit.Recorder
	metrics   metrics
}

// CodeKeyPurpose is the seal.Box.DeriveKey purpose of Config.CodeKey.
const CodeKeyPurpose = "account-codes"

// New returns a Service. It panics when cfg.CodeKey is not 32 bytes or
// cfg.Box is nil: a Service without them would store codes and SRP
// verifiers that the database alone reveals.
func New(cfg Config) *Service {
	if len(cfg.CodeKey) != 32 {
		panic("account: Config.CodeKey must be 32 bytes")
	}
	if cfg.Box == nil {
		panic("account: Config.Box is required")
	}
	s := &Service{
		store: cfg.Store, hasher: cfg.Hasher, mailer: cfg.Mailer, codeKey: cfg.CodeKey, box: cfg.Box, log: cfg.Log, now: cfg.Now,
		signUpTTL: cfg.SignUpCodeTTL, resetTTL: cfg.ResetCodeTTL, interval: cfg.CodeInterval,
		maxCodes: cfg.MaxCodesPerDay, maxMisses: cfg.MaxCodeMissesPerDay, triggers: cfg.Triggers,
		audit: cfg.Audit, metrics: newMetrics(cfg.Metrics),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.signUpTTL <= 0 {
		s.signUpTTL = DefaultSignUpCodeTTL
	}
	if s.resetTTL <= 0 {
		s.resetTTL = DefaultResetCodeTTL
	}
	if s.interval <= 0 {
		s.interval = DefaultCodeInterval
	}
	if s.maxCodes <= 0 {
		s.maxCodes = DefaultMaxCodesPerDay
	}
	if s.maxMisses <= 0 {
		s.maxMisses = DefaultMaxCodeMissesPerDay
	}
	return s
}

// SignUpCodeTTL returns how long sign-up codes are valid.
func (s *Service) SignUpCodeTTL() time.Duration { return s.signUpTTL }

// Lookup returns the user a person identified as usernameOrEmail: by
// username (for pools whose username is the email address, also by sub),
// or by email address when the pool lets users sign in with it. An email
// alias (AliasAttributes) matches only once the address is verified, as in
// Cognito. An unknown user is a UserNotFoundException.
func (s *Service) Lookup(ctx context.Context, p pool.Pool, usernameOrEmail string) (pool.User, error) {
	name := usernameOrEmail
	if name == "" || utf8.RuneCountInString(name) > 256 {
		return pool.User{}, userNotFound()
	}
	u, err := s.store.GetUserByUsername(ctx, p.ID, p.UsernameKey(name))
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return pool.User{}, fmt.Errorf("account: look up user: %w", err)
	}
	if p.SignInWithEmail() && strings.Contains(name, "@") {
		u, err = s.store.GetUserByEmail(ctx, p.ID, pool.EmailKey(name))
		switch {
		case err == nil && (p.EmailIsUsername() || u.EmailVerified()):
			return u, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return pool.User{}, fmt.Errorf("account: look up user by email: %w", err)
		}
	}
	return pool.User{}, userNotFound()
}

// update runs fn on the current user record inside the store's
// transaction and returns what was stored. fn may run more than once. When
// fn returns an error, nothing is stored and the error is returned, unless
// it is a keep error: then the change is stored and the wrapped verdict
// returned (a wrong code still counts as an attempt).
func (s *Service) update(ctx context.Context, p pool.Pool, sub string, fn func(u *pool.User) error) (pool.User, error) {
	var out pool.User
	var verdict error
	err := s.store.UpdateUser(ctx, p.ID, sub, func(u pool.User) (pool.User, error) {
		verdict = nil
		err := fn(&u)
		var k *keep
		if errors.As(err, &k) {
			verdict = k.verdict
		} else if err != nil {
			return u, err
		}
		out = u
		return u, nil
	})
	if err != nil {
		var ae *Error
		switch {
		case errors.As(err, &ae):
			return pool.User{}, err
		case errors.Is(err, store.ErrNotFound):
			return pool.User{}, userNotFound()
		}
		return pool.User{}, fmt.Errorf("account: update user: %w", err)
	}
	return out, verdict
}

// keep makes update store the change and return verdict.
type keep struct{ verdict error }

func (k *keep) Error() string { return k.verdict.Error() }

// temporaryPasswordExpired reports whether a FORCE_CHANGE_PASSWORD user's
// temporary password has outlived the pool's
// TemporaryPasswordValidityDays.
func temporaryPasswordExpired(p pool.Pool, u pool.User, now time.Time) bool {
	days := p.PasswordPolicy.TemporaryPasswordValidityDays
	if days <= 0 {
		days = DefaultTemporaryPasswordDays
	}
	return now.After(u.PasswordSetAt.Add(time.Duration(days) * 24 * time.Hour))
}
