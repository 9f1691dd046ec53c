package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/audit"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// ProviderCognitoUser is the ProviderName that names a user of the pool
// itself (by username) in AdminLinkProviderForUser and
// AdminDisableProviderForUser, Cognito's spelling.
const ProviderCognitoUser = "Cognito"

// MaxLinkedIdentities is how many provider identities
// AdminLinkProviderForUser links to one user, Cognito's limit.
const MaxLinkedIdentities = 5

// ProviderUser is Cognito's ProviderUserIdentifierType: a user of the
// pool (ProviderName "Cognito", ProviderAttributeValue the username) or
// a user of an identity provider (ProviderName the provider's,
// ProviderAttributeName "Cognito_Subject", ProviderAttributeValue the
// provider's subject for the user).
type ProviderUser struct {
	ProviderName           string
	ProviderAttributeName  string
	ProviderAttributeValue string
}

// sourceUser checks the provider side of a link or an unlink: a provider
// other than Cognito, named by its subject (linkpool links by
// Cognito_Subject only, which every provider type has).
func sourceUser(field string, u ProviderUser) error {
	switch {
	case u.ProviderName == "" || strings.EqualFold(u.ProviderName, ProviderCognitoUser) || u.ProviderName == pool.ProviderCognito:
		return invalidParam(field+".ProviderName", "The provider of "+field+" must be an identity provider of the user pool, not Cognito.")
	case u.ProviderAttributeName != pool.SubjectAttribute:
		return invalidParam(field+".ProviderAttributeName", "ProviderAttributeName must be "+pool.SubjectAttribute+".")
	case pool.ValidateSubject(u.ProviderAttributeValue) != nil:
		return invalidParam(field+".ProviderAttributeValue", fmt.Sprintf("ProviderAttributeValue must be the provider's subject for the user, 1-%d bytes without control characters.", pool.MaxSubjectLen))
	}
	return nil
}

// AdminLinkProviderForUser links the identity source (a provider and its
// subject for a person) to the existing user dest (ProviderName
// "Cognito", ProviderAttributeValue the username), as Cognito's
// AdminLinkProviderForUser: from then on a sign-in through the provider
// as that subject signs in as dest. It returns the updated user.
//
// Errors: InvalidParameterException (dest not a Cognito user, source a
// Cognito user or not by Cognito_Subject; "Merging is not currently
// supported, provide a SourceUser that has not been registered." when
// the source identity has signed in already and so has a user of its
// own), ResourceNotFoundException (no such provider), UserNotFoundException
// (dest), AliasExistsException (the identity is already linked to a
// user), LimitExceededException (dest has MaxLinkedIdentities already).
func (s *Service) AdminLinkProviderForUser(ctx context.Context, p pool.Pool, dest, source ProviderUser) (linked pool.User, err error) {
	defer func() {
		s.record(ctx, "AdminLinkProviderForUser", p.ID, linked.Sub, audit.Fields(map[string]any{"ProviderName": source.ProviderName}), err)
	}()
	if !strings.EqualFold(dest.ProviderName, ProviderCognitoUser) {
		return pool.User{}, invalidParam("DestinationUser.ProviderName", "The DestinationUser must be a user of the pool: ProviderName Cognito.")
	}
	if dest.ProviderAttributeName != "" && dest.ProviderAttributeName != pool.SubjectAttribute {
		return pool.User{}, invalidParam("DestinationUser.ProviderAttributeName", "ProviderAttributeName must be "+pool.SubjectAttribute+".")
	}
	if err := sourceUser("SourceUser", source); err != nil {
		return pool.User{}, err
	}
	idp, err := s.store.GetIdentityProvider(ctx, p.ID, source.ProviderName)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return pool.User{}, newErr(ResourceNotFoundException, fmt.Sprintf("Identity provider %s does not exist.", source.ProviderName))
	case err != nil:
		return pool.User{}, fmt.Errorf("account: get identity provider: %w", err)
	}
	u, err := s.Lookup(ctx, p, dest.ProviderAttributeValue)
	if err != nil {
		return pool.User{}, err
	}
	subject := source.ProviderAttributeValue
	if err := s.identityFree(ctx, p, idp.ProviderName, subject); err != nil {
		return pool.User{}, err
	}
	now := s.now()
	out, err := s.update(ctx, p, u.Sub, func(u *pool.User) error {
		if slices.ContainsFunc(u.Identities, func(id pool.Identity) bool {
			return id.ProviderName == idp.ProviderName && id.UserID == subject
		}) {
			return alreadyLinked()
		}
		if len(u.Identities) >= MaxLinkedIdentities {
			return newErr(LimitExceededException, fmt.Sprintf("A user can have at most %d linked identities.", MaxLinkedIdentities))
		}
		u.Identities = append(slices.Clone(u.Identities), pool.NewIdentity(idp, subject, false, now))
		u.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		// Linked to another user meanwhile: the store keeps identities
		// unique.
		return pool.User{}, alreadyLinked()
	}
	if err != nil {
		return pool.User{}, err
	}
	return scrub(out), nil
}

