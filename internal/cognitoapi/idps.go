package cognitoapi

import (
	"regexp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// The identity-provider actions: CreateIdentityProvider,
// DescribeIdentityProvider, UpdateIdentityProvider,
// DeleteIdentityProvider, ListIdentityProviders and
// GetIdentityProviderByIdentifier over admin.Service, and
// AdminLinkProviderForUser and AdminDisableProviderForUser over
// account.Service.
//
// As Cognito, Create, Describe, Update and GetIdentityProviderByIdentifier
// answer the complete ProviderDetails, client_secret and private_key
// included (the caller holds an administrative key). UpdateIdentityProvider
// replaces each of ProviderDetails, AttributeMapping and IdpIdentifiers
// the request sends and keeps the others; a secret detail left out of
// the sent ProviderDetails keeps its stored value.

// identityProviderType is Cognito's IdentityProviderType.
type identityProviderType struct {
	UserPoolId       string            `json:"UserPoolId"`
	ProviderName     string            `json:"ProviderName"`
	ProviderType     string            `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers"`
	LastModifiedDate epoch             `json:"LastModifiedDate"`
	CreationDate     epoch             `json:"CreationDate"`
}

func newIdentityProviderType(p pool.IdentityProvider) identityProviderType {
	out := identityProviderType{p.PoolID, p.ProviderName, p.ProviderType, p.ProviderDetails, p.AttributeMapping,
		p.IdpIdentifiers, epoch(p.UpdatedAt), epoch(p.CreatedAt)}
	if out.ProviderDetails == nil {
		out.ProviderDetails = map[string]string{}
	}
	if out.AttributeMapping == nil {
		out.AttributeMapping = map[string]string{}
	}
	if out.IdpIdentifiers == nil {
		out.IdpIdentifiers = []string{}
	}
	return out
}

type identityProviderOut struct {
	IdentityProvider identityProviderType `json:"IdentityProvider"`
}

// providerDescription is Cognito's ProviderDescription.
type providerDescription struct {
	ProviderName     string `json:"ProviderName"`
	ProviderType     string `json:"ProviderType"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

// Constraints of the cognito-idp model on the provider members.
const (
	providerNameCreatePattern = `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]*`
	providerNamePattern       = `[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+`
	idpIdentifierPattern      = `[\w\s+=.@-]+`
)

var (
	providerNameCreateRe = regexp.MustCompile(`^(?:` + providerNameCreatePattern + `)$`)
	providerNameRe       = regexp.MustCompile(`^(?:` + providerNamePattern + `)$`)
	idpIdentifierRe      = regexp.MustCompile(`^(?:` + idpIdentifierPattern + `)$`)
)

type providerRequest struct {
	poolIDRequest
	ProviderName *string `json:"ProviderName"`
}

func (v *validation) providerName(s *string) {
	v.str("providerName", s, true, 1, 32, providerNamePattern, providerNameRe, false)
}

// providerSettings are the members Create and Update set.
type providerSettings struct {
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers"`
}

func (s *providerSettings) check(v *validation) {
	if len(s.IdpIdentifiers) > pool.MaxIdpIdentifiers {
		n := itoa(len(s.IdpIdentifiers))
		v.add("idpIdentifiers", &n, false, "Member must have length less than or equal to 50")
	}
	for i := range s.IdpIdentifiers {
		v.str("idpIdentifiers."+itoa(i+1)+".member", &s.IdpIdentifiers[i], true, 1, 40, idpIdentifierPattern, idpIdentifierRe, false)
	}
}

func createIdentityProvider(c *call) (any, error) {
	var req struct {
		poolIDRequest
		ProviderName *string `json:"ProviderName"`
		ProviderType *string `json:"ProviderType"`
		providerSettings
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.str("providerName", req.ProviderName, true, 1, 32, providerNameCreatePattern, providerNameCreateRe, false)
		v.str("providerType", req.ProviderType, true, 1, 32, "", nil, false)
		if req.ProviderDetails == nil {
			v.add("providerDetails", nil, false, "Member must not be null")
		}
		req.check(v)
	})
	if err != nil {
		return nil, err
	}
	p, err := c.api.cfg.Admin.CreateIdentityProvider(c.ctx, pool.IdentityProvider{
		PoolID: id, ProviderName: *req.ProviderName, ProviderType: *req.ProviderType,
		ProviderDetails: req.ProviderDetails, AttributeMapping: req.AttributeMapping, IdpIdentifiers: req.IdpIdentifiers,
	})
	if err != nil {
		return nil, err
	}
	return identityProviderOut{newIdentityProviderType(p)}, nil
}

