package admin

import (
	"errors"
	"fmt"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// Resource kinds of a ResourceError.
const (
	KindPool   = "pool"
	KindClient = "client"
	KindDomain = "domain"
	KindGroup  = "group"
	// KindProvider is an identity provider, named by pool and name
	// ("<poolId>/<ProviderName>") or, for a lookup by identifier, by
	// the identifier.
	KindProvider = "identity provider"
)

// ResourceError is the Cause of the *account.Error an action returns for a
// resource that does not exist or a name that is taken. It names the
// resource the way the command line prints it ("pool us-east-1_abc does
// not exist"); the *account.Error around it carries Cognito's exception
// name and message. It wraps store.ErrNotFound or store.ErrAlreadyExists.
type ResourceError struct {
	Kind string
	ID   string
	Err  error
}

func (e *ResourceError) Error() string {
	if errors.Is(e.Err, store.ErrAlreadyExists) {
		return fmt.Sprintf("%s %s already exists", e.Kind, e.ID)
	}
	return fmt.Sprintf("%s %s does not exist", e.Kind, e.ID)
}

func (e *ResourceError) Unwrap() error { return e.Err }

// notFound is Cognito's ResourceNotFoundException for a resource.
func notFound(kind, id string) *account.Error {
	msg := ""
	switch kind {
	case KindPool:
		msg = fmt.Sprintf("User pool %s does not exist.", id)
	case KindClient:
		msg = fmt.Sprintf("User pool client %s does not exist.", id)
	case KindGroup:
		msg = "Group not found."
	case KindProvider:
		msg = fmt.Sprintf("Identity provider %s does not exist.", id)
	default:
		msg = fmt.Sprintf("Domain %s does not exist.", id)
	}
	return &account.Error{Type: account.ResourceNotFoundException, Message: msg,
		Cause: &ResourceError{Kind: kind, ID: id, Err: store.ErrNotFound}}
}

// exists is the exception Cognito answers for a taken name.
func exists(kind, id string) *account.Error {
	cause := &ResourceError{Kind: kind, ID: id, Err: store.ErrAlreadyExists}
	switch kind {
	case KindGroup:
		return &account.Error{Type: account.GroupExistsException,
			Message: fmt.Sprintf("A group with the name %s already exists.", id), Cause: cause}
	case KindDomain:
		return &account.Error{Type: account.InvalidParameterException, Field: "Domain",
			Message: "Domain already associated with another user pool.", Cause: cause}
	case KindProvider:
		return &account.Error{Type: account.DuplicateProviderException,
			Message: fmt.Sprintf("A provider with the name %s already exists in this user pool.", id), Cause: cause}
	}
	// Pool and client ids are generated: a clash is a failure of the
	// generator, not of the request.
	return &account.Error{Type: account.InvalidParameterException,
		Message: fmt.Sprintf("%s %s already exists.", kind, id), Cause: cause}
}

// storeErr turns the store's not-found and already-exists sentinels into
// the Cognito exceptions for the resource; other errors are internal
// failures, wrapped with what failed.
func storeErr(err error, op, kind, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return notFound(kind, id)
	case errors.Is(err, store.ErrAlreadyExists):
		return exists(kind, id)
	}
	var ae *account.Error
	if errors.As(err, &ae) {
		return err
	}
	var ve *pool.ValidationError
	if errors.As(err, &ve) {
		return invalid(ve)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// invalid is the InvalidParameterException naming the field of a rejected
// setting.
func invalid(ve *pool.ValidationError) *account.Error {
	return &account.Error{Type: account.InvalidParameterException, Message: ve.Error(), Field: ve.Field, Cause: ve}
}

// validated converts the error of a Validate method.
func validated(err error) error {
	var ve *pool.ValidationError
	if errors.As(err, &ve) {
		return invalid(ve)
	}
	return err
}

// invalidParam is an InvalidParameterException for field.
func invalidParam(field, format string, args ...any) *account.Error {
	ve := &pool.ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
	return invalid(ve)
}
