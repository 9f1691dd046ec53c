package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/trigger"
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
//     cannot sign in, and otherwise has its mapped attributes refreshed
//     (refreshFederated); a user the provider created is put back in the
//     provider's group when it is missing from it;
//   - otherwise a user is created as Cognito creates it: username
//     "<ProviderName>_<subject>", status EXTERNAL_PROVIDER, no password,
//     the identity as its primary one, email_verified "false" unless the
//     provider maps it, and membership in the group
//     "<poolId>_<ProviderName>" (created when missing) — all in one
//     store transaction (store.Store.CreateUserInGroup), so a failed
//     first sign-in leaves nothing behind.
//
// The subject (the protocol's, or the claim the mapping names as
// "username") must pass pool.ValidateSubject: InvalidParameterException
// otherwise. Subjects are case-sensitive; when the username a first
// sign-in needs is taken by a user without the identity (in a
// case-insensitive pool, a subject differing only in case), the sign-in
// fails with UsernameExistsException and changes nothing. Attributes
// are checked one by one against the pool's schema; one that fails
// (unknown, too long, malformed) is dropped and never fails the sign-in.
// Of concurrent first sign-ins of one subject, one creates the user and
// the others read it.
func (s *Service) SignInFederated(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, subject string, attrs map[string]string) (pool.User, error) {
	if pool.ValidateSubject(subject) != nil {
		return pool.User{}, invalidParam("subject", fmt.Sprintf("The identity provider sent no usable subject: it must be 1-%d bytes without control characters.", pool.MaxSubjectLen))
	}
	attrs = federatedAttributes(p, attrs)
	u, err := s.store.GetUserByIdentity(ctx, p.ID, idp.ProviderName, subject)
	switch {
	case err == nil:
		return s.refreshFederated(ctx, p, idp, subject, u, attrs)
	case !errors.Is(err, store.ErrNotFound):
		return pool.User{}, fmt.Errorf("account: find federated user: %w", err)
	}
	u, err = s.createFederated(ctx, p, idp, subject, attrs)
	if !errors.Is(err, store.ErrAlreadyExists) {
		return u, err
	}
	// Another sign-in created the user meanwhile (the identity is
	// taken), or the username is another user's: only the first is a
	// sign-in.
	u, err = s.store.GetUserByIdentity(ctx, p.ID, idp.ProviderName, subject)
	switch {
	case err == nil:
		return s.refreshFederated(ctx, p, idp, subject, u, attrs)
	case !errors.Is(err, store.ErrNotFound):
		return pool.User{}, fmt.Errorf("account: find federated user: %w", err)
	}
	username := pool.FederatedUsername(idp.ProviderName, subject)
	s.log.WarnContext(ctx, "account: federated username taken", "pool", p.ID, "provider", idp.ProviderName)
	return pool.User{}, newErr(UsernameExistsException, fmt.Sprintf("User account already exists: another user of the pool has the username %s.", username))
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

// createFederated creates the user of a first sign-in in the provider's
// group, in one transaction. The error wraps store.ErrAlreadyExists when
// the identity or the username is taken.
func (s *Service) createFederated(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, subject string, attrs map[string]string) (pool.User, error) {
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
	// Pre sign-up vets the first sign-in; its answer may verify the
	// address (autoVerifyEmail). A federated user needs no confirmation.
	if _, err := s.preSignUp(ctx, p, trigger.SourcePreSignUpExternal, &u); err != nil {
		return pool.User{}, err
	}
	if err := s.store.CreateUserInGroup(ctx, u, federatedGroup(p, idp, now)); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return pool.User{}, err
		}
		return pool.User{}, fmt.Errorf("account: create federated user: %w", err)
	}
	s.log.InfoContext(ctx, "account: federated user created", "pool", p.ID, "sub", u.Sub, "provider", idp.ProviderName)
	return scrub(u), nil
}

// federatedGroup is the provider's group, with Cognito's description.
func federatedGroup(p pool.Pool, idp pool.IdentityProvider, now time.Time) pool.Group {
	return pool.Group{
		PoolID: p.ID, Name: pool.FederatedGroup(p.ID, idp.ProviderName), CreatedAt: now, UpdatedAt: now,
		Description: "Autogenerated group for users who sign in using " + idp.ProviderName,
	}
}

// ensureFederatedMember puts a user the provider created back in the
// provider's group (re-created when missing) if it is not a member: the
// repair of users created before creation was one transaction, or
// removed from the group by hand.
func (s *Service) ensureFederatedMember(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, sub string) error {
	g := federatedGroup(p, idp, s.now())
	groups, err := s.store.ListGroupsForUser(ctx, p.ID, sub)
	if err != nil {
		return fmt.Errorf("account: groups of federated user: %w", err)
	}
	for _, have := range groups {
		if have.Name == g.Name {
			return nil
		}
	}
	if err := s.store.CreateGroup(ctx, g); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("account: create group %s: %w", g.Name, err)
	}
	if err := s.store.AddUserToGroup(ctx, p.ID, g.Name, sub); err != nil {
		return fmt.Errorf("account: add federated user to %s: %w", g.Name, err)
	}
	s.log.InfoContext(ctx, "account: federated user put back in its group", "pool", p.ID, "sub", sub, "provider", idp.ProviderName)
	return nil
}

// linkedKeeps are the attributes a provider never changes on a linked
// local user: how it signs in (email, phone number and preferred
// username may be aliases) and what the pool verified.
var linkedKeeps = []string{pool.AttrEmail, pool.AttrEmailVerified, pool.AttrPhoneNumber, "phone_number_verified", pool.AttrPreferredUsername}

// refreshFederated checks the state of a linked user and stores the
// attributes the provider sent. A user the provider created takes them
// all (and is put back in its group when missing from it); a linked
// local user only gets the attributes it has no value for, and never
// those of linkedKeeps.
func (s *Service) refreshFederated(ctx context.Context, p pool.Pool, idp pool.IdentityProvider, subject string, u pool.User, attrs map[string]string) (pool.User, error) {
	if err := federatedState(u); err != nil {
		return pool.User{}, err
	}
	created := u.Status == pool.StatusExternalProvider
	if created && primaryIdentity(u, idp.ProviderName, subject) {
		if err := s.ensureFederatedMember(ctx, p, idp, u.Sub); err != nil {
			return pool.User{}, err
		}
	}
	take := func(u pool.User) map[string]string {
		if created {
			return attrs
		}
		out := map[string]string{}
		for k, v := range attrs {
			if !slices.Contains(linkedKeeps, k) && u.Attributes[k] == "" {
				out[k] = v
			}
		}
		return out
	}
	changed := false
	for k, v := range take(u) {
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
		add := take(*u)
		merged := maps.Clone(u.Attributes)
		if merged == nil {
			merged = map[string]string{}
		}
		oldEmail := merged[pool.AttrEmail]
		maps.Copy(merged, add)
		if _, ok := add[pool.AttrEmailVerified]; !ok && merged[pool.AttrEmail] != oldEmail {
			merged[pool.AttrEmailVerified] = "false"
		}
		u.Attributes = merged
		u.UpdatedAt = now
		return nil
	})
}

// primaryIdentity reports whether (provider, subject) is u's primary
// identity: the one that created it.
func primaryIdentity(u pool.User, provider, subject string) bool {
	for _, id := range u.Identities {
		if id.ProviderName == provider && id.UserID == subject {
			return id.Primary == "true"
		}
	}
	return false
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