func describeIdentityProvider(c *call) (any, error) {
	var req providerRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.providerName(req.ProviderName) })
	if err != nil {
		return nil, err
	}
	p, err := c.api.cfg.Admin.DescribeIdentityProvider(c.ctx, id, *req.ProviderName)
	if err != nil {
		return nil, err
	}
	return identityProviderOut{newIdentityProviderType(p)}, nil
}

func updateIdentityProvider(c *call) (any, error) {
	var req struct {
		providerRequest
		providerSettings
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.providerName(req.ProviderName)
		req.check(v)
	})
	if err != nil {
		return nil, err
	}
	p, err := c.api.cfg.Admin.UpdateIdentityProvider(c.ctx, id, *req.ProviderName, func(p *pool.IdentityProvider) {
		if req.ProviderDetails != nil {
			p.ProviderDetails = req.ProviderDetails
		}
		if req.AttributeMapping != nil {
			p.AttributeMapping = req.AttributeMapping
		}
		if req.IdpIdentifiers != nil {
			p.IdpIdentifiers = req.IdpIdentifiers
		}
	})
	if err != nil {
		return nil, err
	}
	return identityProviderOut{newIdentityProviderType(p)}, nil
}

func deleteIdentityProvider(c *call) (any, error) {
	var req providerRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.providerName(req.ProviderName) })
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Admin.DeleteIdentityProvider(c.ctx, id, *req.ProviderName)
}

func listIdentityProviders(c *call) (any, error) {
	var req struct {
		poolIDRequest
		maxResultsRequest
	}
	id, err := c.onPool(&req, &req.poolIDRequest, req.maxResultsRequest.check)
	if err != nil {
		return nil, err
	}
	ps, next, err := c.api.cfg.Admin.ListIdentityProviders(c.ctx, id, req.size(), deref(req.NextToken))
	if err != nil {
		return nil, err
	}
	out := struct {
		Providers []providerDescription `json:"Providers"`
		NextToken string                `json:"NextToken,omitempty"`
	}{Providers: []providerDescription{}, NextToken: next}
	for _, p := range ps {
		out.Providers = append(out.Providers, providerDescription{p.ProviderName, p.ProviderType, epoch(p.UpdatedAt), epoch(p.CreatedAt)})
	}
	return out, nil
}

func getIdentityProviderByIdentifier(c *call) (any, error) {
	var req struct {
		poolIDRequest
		IdpIdentifier *string `json:"IdpIdentifier"`
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.str("idpIdentifier", req.IdpIdentifier, true, 1, 40, idpIdentifierPattern, idpIdentifierRe, false)
	})
	if err != nil {
		return nil, err
	}
	p, err := c.api.cfg.Admin.GetIdentityProviderByIdentifier(c.ctx, id, *req.IdpIdentifier)
	if err != nil {
		return nil, err
	}
	return identityProviderOut{newIdentityProviderType(p)}, nil
}

// providerUserIdentifierType is Cognito's ProviderUserIdentifierType.
type providerUserIdentifierType struct {
	ProviderName           *string `json:"ProviderName"`
	ProviderAttributeName  *string `json:"ProviderAttributeName"`
	ProviderAttributeValue *string `json:"ProviderAttributeValue"`
}

func (v *validation) providerUser(field string, u *providerUserIdentifierType) {
	if u == nil {
		v.add(field, nil, false, "Member must not be null")
		return
	}
	v.str(field+".providerName", u.ProviderName, false, 0, 32, "", nil, false)
}

func (u *providerUserIdentifierType) value() account.ProviderUser {
	if u == nil {
		return account.ProviderUser{}
	}
	return account.ProviderUser{ProviderName: deref(u.ProviderName), ProviderAttributeName: deref(u.ProviderAttributeName),
		ProviderAttributeValue: deref(u.ProviderAttributeValue)}
}

func adminLinkProviderForUser(c *call) (any, error) {
	var req struct {
		poolIDRequest
		DestinationUser *providerUserIdentifierType `json:"DestinationUser"`
		SourceUser      *providerUserIdentifierType `json:"SourceUser"`
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.providerUser("destinationUser", req.DestinationUser)
		v.providerUser("sourceUser", req.SourceUser)
	})
	if err != nil {
		return nil, err
	}
	p, err := c.pool(id)
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Accounts.AdminLinkProviderForUser(c.ctx, p, req.DestinationUser.value(), req.SourceUser.value())
	return nil, err
}

func adminDisableProviderForUser(c *call) (any, error) {
	var req struct {
		poolIDRequest
		User *providerUserIdentifierType `json:"User"`
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.providerUser("user", req.User) })
	if err != nil {
		return nil, err
	}
	p, err := c.pool(id)
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Accounts.AdminDisableProviderForUser(c.ctx, p, req.User.value())
}
