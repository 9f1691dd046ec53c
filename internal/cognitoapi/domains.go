package cognitoapi

import (
	"errors"
	"regexp"

	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// The domain actions: CreateUserPoolDomain, DescribeUserPoolDomain,
// UpdateUserPoolDomain, DeleteUserPoolDomain, over admin.Service. A
// request with CustomDomainConfig names a custom host name, one without
// a prefix of the auth domain. linkpool has no CloudFront or ACM: TLS is
// terminated in front of it, CertificateArn is accepted and not kept.

type customDomainConfigType struct {
	CertificateArn *string `json:"CertificateArn,omitempty"`
}

type domainRequest struct {
	poolIDRequest
	Domain              *string                 `json:"Domain"`
	CustomDomainConfig  *customDomainConfigType `json:"CustomDomainConfig"`
	ManagedLoginVersion *int                    `json:"ManagedLoginVersion"`
}

const domainPattern = `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`

var domainRe = regexp.MustCompile(domainPattern)

// domain checks a prefix domain; a custom host name is checked by
// pool.Domain.Validate, which names the Domain field.
func (v *validation) domain(s *string) {
	v.str("domain", s, true, 1, 63, domainPattern, domainRe, false)
}

func (r *domainRequest) version() int {
	if r.ManagedLoginVersion != nil {
		return *r.ManagedLoginVersion
	}
	return 1
}

type domainOut struct {
	CloudFrontDomain    string `json:"CloudFrontDomain,omitempty"`
	ManagedLoginVersion int    `json:"ManagedLoginVersion"`
}

func (v *validation) domainRequest(r *domainRequest) {
	if r.CustomDomainConfig != nil {
		// A custom host name may be longer than a prefix.
		v.str("domain", r.Domain, true, 1, 253, "", nil, false)
	} else {
		v.domain(r.Domain)
	}
	if r.ManagedLoginVersion != nil && (*r.ManagedLoginVersion < 1 || *r.ManagedLoginVersion > 2) {
		s := itoa(*r.ManagedLoginVersion)
		v.add("managedLoginVersion", &s, false, "Member must be 1 or 2")
	}
}

func createUserPoolDomain(c *call) (any, error) {
	var req domainRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.domainRequest(&req) })
	if err != nil {
		return nil, err
	}
	d, err := c.api.cfg.Admin.CreateUserPoolDomain(c.ctx, pool.Domain{Domain: *req.Domain, PoolID: id, Custom: req.CustomDomainConfig != nil})
	if err != nil {
		return nil, err
	}
	out := domainOut{ManagedLoginVersion: req.version()}
	if d.Custom {
		out.CloudFrontDomain = d.Domain
	}
	return out, nil
}

// domainDescriptionType is Cognito's DomainDescriptionType.
type domainDescriptionType struct {
	UserPoolId             string                  `json:"UserPoolId,omitempty"`
	AWSAccountId           string                  `json:"AWSAccountId,omitempty"`
	Domain                 string                  `json:"Domain,omitempty"`
	CloudFrontDistribution string                  `json:"CloudFrontDistribution,omitempty"`
	Version                string                  `json:"Version,omitempty"`
	Status                 string                  `json:"Status,omitempty"`
	CustomDomainConfig     *customDomainConfigType `json:"CustomDomainConfig,omitempty"`
}

// describeUserPoolDomain answers an unknown domain with an empty
// DomainDescription, as Cognito does.
func describeUserPoolDomain(c *call) (any, error) {
	var req struct {
		Domain *string `json:"Domain"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.str("domain", req.Domain, true, 1, 253, "", nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	out := struct {
		DomainDescription domainDescriptionType `json:"DomainDescription"`
	}{}
	d, err := c.api.cfg.Admin.DescribeUserPoolDomain(c.ctx, *req.Domain)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.DomainDescription = domainDescriptionType{UserPoolId: d.PoolID, AWSAccountId: "000000000000", Domain: d.Domain, Version: "1", Status: "ACTIVE"}
	if d.Custom {
		out.DomainDescription.CloudFrontDistribution = d.Domain
		out.DomainDescription.CustomDomainConfig = &customDomainConfigType{}
	}
	return out, nil
}

// updateUserPoolDomain checks the domain is the pool's; linkpool has no
// certificate or managed-login version to change.
func updateUserPoolDomain(c *call) (any, error) {
	var req domainRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.domainRequest(&req) })
	if err != nil {
		return nil, err
	}
	d, err := c.api.cfg.Admin.UpdateUserPoolDomain(c.ctx, id, *req.Domain)
	if err != nil {
		return nil, err
	}
	out := domainOut{ManagedLoginVersion: req.version()}
	if d.Custom {
		out.CloudFrontDomain = d.Domain
	}
	return out, nil
}

func deleteUserPoolDomain(c *call) (any, error) {
	var req domainRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.str("domain", req.Domain, true, 1, 253, "", nil, false)
	})
	if err != nil {
		return nil, err
	}
	err = c.api.cfg.Admin.DeleteUserPoolDomain(c.ctx, id, *req.Domain)
	var re *admin.ResourceError
	if errors.As(err, &re) && re.Kind == admin.KindDomain && errors.Is(err, store.ErrNotFound) {
		// Cognito's wording for a domain the pool does not have.
		return nil, NewError(InvalidParameterException, "No such domain or user pool exists.")
	}
	return nil, err
}
