package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// msgNoFederatedPassword refuses to reset or set the password of a user
// an identity provider created (status EXTERNAL_PROVIDER): such a user has
// no password in the pool and signs in at the provider. Cognito's wording
// for ForgotPassword.
const msgNoFederatedPassword = "User password cannot be reset in the current state."

// SignInFederated signs in subject, whom the identity provider idp has
// just authenticated, with attrs: the pool attributes the provider's
// AttributeMapping produced. It returns the user linked to (idp,
// subject):
//
//   - a user already linked (created by an earlier sign-in, or a local
//     user linked by AdminLinkProviderForUser) is refused when disabled
//     (NotAuthorizedException "User is disabled.") or in a state that
//     cannot sign in, and otherwise has its mapped attributes refreshed;
//     a linked local user keeps its email address and its verification,
//     which are how it signs in with a password;
//   - otherwise a user is created as Cognito creates it: username
//     "<ProviderName>_<subject>", status EXTERNAL_PROVIDER, no password,
//     the identity as its primary one, email_verified "false" unless the
//     provider maps it, and membership in the group
//     "<poolId>_<ProviderName>" (created when missing).
//
// Attributes are checked one by one against the pool's schema; one that
// fails (unknown, too long, malformed) is dropped and never fails the
// sign-in. The creation writes the user with its identity in one
// statement; if adding it to the group fails, the user is deleted again,
// so a failed first sign-in leaves no user. Of concurrent first sign-ins
// of one subject, one creates the user and the others read it.
func (s *Service) SignInFederated(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, subject string, attrs map[string]string) (pool.User, error) {
	if subject == "" || len(subject) > 2048 || strings.IndexByte(subject, 0) >= 0 {
		return pool.User{}, invalidParam("subject", "The identity provider sent no usable subject.")
	}
	attrs = federatedAttributes(p, attrs)
	for range 3 {
		u, err := s.store.GetUserByIdentity(ctx, p.ID, idp.ProviderName, subject)
		switch {
		case err == nil:
			return s.refreshFederated(ctx, p, u, attrs)
		case !errors.Is(err, store.ErrNotFound):
			return pool.User{}, fmt.Errorf("account: find federated user: %w", err)
		}
		u, err = s.createFederated(ctx, p, idp, subject, attrs)
		if !errors.Is(err, store.ErrAlreadyExists) {
			return u, err
		}
		// Another sign-in created the user meanwhile, or the username is
		// taken: look again.
	}
	return pool.User{}, newErr(UsernameExistsException, "User account already exists")
}

// federatedAttributes keeps the attributes the pool accepts, each checked
// on its own.
func federatedAttributes(p pool.Pool, attrs map[string]string) map[string]string {
	check := p
	check.UsernameAttributes = nil // the email requirement applies to local users
	out := make(map[string]string, len(attrs)+1)
	for k, v := range attrs {
		if k == pool.AttrEmailVerified || k == "phone_number_verified" {
			v = normalizeBool(v)
		}
		if check.ValidateAttributes(map[string]string{k: v}) == nil {
			out[k] = v
		}
	}
	return out
}

// normalizeBool maps the spellings providers use for a boolean claim
// (true, "true", "True", 1) to Cognito's "true"/"false".
func normalizeBool(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes":
		return "true"
	}
	return "false"
}