func alreadyLinked() *Error {
	return newErr(AliasExistsException, "The SourceUser is already linked to a user of this user pool.")
}

// identityFree checks that no user holds the identity: a user the
// provider created for it (it has signed in already) cannot be merged,
// as in Cognito; a link to an existing user is an AliasExistsException.
func (s *Service) identityFree(ctx context.Context, p pool.Pool, provider, subject string) error {
	holder, err := s.store.GetUserByIdentity(ctx, p.ID, provider, subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("account: get user by identity: %w", err)
	}
	if createdBy(holder, provider, subject) {
		return invalidParam("SourceUser", "Merging is not currently supported, provide a SourceUser that has not been registered.")
	}
	return alreadyLinked()
}

// createdBy reports whether u is the user a sign-in through the provider
// as subject created (its primary identity).
func createdBy(u pool.User, provider, subject string) bool {
	return slices.ContainsFunc(u.Identities, func(id pool.Identity) bool {
		return id.ProviderName == provider && id.UserID == subject && id.Primary == "true"
	})
}

// AdminDisableProviderForUser stops the identity user (a provider and
// its subject) from signing in, as Cognito's AdminDisableProviderForUser:
// an identity linked to an existing user is unlinked from it (the next
// sign-in through the provider creates a user of its own), and a user
// the provider created is disabled and signed out everywhere. The
// provider need not exist any more, so that links to a deleted provider
// can be removed. Cognito's form with ProviderName "Cognito" (stop a
// user of the pool from signing in with a password) is not supported:
// it is refused with an InvalidParameterException; AdminDisableUser
// disables such a user.
//
// Errors: InvalidParameterException, UserNotFoundException (no user has
// the identity).
func (s *Service) AdminDisableProviderForUser(ctx context.Context, p pool.Pool, user ProviderUser) (err error) {
	var target string
	defer func() {
		s.record(ctx, "AdminDisableProviderForUser", p.ID, target, audit.Fields(map[string]any{"ProviderName": user.ProviderName}), err)
	}()
	if strings.EqualFold(user.ProviderName, ProviderCognitoUser) {
		return invalidParam("User.ProviderName", "Disabling the password sign-in of a user of the pool (ProviderName Cognito) is not supported; use AdminDisableUser.")
	}
	if err := sourceUser("User", user); err != nil {
		return err
	}
	provider, subject := user.ProviderName, user.ProviderAttributeValue
	holder, err := s.store.GetUserByIdentity(ctx, p.ID, provider, subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return userNotFound()
	case err != nil:
		return fmt.Errorf("account: get user by identity: %w", err)
	}
	target = holder.Sub
	if createdBy(holder, provider, subject) {
		_, err := s.signOut(ctx, p, holder.Username, func(u *pool.User) { u.Enabled = false })
		return err
	}
	now := s.now()
	_, err = s.update(ctx, p, holder.Sub, func(u *pool.User) error {
		// A new slice: the store compares it with the record it read,
		// which shares the old one's array.
		u.Identities = slices.DeleteFunc(slices.Clone(u.Identities), func(id pool.Identity) bool {
			return id.ProviderName == provider && id.UserID == subject
		})
		u.UpdatedAt = now
		return nil
	})
	return err
}
