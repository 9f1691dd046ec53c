package cognitoapi

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// The pool actions: CreateUserPool, DescribeUserPool, UpdateUserPool,
// DeleteUserPool, ListUserPools and AddCustomAttributes, over
// admin.Service.

// owns refuses a pool id other than the one the caller was authorized
// for: a handler must never work on a pool its PoolField did not name.
func (c *call) owns(id string) error {
	if c.sigv4 && id != c.authorized {
		return fmt.Errorf("cognitoapi: %s: pool %q used, %q authorized", c.action, id, c.authorized)
	}
	return nil
}

// region is the region of new pool ids: the one the request was signed
// for (Credential=<key>/<date>/<region>/cognito-idp/aws4_request), as
// Cognito's region is its endpoint's; us-east-1 when none is named.
func (c *call) region() string {
	if m := scopeRegionRe.FindStringSubmatch(c.authorization); m != nil {
		return m[1]
	}
	return "us-east-1"
}

var scopeRegionRe = regexp.MustCompile(`Credential=[^/,\s]+/\d{8}/([a-z]{2}(?:-[a-z]+)+-\d)/`)

// passwordPolicyType is Cognito's PasswordPolicyType.
type passwordPolicyType struct {
	MinimumLength                 *int  `json:"MinimumLength,omitempty"`
	RequireUppercase              *bool `json:"RequireUppercase,omitempty"`
	RequireLowercase              *bool `json:"RequireLowercase,omitempty"`
	RequireNumbers                *bool `json:"RequireNumbers,omitempty"`
	RequireSymbols                *bool `json:"RequireSymbols,omitempty"`
	TemporaryPasswordValidityDays *int  `json:"TemporaryPasswordValidityDays,omitempty"`
}

type policiesType struct {
	PasswordPolicy *passwordPolicyType `json:"PasswordPolicy,omitempty"`
	SignInPolicy   *signInPolicyType   `json:"SignInPolicy,omitempty"`
}

// signInPolicyType is Cognito's SignInPolicyType: the first factors of
// the choice-based sign-in (USER_AUTH).
type signInPolicyType struct {
	AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors"`
}

type adminCreateUserConfigType struct {
	AllowAdminCreateUserOnly *bool                `json:"AllowAdminCreateUserOnly,omitempty"`
	InviteMessageTemplate    *messageTemplateType `json:"InviteMessageTemplate,omitempty"`
}

// messageTemplateType is Cognito's MessageTemplateType, the invitation
// of AdminCreateUser. SMSMessage is accepted and ignored: linkpool sends
// no text messages.
type messageTemplateType struct {
	SMSMessage   *string `json:"SMSMessage,omitempty"`
	EmailMessage *string `json:"EmailMessage,omitempty"`
	EmailSubject *string `json:"EmailSubject,omitempty"`
}