// createFederated creates the user of a first sign-in and adds it to the
// provider's group. The error wraps store.ErrAlreadyExists when the user
// (or its username) exists.
func (s *Service) createFederated(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, subject string, attrs map[string]string) (pool.User, error) {
	group := pool.FederatedGroup(p.ID, idp.ProviderName)
	if err := s.ensureFederatedGroup(ctx, p, idp, group); err != nil {
		return pool.User{}, err
	}
	now := s.now()
	a := maps.Clone(attrs)
	if _, ok := a[pool.AttrEmailVerified]; !ok && a[pool.AttrEmail] != "" {
		a[pool.AttrEmailVerified] = "false"
	}
	username := pool.FederatedUsername(idp.ProviderName, subject)
	u := pool.User{
		PoolID: p.ID, Sub: pool.NewSub(), Username: username, UsernameKey: p.UsernameKey(username),
		Attributes: a, Status: pool.StatusExternalProvider, Enabled: true,
		Identities: []pool.Identity{pool.NewIdentity(idp, subject, true, now)},
		CreatedAt:  now, UpdatedAt: now,
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return pool.User{}, err
		}
		return pool.User{}, fmt.Errorf("account: create federated user: %w", err)
	}
	if err := s.store.AddUserToGroup(ctx, p.ID, group, u.Sub); err != nil {
		if derr := s.store.DeleteUser(ctx, p.ID, u.Sub); derr != nil && !errors.Is(derr, store.ErrNotFound) {
			s.log.ErrorContext(ctx, "account: undo federated user", "pool", p.ID, "sub", u.Sub, "error", derr)
		}
		return pool.User{}, fmt.Errorf("account: add federated user to %s: %w", group, err)
	}
	s.log.InfoContext(ctx, "account: federated user created", "pool", p.ID, "sub", u.Sub, "provider", idp.ProviderName)
	return scrub(u), nil
}

// ensureFederatedGroup creates the provider's group when it is missing,
// with Cognito's description.
func (s *Service) ensureFederatedGroup(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, name string) error {
	_, err := s.store.GetGroup(ctx, p.ID, name)
	if err == nil {
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("account: get group %s: %w", name, err)
	}
	now := s.now()
	g := pool.Group{
		PoolID: p.ID, Name: name, CreatedAt: now, UpdatedAt: now,
		Description: "Autogenerated group for users who sign in using " + idp.ProviderName,
	}
	if err := s.store.CreateGroup(ctx, g); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("account: create group %s: %w", name, err)
	}
	return nil
}

// refreshFederated checks the state of a linked user and stores the
// attributes the provider sent.
func (s *Service) refreshFederated(ctx context.Context, p pool.Pool, u pool.User, attrs map[string]string) (pool.User, error) {
	if err := federatedState(u); err != nil {
		return pool.User{}, err
	}
	local := u.Status != pool.StatusExternalProvider
	if local {
		attrs = maps.Clone(attrs)
		delete(attrs, pool.AttrEmail)
		delete(attrs, pool.AttrEmailVerified)
	}
	changed := false
	for k, v := range attrs {
		if u.Attributes[k] != v {
			changed = true
		}
	}
	if !changed {
		return scrub(u), nil
	}
	now := s.now()
	return s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if err := federatedState(*u); err != nil {
			return err
		}
		merged := maps.Clone(u.Attributes)
		if merged == nil {
			merged = map[string]string{}
		}
		oldEmail := merged[pool.AttrEmail]
		maps.Copy(merged, attrs)
		if _, ok := attrs[pool.AttrEmailVerified]; !ok && merged[pool.AttrEmail] != oldEmail {
			merged[pool.AttrEmailVerified] = "false"
		}
		u.Attributes = merged
		u.UpdatedAt = now
		return nil
	})
}

// federatedState reports whether a linked user may sign in through a
// provider: enabled, and either created by a provider or a confirmed
// local user.
func federatedState(u pool.User) error {
	switch {
	case !u.Enabled:
		return disabled()
	case u.Status != pool.StatusExternalProvider && u.Status != pool.StatusConfirmed:
		return notAuthorized("User cannot sign in in its current state.")
	}
	return nil
}

// IsFederated reports whether u was created by an identity provider and
// so has no password in the pool.
func IsFederated(u pool.User) bool { return u.Status == pool.StatusExternalProvider }

// federatedPasswordRefused is the answer of the password flows for a user
// without a password of the pool.
func federatedPasswordRefused() *Error { return notAuthorized(msgNoFederatedPassword) }
