package cognitoapi

import (
	"regexp"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// The app-client actions: CreateUserPoolClient, DescribeUserPoolClient,
// UpdateUserPoolClient, DeleteUserPoolClient, ListUserPoolClients, over
// admin.Service.
//
// LinkpoolIdTokenOnRefresh is a linkpool extension that Cognito has not:
// whether a refresh returns an ID token (pool.Client.IDTokenOnRefresh).
// Cognito's clients never send it, so a request without it means the
// default, true, on update as on creation, as UpdateUserPoolClient does
// with every setting it leaves out; an Update that should keep it off
// must send it again. Describe, Create and Update always answer it.

type tokenValidityUnitsType struct {
	AccessToken  *string `json:"AccessToken,omitempty"`
	IdToken      *string `json:"IdToken,omitempty"`
	RefreshToken *string `json:"RefreshToken,omitempty"`
}

type refreshTokenRotationType struct {
	Feature                 *string `json:"Feature,omitempty"`
	RetryGracePeriodSeconds *int    `json:"RetryGracePeriodSeconds,omitempty"`
}

// clientSettings are the members of CreateUserPoolClient and
// UpdateUserPoolClient.
type clientSettings struct {
	ClientName                      *string                   `json:"ClientName"`
	RefreshTokenValidity            *int                      `json:"RefreshTokenValidity"`
	AccessTokenValidity             *int                      `json:"AccessTokenValidity"`
	IdTokenValidity                 *int                      `json:"IdTokenValidity"`
	TokenValidityUnits              *tokenValidityUnitsType   `json:"TokenValidityUnits"`
	ReadAttributes                  []string                  `json:"ReadAttributes"`
	WriteAttributes                 []string                  `json:"WriteAttributes"`
	ExplicitAuthFlows               []string                  `json:"ExplicitAuthFlows"`
	SupportedIdentityProviders      []string                  `json:"SupportedIdentityProviders"`
	CallbackURLs                    []string                  `json:"CallbackURLs"`
	LogoutURLs                      []string                  `json:"LogoutURLs"`
	DefaultRedirectURI              *string                   `json:"DefaultRedirectURI"`
	AllowedOAuthFlows               []string                  `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes              []string                  `json:"AllowedOAuthScopes"`
	AllowedOAuthFlowsUserPoolClient *bool                     `json:"AllowedOAuthFlowsUserPoolClient"`
	PreventUserExistenceErrors      *string                   `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation           *bool                     `json:"EnableTokenRevocation"`
	AuthSessionValidity             *int                      `json:"AuthSessionValidity"`
	RefreshTokenRotation            *refreshTokenRotationType `json:"RefreshTokenRotation"`
	LinkpoolIdTokenOnRefresh        *bool                     `json:"LinkpoolIdTokenOnRefresh"`
}

const clientNamePattern = `[\w\s+=,.@-]+`

var clientNameRe = regexp.MustCompile(`^(?:` + clientNamePattern + `)$`)

func (s *clientSettings) check(v *validation, nameRequired bool) {
	v.str("clientName", s.ClientName, nameRequired, 1, 128, clientNamePattern, clientNameRe, false)
	v.enum("preventUserExistenceErrors", s.PreventUserExistenceErrors, pool.ExistenceLegacy, pool.ExistenceEnabled)
	if u := s.TokenValidityUnits; u != nil {
		units := []string{pool.UnitSeconds, pool.UnitMinutes, pool.UnitHours, pool.UnitDays}
		v.enum("tokenValidityUnits.accessToken", u.AccessToken, units...)
		v.enum("tokenValidityUnits.idToken", u.IdToken, units...)
		v.enum("tokenValidityUnits.refreshToken", u.RefreshToken, units...)
	}
	for i := range s.AllowedOAuthFlows {
		v.enum("allowedOAuthFlows."+itoa(i+1)+".member", &s.AllowedOAuthFlows[i], pool.FlowCode, pool.FlowImplicit, pool.FlowClientCredentials)
	}
}

// client returns a client with Cognito's defaults and the settings of
// s: what the request leaves out is the default, on update as on
// creation, as Cognito does.
func (s *clientSettings) client(poolID, name string, now time.Time) pool.Client {
	c := pool.NewClient(poolID, name, now)
	setInt(&c.RefreshTokenValidity, s.RefreshTokenValidity)
	setInt(&c.AccessTokenValidity, s.AccessTokenValidity)
	setInt(&c.IDTokenValidity, s.IdTokenValidity)
	if u := s.TokenValidityUnits; u != nil {
		setStr(&c.TokenValidityUnits.AccessToken, u.AccessToken)
		setStr(&c.TokenValidityUnits.IDToken, u.IdToken)
		setStr(&c.TokenValidityUnits.RefreshToken, u.RefreshToken)
	}
	c.ReadAttributes, c.WriteAttributes = s.ReadAttributes, s.WriteAttributes
	if s.ExplicitAuthFlows != nil {
		c.ExplicitAuthFlows = s.ExplicitAuthFlows
	}
	if s.SupportedIdentityProviders != nil {
		c.SupportedIdentityProviders = s.SupportedIdentityProviders
	}
	c.CallbackURLs, c.LogoutURLs = s.CallbackURLs, s.LogoutURLs
	c.DefaultRedirectURI = deref(s.DefaultRedirectURI)
	c.AllowedOAuthFlows, c.AllowedOAuthScopes = s.AllowedOAuthFlows, s.AllowedOAuthScopes
	setBool(&c.AllowedOAuthFlowsUserPoolClient, s.AllowedOAuthFlowsUserPoolClient)
	setStr(&c.PreventUserExistenceErrors, s.PreventUserExistenceErrors)
	setBool(&c.EnableTokenRevocation, s.EnableTokenRevocation)
	setInt(&c.AuthSessionValidity, s.AuthSessionValidity)
	if r := s.RefreshTokenRotation; r != nil {
		setStr(&c.RefreshTokenRotation.Feature, r.Feature)
		setInt(&c.RefreshTokenRotation.RetryGracePeriodSeconds, r.RetryGracePeriodSeconds)
	}
	setBool(&c.IDTokenOnRefresh, s.LinkpoolIdTokenOnRefresh)
	return c
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// userPoolClientType is Cognito's UserPoolClientType.
type userPoolClientType struct {
	UserPoolId                      string                    `json:"UserPoolId"`
	ClientName                      string                    `json:"ClientName"`
	ClientId                        string                    `json:"ClientId"`
	ClientSecret                    string                    `json:"ClientSecret,omitempty"`
	LastModifiedDate                epoch                     `json:"LastModifiedDate"`
	CreationDate                    epoch                     `json:"CreationDate"`
	RefreshTokenValidity            int                       `json:"RefreshTokenValidity"`
	AccessTokenValidity             int                       `json:"AccessTokenValidity"`
	IdTokenValidity                 int                       `json:"IdTokenValidity"`
	TokenValidityUnits              pool.TokenValidityUnits   `json:"TokenValidityUnits"`
	ReadAttributes                  []string                  `json:"ReadAttributes,omitempty"`
	WriteAttributes                 []string                  `json:"WriteAttributes,omitempty"`
	ExplicitAuthFlows               []string                  `json:"ExplicitAuthFlows,omitempty"`
	SupportedIdentityProviders      []string                  `json:"SupportedIdentityProviders,omitempty"`
	CallbackURLs                    []string                  `json:"CallbackURLs,omitempty"`
	LogoutURLs                      []string                  `json:"LogoutURLs,omitempty"`
	DefaultRedirectURI              string                    `json:"DefaultRedirectURI,omitempty"`
	AllowedOAuthFlows               []string                  `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes              []string                  `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool                      `json:"AllowedOAuthFlowsUserPoolClient"`
	PreventUserExistenceErrors      string                    `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation           bool                      `json:"EnableTokenRevocation"`
	AuthSessionValidity             int                       `json:"AuthSessionValidity"`
	RefreshTokenRotation            pool.RefreshTokenRotation `json:"RefreshTokenRotation"`
	LinkpoolIdTokenOnRefresh        bool                      `json:"LinkpoolIdTokenOnRefresh"`
}

func newUserPoolClientType(c pool.Client, secret string) userPoolClientType {
	return userPoolClientType{
		UserPoolId: c.PoolID, ClientName: c.Name, ClientId: c.ID, ClientSecret: secret,
		LastModifiedDate: epoch(c.UpdatedAt), CreationDate: epoch(c.CreatedAt),
		RefreshTokenValidity: c.RefreshTokenValidity, AccessTokenValidity: c.AccessTokenValidity, IdTokenValidity: c.IDTokenValidity,
		TokenValidityUnits: c.TokenValidityUnits, ReadAttributes: c.ReadAttributes, WriteAttributes: c.WriteAttributes,
		ExplicitAuthFlows: c.ExplicitAuthFlows, SupportedIdentityProviders: c.SupportedIdentityProviders,
		CallbackURLs: c.CallbackURLs, LogoutURLs: c.LogoutURLs, DefaultRedirectURI: c.DefaultRedirectURI,
		AllowedOAuthFlows: c.AllowedOAuthFlows, AllowedOAuthScopes: c.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: c.AllowedOAuthFlowsUserPoolClient, PreventUserExistenceErrors: c.PreventUserExistenceErrors,
		EnableTokenRevocation: c.EnableTokenRevocation, AuthSessionValidity: c.AuthSessionValidity, RefreshTokenRotation: c.RefreshTokenRotation,
		LinkpoolIdTokenOnRefresh: c.IDTokenOnRefresh,
	}
}

type clientOut struct {
	UserPoolClient userPoolClientType `json:"UserPoolClient"`
}

const clientIDPattern = `[\w+]+`

var clientIDRe = regexp.MustCompile(`^(?:` + clientIDPattern + `)$`)

func (v *validation) clientID(s *string) {
	v.str("clientId", s, true, 1, 128, clientIDPattern, clientIDRe, true)
}

func createUserPoolClient(c *call) (any, error) {
	var req struct {
		poolIDRequest
		clientSettings
		GenerateSecret bool `json:"GenerateSecret"`
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { req.check(v, true) })
	if err != nil {
		return nil, err
	}
	cl := req.client(id, *req.ClientName, time.Now())
	cl, secret, err := c.api.cfg.Admin.CreateUserPoolClient(c.ctx, cl, req.GenerateSecret)
	if err != nil {
		return nil, err
	}
	return clientOut{newUserPoolClientType(cl, secret)}, nil
}

// clientRequest is the members of the actions on one client.
type clientRequest struct {
	poolIDRequest
	ClientId *string `json:"ClientId"`
}

// describeUserPoolClient answers the client with its secret, as Cognito
// does.
func describeUserPoolClient(c *call) (any, error) {
	var req clientRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.clientID(req.ClientId) })
	if err != nil {
		return nil, err
	}
	cl, err := c.api.cfg.Admin.DescribeUserPoolClient(c.ctx, id, *req.ClientId)
	if err != nil {
		return nil, err
	}
	return clientAnswer(c, cl)
}

// updateUserPoolClient follows Cognito: every setting the request leaves
// out returns to its default, except the name, which stays when absent.
// The id, pool, secret and creation date stay.
func updateUserPoolClient(c *call) (any, error) {
	var req struct {
		clientRequest
		clientSettings
	}
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) {
		v.clientID(req.ClientId)
		req.check(v, false)
	})
	if err != nil {
		return nil, err
	}
	cl, err := c.api.cfg.Admin.UpdateUserPoolClient(c.ctx, id, *req.ClientId, func(old *pool.Client) {
		name := old.Name
		setStr(&name, req.ClientName)
		*old = req.client(old.PoolID, name, old.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	return clientAnswer(c, cl)
}

func deleteUserPoolClient(c *call) (any, error) {
	var req clientRequest
	id, err := c.onPool(&req, &req.poolIDRequest, func(v *validation) { v.clientID(req.ClientId) })
	if err != nil {
		return nil, err
	}
	return nil, c.api.cfg.Admin.DeleteUserPoolClient(c.ctx, id, *req.ClientId)
}

// userPoolClientDescription is Cognito's UserPoolClientDescription.
type userPoolClientDescription struct {
	ClientId   string `json:"ClientId"`
	UserPoolId string `json:"UserPoolId"`
	ClientName string `json:"ClientName"`
}

func listUserPoolClients(c *call) (any, error) {
	var req struct {
		poolIDRequest
		maxResultsRequest
	}
	id, err := c.onPool(&req, &req.poolIDRequest, req.maxResultsRequest.check)
	if err != nil {
		return nil, err
	}
	cs, next, err := c.api.cfg.Admin.ListUserPoolClients(c.ctx, id, req.size(), deref(req.NextToken))
	if err != nil {
		return nil, err
	}
	out := struct {
		UserPoolClients []userPoolClientDescription `json:"UserPoolClients"`
		NextToken       string                      `json:"NextToken,omitempty"`
	}{UserPoolClients: []userPoolClientDescription{}, NextToken: next}
	for _, cl := range cs {
		out.UserPoolClients = append(out.UserPoolClients, userPoolClientDescription{cl.ID, cl.PoolID, cl.Name})
	}
	return out, nil
}

// clientAnswer is the UserPoolClient answer of Describe and Update: the
// client with its secret, as Cognito returns it.
func clientAnswer(c *call, cl pool.Client) (any, error) {
	secret, err := c.api.cfg.Admin.ClientSecret(cl)
	if err != nil {
		return nil, err
	}
	return clientOut{newUserPoolClientType(cl, secret)}, nil
}