// Cognito's patterns of MessageTemplateType's email members.
const (
	inviteMessagePattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`
	inviteSubjectPattern = `[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+`
)

var (
	inviteMessageRe = regexp.MustCompile(`^(?:` + inviteMessagePattern + `)$`)
	inviteSubjectRe = regexp.MustCompile(`^(?:` + inviteSubjectPattern + `)$`)
)

type usernameConfigurationType struct {
	CaseSensitive *bool `json:"CaseSensitive,omitempty"`
}

// schemaAttributeType is Cognito's SchemaAttributeType.
type schemaAttributeType struct {
	Name                   *string `json:"Name,omitempty"`
	AttributeDataType      *string `json:"AttributeDataType,omitempty"`
	Mutable                *bool   `json:"Mutable,omitempty"`
	Required               *bool   `json:"Required,omitempty"`
	DeveloperOnlyAttribute *bool   `json:"DeveloperOnlyAttribute,omitempty"`
}

// poolSettings are the members of CreateUserPool and UpdateUserPool that
// linkpool keeps. MfaConfiguration sets the pool's MFA mode (its factors
// are SetUserPoolMfaConfig's); LambdaConfig sets the pool's triggers;
// other members of Cognito's model (SmsConfiguration, ...) are accepted
// and ignored.
type poolSettings struct {
	Policies               *policiesType              `json:"Policies"`
	MfaConfiguration       *string                    `json:"MfaConfiguration"`
	AutoVerifiedAttributes []string                   `json:"AutoVerifiedAttributes"`
	AdminCreateUserConfig  *adminCreateUserConfigType `json:"AdminCreateUserConfig"`
	LambdaConfig           *lambdaConfigType          `json:"LambdaConfig"`
}

// apply sets the pool's Cognito settings from s, every one the request
// leaves out to Cognito's default, as Cognito's CreateUserPool and
// UpdateUserPool do. linkpool's own settings (lockout, signing
// algorithm, branding, sender, auto-confirmation) have no member and are
// kept.
func (s *poolSettings) apply(p *pool.Pool) {
	pp := pool.DefaultPasswordPolicy()
	if s.Policies != nil && s.Policies.PasswordPolicy != nil {
		in := s.Policies.PasswordPolicy
		setInt(&pp.MinimumLength, in.MinimumLength)
		setBool(&pp.RequireUppercase, in.RequireUppercase)
		setBool(&pp.RequireLowercase, in.RequireLowercase)
		setBool(&pp.RequireNumbers, in.RequireNumbers)
		setBool(&pp.RequireSymbols, in.RequireSymbols)
		setInt(&pp.TemporaryPasswordValidityDays, in.TemporaryPasswordValidityDays)
	}
	p.PasswordPolicy = pp
	p.MFA.Mode = pool.MFAOff
	if s.MfaConfiguration != nil {
		p.MFA.Mode = *s.MfaConfiguration
	}
	p.AllowedFirstAuthFactors = nil
	if s.Policies != nil && s.Policies.SignInPolicy != nil {
		p.AllowedFirstAuthFactors = s.Policies.SignInPolicy.AllowedFirstAuthFactors
	}
	p.AutoVerifiedAttributes = s.AutoVerifiedAttributes
	p.AllowAdminCreateUserOnly = false
	p.InviteMessage = pool.InviteTemplate{}
	if a := s.AdminCreateUserConfig; a != nil {
		setBool(&p.AllowAdminCreateUserOnly, a.AllowAdminCreateUserOnly)
		if t := a.InviteMessageTemplate; t != nil {
			p.InviteMessage = pool.InviteTemplate{EmailSubject: deref(t.EmailSubject), EmailMessage: deref(t.EmailMessage)}
		}
	}
	p.LambdaConfig = s.LambdaConfig.config()
}

// check refuses settings of the wrong form; pool.Validate checks the
// result (a mode other than OFF needs a factor, PASSWORD must be among
// the first factors).
func (s *poolSettings) check(v *validation) {
	v.enum("mfaConfiguration", s.MfaConfiguration, pool.MFAOff, pool.MFAOn, pool.MFAOptional)
	s.LambdaConfig.check(v)
	if a := s.AdminCreateUserConfig; a != nil && a.InviteMessageTemplate != nil {
		t := a.InviteMessageTemplate
		v.str("adminCreateUserConfig.inviteMessageTemplate.emailMessage", t.EmailMessage, false, pool.MinInviteMessage, pool.MaxInviteMessage, inviteMessagePattern, inviteMessageRe, false)
		v.str("adminCreateUserConfig.inviteMessageTemplate.emailSubject", t.EmailSubject, false, 1, pool.MaxInviteSubject, inviteSubjectPattern, inviteSubjectRe, false)
	}
	if s.Policies == nil || s.Policies.SignInPolicy == nil {
		return
	}
	for i, f := range s.Policies.SignInPolicy.AllowedFirstAuthFactors {
		v.enum("policies.signInPolicy.allowedFirstAuthFactors."+itoa(i+1)+".member", &f, "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
		if f == "SMS_OTP" {
			v.add("policies.signInPolicy.allowedFirstAuthFactors."+itoa(i+1)+".member", &f, false, "linkpool sends no text messages; SMS_OTP is not supported")
		}
	}
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// userPoolType is Cognito's UserPoolType for the settings linkpool has.
type userPoolType struct {
	Id                     string                   `json:"Id"`
	Name                   string                   `json:"Name"`
	Arn                    string                   `json:"Arn"`
	Status                 string                   `json:"Status"`
	Policies               policiesOut              `json:"Policies"`
	AutoVerifiedAttributes []string                 `json:"AutoVerifiedAttributes,omitempty"`
	UsernameAttributes     []string                 `json:"UsernameAttributes,omitempty"`
	AliasAttributes        []string                 `json:"AliasAttributes,omitempty"`
	UsernameConfiguration  usernameConfigurationOut `json:"UsernameConfiguration"`
	AdminCreateUserConfig  adminCreateUserConfigOut `json:"AdminCreateUserConfig"`
	SchemaAttributes       []schemaAttributeOut     `json:"SchemaAttributes"`
	MfaConfiguration       string                   `json:"MfaConfiguration"`
	Domain                 string                   `json:"Domain,omitempty"`
	CustomDomain           string                   `json:"CustomDomain,omitempty"`
	CreationDate           epoch                    `json:"CreationDate"`
	LastModifiedDate       epoch                    `json:"LastModifiedDate"`
	// LambdaConfig holds the targets; the webhook signing secret is
	// never returned.
	LambdaConfig pool.LambdaConfig `json:"LambdaConfig"`
}

type policiesOut struct {
	PasswordPolicy pool.PasswordPolicy `json:"PasswordPolicy"`
	SignInPolicy   signInPolicyType    `json:"SignInPolicy"`
}
type usernameConfigurationOut struct {
	CaseSensitive bool `json:"CaseSensitive"`
}
type adminCreateUserConfigOut struct {
	AllowAdminCreateUserOnly bool                 `json:"AllowAdminCreateUserOnly"`
	InviteMessageTemplate    *pool.InviteTemplate `json:"InviteMessageTemplate,omitempty"`
}

func newAdminCreateUserConfigOut(p pool.Pool) adminCreateUserConfigOut {
	out := adminCreateUserConfigOut{AllowAdminCreateUserOnly: p.AllowAdminCreateUserOnly}
	if p.InviteMessage != (pool.InviteTemplate{}) {
		t := p.InviteMessage
		out.InviteMessageTemplate = &t
	}
	return out
}

type schemaAttributeOut struct {
	Name                   string `json:"Name"`
	AttributeDataType      string `json:"AttributeDataType"`
	Mutable                bool   `json:"Mutable"`
	Required               bool   `json:"Required"`
	DeveloperOnlyAttribute bool   `json:"DeveloperOnlyAttribute"`
}

// standardAttributes are the attributes every pool has, as
// SchemaAttributes lists them.
var standardAttributes = []string{"sub", "name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
	"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at"}

// poolArn is the pool's ARN; linkpool has no AWS account, so the account
// is twelve zeros.
func poolArn(p pool.Pool) string {
	return "arn:aws:cognito-idp:" + p.Region() + ":000000000000:userpool/" + p.ID
}

func newUserPoolType(p pool.Pool, domains []pool.Domain) userPoolType {
	out := userPoolType{
		Id: p.ID, Name: p.Name, Arn: poolArn(p), Status: "Enabled",
		Policies:               policiesOut{p.PasswordPolicy, signInPolicyType{p.FirstFactors()}},
		AutoVerifiedAttributes: p.AutoVerifiedAttributes, UsernameAttributes: p.UsernameAttributes, AliasAttributes: p.AliasAttributes,
		UsernameConfiguration: usernameConfigurationOut{p.CaseSensitive},
		AdminCreateUserConfig: newAdminCreateUserConfigOut(p),
		MfaConfiguration:      p.MFA.MFAMode(), LambdaConfig: p.LambdaConfig,
		CreationDate: epoch(p.CreatedAt), LastModifiedDate: epoch(p.UpdatedAt),
	}
	for _, n := range standardAttributes {
		typ := "String"
		switch n {
		case "email_verified", "phone_number_verified":
			typ = "Boolean"
		case "updated_at":
			typ = "Number"
		}
		out.SchemaAttributes = append(out.SchemaAttributes, schemaAttributeOut{Name: n, AttributeDataType: typ, Mutable: n != "sub", Required: n == "sub"})
	}
	for _, s := range p.Schema {
		out.SchemaAttributes = append(out.SchemaAttributes, schemaAttributeOut{Name: "custom:" + strings.TrimPrefix(s.Name, "custom:"), AttributeDataType: s.AttributeDataType, Mutable: s.Mutable})
	}
	for _, d := range domains {
		if d.Custom {
			out.CustomDomain = d.Domain
		} else {
			out.Domain = d.Domain
		}
	}
	return out
}

// poolIDRequest is the member of every action on one pool.
type poolIDRequest struct {
	UserPoolId *string `json:"UserPoolId"`
}

// onPool decodes req, checks its pool id (and whatever more adds) and
// that the caller was authorized for it, and returns the id.
func (c *call) onPool(req any, id *poolIDRequest, more func(v *validation)) (string, error) {
	if err := c.decode(req); err != nil {
		return "", err
	}
	var v validation
	v.poolID(id.UserPoolId)
	if more != nil {
		more(&v)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	return *id.UserPoolId, c.owns(*id.UserPoolId)
}

const poolNamePattern = `[\w\s+=,.@-]+`

var poolNameRe = regexp.MustCompile(`^(?:` + poolNamePattern + `)$`)

func createUserPool(c *call) (any, error) {
	var req struct {
		PoolName *string `json:"PoolName"`
		poolSettings
		UsernameAttributes    []string                   `json:"UsernameAttributes"`
		AliasAttributes       []string                   `json:"AliasAttributes"`
		UsernameConfiguration *usernameConfigurationType `json:"UsernameConfiguration"`
		Schema                []schemaAttributeType      `json:"Schema"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.str("poolName", req.PoolName, true, 1, 128, poolNamePattern, poolNameRe, false)
	req.check(&v)
	schema := v.schema("schema", req.Schema)
	if err := v.err(); err != nil {
		return nil, err
	}
	p := pool.NewPool(c.region(), *req.PoolName, time.Now())
	req.apply(&p)
	p.UsernameAttributes, p.AliasAttributes = req.UsernameAttributes, req.AliasAttributes
	// Cognito's API makes usernames case sensitive unless told otherwise.
	p.CaseSensitive = true
	if req.UsernameConfiguration != nil && req.UsernameConfiguration.CaseSensitive != nil {
		p.CaseSensitive = *req.UsernameConfiguration.CaseSensitive
	}
	p.Schema = schema
	p, err := c.api.cfg.Admin.CreateUserPool(c.ctx, p)
	if err != nil {
		return nil, err
	}
	return struct {
		UserPool userPoolType `json:"UserPool"`
	}{newUserPoolType(p, nil)}, nil
}

// schema checks Schema or CustomAttributes entries and returns them as
// custom attributes; standard attributes are accepted as they are and
// not stored (linkpool's standard attributes are fixed).
func (v *validation) schema(field string, in []schemaAttributeType) []pool.SchemaAttribute {
	var out []pool.SchemaAttribute
	for i, s := range in {
		f := field + "." + itoa(i+1) + ".member"
		v.str(f+".name", s.Name, true, 1, 20, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, nameRe, false)
		v.enum(f+".attributeDataType", s.AttributeDataType, "String", "Number", "DateTime", "Boolean")
		if s.Name == nil || isStandard(*s.Name) {
			continue
		}
		a := pool.SchemaAttribute{Name: strings.TrimPrefix(*s.Name, "custom:"), AttributeDataType: "String", Mutable: true}
		if s.AttributeDataType != nil {
			a.AttributeDataType = *s.AttributeDataType
		}
		setBool(&a.Mutable, s.Mutable)
		out = append(out, a)
	}
	return out
}

func isStandard(name string) bool {
	for _, n := range standardAttributes {
		if n == name {
			return true
		}
	}
	return false
}

func describeUserPool(c *call) (any, error) {
	var req poolIDRequest
	id, err := c.onPool(&req, &req, nil)
	if err != nil {
		return nil, err
	}
	p, err := c.api.cfg.Admin.DescribeUserPool(c.ctx, id)
	if err != nil {
		return nil, err
	}
	ds, err := c.api.cfg.Admin.ListUserPoolDomains(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return struct {
		UserPool userPoolType `json:"UserPool"`
	}{newUserPoolType(p, ds)}, nil
}

// updateUserPool follows Cognito: every setting the request leaves out
// returns to its default. The settings fixed at creation cannot change.
func updateUserPool(c *call) (any, error) {
	var req struct {
		poolIDRequest
		poolSettings
	}
	id, err := c.onPool(&req, &req.poolIDRequest, req.check)
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Admin.UpdateUserPool(c.ctx, id, req.apply)
	return nil, err
}

func deleteUserPool(c *call) (any, error) {
	var req poolIDRequest
	id, err := c.onPool(&req, &req, nil)
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Admin.DeleteUserPool(c.ctx, id)
}

// userPoolDescriptionType is Cognito's UserPoolDescriptionType.
type userPoolDescriptionType struct {
	Id               string            `json:"Id"`
	Name             string            `json:"Name"`
	Status           string            `json:"Status"`
	LambdaConfig     pool.LambdaConfig `json:"LambdaConfig"`
	CreationDate     epoch             `json:"CreationDate"`
	LastModifiedDate epoch             `json:"LastModifiedDate"`
}

func listUserPools(c *call) (any, error) {
	var req struct {
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.limit("maxResults", req.MaxResults, true, 1)
	v.str("nextToken", req.NextToken, false, 1, 131072, "", nil, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	ps, next, err := c.api.cfg.Admin.ListUserPools(c.ctx, *req.MaxResults, deref(req.NextToken))
	if err != nil {
		return nil, err
	}
	out := struct {
		UserPools []userPoolDescriptionType `json:"UserPools"`
		NextToken string                    `json:"NextToken,omitempty"`
	}{UserPools: []userPoolDescriptionType{}, NextToken: next}
	for _, p := range ps {
		out.UserPools = append(out.UserPools, userPoolDescriptionType{Id: p.ID, Name: p.Name, Status: "Enabled", LambdaConfig: p.LambdaConfig, CreationDate: epoch(p.CreatedAt), LastModifiedDate: epoch(p.UpdatedAt)})
	}
	return out, nil
}

// limit checks a page size member: not null when required, within
// [min, 60].
func (v *validation) limit(field string, n *int, required bool, min int) {
	if n == nil {
		if required {
			v.add(field, nil, false, "Member must not be null")
		}
		return
	}
	s := itoa(*n)
	if *n < min {
		v.add(field, &s, false, "Member must have value greater than or equal to "+itoa(min))
	}
	if *n > 60 {
		v.add(field, &s, false, "Member must have value less than or equal to 60")
	}
}

// addCustomAttributes adds custom attributes to a pool's schema; a name
// the pool has is refused, as Cognito refuses it.
func addCustomAttributes(c *call) (any, error) {
	var req struct {
		poolIDRequest
		CustomAttributes []schemaAttributeType `json:"CustomAttributes"`
	}
	var add []pool.SchemaAttribute
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		if req.CustomAttributes == nil {
			v.add("customAttributes", nil, false, "Member must not be null")
		}
		add = v.schema("customAttributes", req.CustomAttributes)
	})
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Admin.UpdateUserPool(c.ctx, id, func(p *pool.Pool) {
		p.Schema = append(append([]pool.SchemaAttribute(nil), p.Schema...), add...)
	})
	return nil, err
}
