package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
)

// Final statuses a user migration answer may give.
const (
	migratedConfirmed     = "CONFIRMED"
	migratedResetRequired = "RESET_REQUIRED"
)

// migrateOnSignIn offers a sign-in with a password for a user the pool
// does not know to the pool's user migration trigger
// (UserMigration_Authentication), with the password just typed. When
// the trigger vouches for the user, the user is created with the
// answer's attributes and status and the password (hashed, with its SRP
// verifier), and the sign-in goes on as for any user. When the user
// exists, the pool has no such trigger, or the trigger fails, refuses or
// answers something unusable, nothing is created and the sign-in goes on
// to its answer for an unknown user, so that no answer tells more.
// Only the password's own policy failure and internal failures are
// returned.
func (s *Service) migrateOnSignIn(ctx context.Context, p pool.Pool, username, password string) error {
	if !s.migrates(p) {
		return nil
	}
	if _, err := s.Lookup(ctx, p, username); TypeOf(err) != UserNotFoundException {
		return nil // known, or a failure the sign-in reports itself
	}
	resp, ok := s.askMigration(ctx, p, trigger.SourceUserMigrationAuthentication, username, password)
	if !ok {
		return nil
	}
	status := migratedConfirmed
	switch resp.FinalUserStatus {
	case "", migratedConfirmed:
	case migratedResetRequired:
		status = migratedResetRequired
	default:
		s.log.WarnContext(ctx, "account: user migration answer refused: unknown finalUserStatus", "pool", p.ID)
		return nil
	}
	if err := p.CheckPassword(password); err != nil {
		return fromPolicy("password", err)
	}
	return s.createMigrated(ctx, p, username, password, status, resp)
}

// migrateOnForgot offers ForgotPassword for a user the pool does not
// know to the user migration trigger (UserMigration_ForgotPassword). A
// user it vouches for is created RESET_REQUIRED, without a password,
// and ForgotPassword then mails the code as for any user. It returns
// the user as stored, read once after the creation, and whether there is
// one; failures of the trigger are answered as for an unknown user, like
// migrateOnSignIn's.
func (s *Service) migrateOnForgot(ctx context.Context, p pool.Pool, username string) (pool.User, bool, error) {
	if !s.migrates(p) {
		return pool.User{}, false, nil
	}
	resp, ok := s.askMigration(ctx, p, trigger.SourceUserMigrationForgotPassword, username, "")
	if !ok {
		return pool.User{}, false, nil
	}
	if err := s.createMigrated(ctx, p, username, "", migratedResetRequired, resp); err != nil {
		return pool.User{}, false, err
	}
	u, err := s.Lookup(ctx, p, username)
	switch {
	case TypeOf(err) == UserNotFoundException:
		return pool.User{}, false, nil // the answer was refused
	case err != nil:
		return pool.User{}, false, err
	}
	return u, true, nil
}

func (s *Service) migrates(p pool.Pool) bool {
	return s.triggers != nil && p.LambdaConfig.Target(pool.TriggerUserMigration) != ""
}

// askMigration invokes the user migration trigger; ok is false when it
// failed or refused (the invoker logs why, without the event).
func (s *Service) askMigration(ctx context.Context, p pool.Pool, source, username, password string) (trigger.UserMigrationResponse, bool) {
	c := CallerFrom(ctx)
	req := trigger.UserMigrationRequest{Password: password, ValidationData: c.ValidationData, ClientMetadata: c.ClientMetadata}
	var resp trigger.UserMigrationResponse
	ran, err := s.invoke(ctx, p, pool.TriggerUserMigration, source, username, req, trigger.UserMigrationResponse{}, &resp)
	if err != nil || !ran {
		return resp, false
	}
	switch resp.MessageAction {
	case "", "SUPPRESS", "RESEND":
	default:
		s.log.WarnContext(ctx, "account: user migration answer refused: unknown messageAction", "pool", p.ID)
		return resp, false
	}
	return resp, true
}

// createMigrated creates the user a migration answer vouched for, with
// its attributes, status and password ("" for none). An answer whose
// attributes the pool refuses, or whose username or email address
// another user holds, creates nothing and is logged (without values);
// with forceAliasCreation, an email address that another user holds as
// its sign-in alias moves to the new user (see moveAlias).
func (s *Service) createMigrated(ctx context.Context, p pool.Pool, username, password, status string, resp trigger.UserMigrationResponse) error {
	attrs := maps.Clone(resp.UserAttributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	for k := range attrs {
		if k == "sub" || k == "username" || strings.HasPrefix(k, "cognito:") {
			delete(attrs, k)
		}
	}
	if v, ok := attrs[pool.AttrEmailVerified]; ok {
		attrs[pool.AttrEmailVerified] = normalizeBool(v)
	}
	if p.EmailIsUsername() {
		delete(attrs, pool.AttrEmail) // the username is the address
	}
	now := s.now()
	u, err := s.newUser(p, username, attrs, now)
	if err != nil {
		s.log.WarnContext(ctx, "account: user migration answer refused", "pool", p.ID, "reason", TypeOf(err), "field", fieldOf(err))
		return nil
	}
	if password != "" {
		np, err := s.preparePassword(ctx, u, password)
		if err != nil {
			return fmt.Errorf("account: migrate user: %w", err)
		}
		np.set(&u, now)
	}
	u.Status = status
	err = s.store.CreateUser(ctx, u)
	if errors.Is(err, store.ErrAlreadyExists) && resp.ForceAliasCreation {
		moved, merr := s.moveAlias(ctx, p, u)
		if merr != nil {
			return merr
		}
		if moved {
			err = s.store.CreateUser(ctx, u)
		}
	}
	if err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			s.log.WarnContext(ctx, "account: user migration answer refused: username or email taken", "pool", p.ID)
			return nil
		}
		return fmt.Errorf("account: migrate user: %w", err)
	}
	s.log.InfoContext(ctx, "account: user migrated", "pool", p.ID, "sub", u.Sub, "status", status)
	return nil
}

func fieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// moveAlias takes the sign-in address of u, a user about to be created,
// from the user who holds it, as Cognito's forceAliasCreation does: that
// user keeps the email attribute, unverified, and can no longer sign in
// with it. It reports whether the address was moved; it is not when the
// address is u's username (pools whose username is the email), when
// another user holds u's username, or when nobody holds the address.
func (s *Service) moveAlias(ctx context.Context, p pool.Pool, u pool.User) (bool, error) {
	if u.EmailKey == "" || p.EmailIsUsername() {
		return false, nil
	}
	_, err := s.store.GetUserByUsername(ctx, p.ID, u.UsernameKey)
	switch {
	case err == nil:
		return false, nil
	case !errors.Is(err, store.ErrNotFound):
		return false, fmt.Errorf("account: look up user: %w", err)
	}
	holder, err := s.store.GetUserByEmail(ctx, p.ID, u.EmailKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("account: look up user by email: %w", err)
	}
	now := s.now()
	_, err = s.update(ctx, p, holder.Sub, func(h *pool.User) error {
		if h.EmailKey != u.EmailKey {
			return nil // changed meanwhile
		}
		h.EmailKey = ""
		if _, ok := h.Attributes[pool.AttrEmailVerified]; ok {
			h.Attributes[pool.AttrEmailVerified] = "false"
		}
		h.UpdatedAt = now
		return nil
	})
	if err != nil {
		return false, err
	}
	s.log.InfoContext(ctx, "account: email alias moved to a migrated user", "pool", p.ID, "from", holder.Sub, "to", u.Sub)
	return true, nil
}
