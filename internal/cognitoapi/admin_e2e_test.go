package cognitoapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/cognitoapi"
)

// TestPoolAdministrationWithSDK drives the pool, app-client, domain and
// group actions with the real aws-sdk-go-v2 client, signing with a key of
// the access-key service, over the whole server
// and a real SQLite file, then links an account through the hosted pages
// of the SDK-created pool, with the SDK-created client and its secret,
// for a user the SDK created.
func TestPoolAdministrationWithSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("slow SDK end-to-end test: -short")
	}
	ctx := context.Background()
	e := newEnv(t, realKeys)
	c := e.keySDK(t)

	// Pools.
	cp, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("SDK pool"),
		Policies:               &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10), RequireSymbols: false}},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UsernameConfiguration:  &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		Schema:                 []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := cp.UserPool.Id
	if !strings.HasPrefix(aws.ToString(poolID), "eu-west-1_") || aws.ToString(cp.UserPool.Name) != "SDK pool" || cp.UserPool.CreationDate == nil {
		t.Fatalf("created pool %+v", cp.UserPool)
	}
	dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: poolID})
	if err != nil {
		t.Fatalf("DescribeUserPool: %v", err)
	}
	pp := dp.UserPool.Policies.PasswordPolicy
	if aws.ToInt32(pp.MinimumLength) != 10 || !pp.RequireUppercase || dp.UserPool.UsernameConfiguration == nil ||
		aws.ToBool(dp.UserPool.UsernameConfiguration.CaseSensitive) || !slices.Contains(dp.UserPool.AutoVerifiedAttributes, types.VerifiedAttributeTypeEmail) {
		t.Fatalf("described pool %+v / %+v", dp.UserPool, pp)
	}
	if !slices.ContainsFunc(dp.UserPool.SchemaAttributes, func(a types.SchemaAttributeType) bool { return aws.ToString(a.Name) == "custom:tier" }) {
		t.Fatalf("schema %+v", dp.UserPool.SchemaAttributes)
	}
	if _, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: poolID,
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString}}}); err != nil {
		t.Fatalf("AddCustomAttributes: %v", err)
	}
	for _, name := range []string{"Second", "Third"} {
		if _, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	var pools []string
	for in, n := (cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}), 0; ; n++ {
		if n > 10 {
			t.Fatal("ListUserPools never ends")
		}
		res, err := c.ListUserPools(ctx, &in)
		if err != nil || len(res.UserPools) > 1 {
			t.Fatalf("ListUserPools: %+v %v", res, err)
		}
		for _, p := range res.UserPools {
			pools = append(pools, aws.ToString(p.Id))
		}
		if res.NextToken == nil {
			break
		}
		in.NextToken = res.NextToken
	}
	if len(pools) != 4 || !slices.Contains(pools, aws.ToString(poolID)) || !slices.Contains(pools, e.pool.ID) {
		t.Fatalf("pools by pages of 1: %v", pools)
	}

	// Clients.
	cc, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: poolID, ClientName: aws.String("sdk web"), GenerateSecret: true,
		CallbackURLs: []string{rpCallback}, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"openid", "email"},
		SupportedIdentityProviders: []string{"COGNITO"}, RefreshTokenValidity: 3650,
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	client := cc.UserPoolClient
	secret := aws.ToString(client.ClientSecret)
	if secret == "" || client.RefreshTokenValidity != 3650 || aws.ToString(client.UserPoolId) != aws.ToString(poolID) || client.CreationDate == nil {
		t.Fatalf("created client %+v", client)
	}
	dc, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: poolID, ClientId: client.ClientId})
	if err != nil || aws.ToString(dc.UserPoolClient.ClientSecret) != secret || !slices.Equal(dc.UserPoolClient.CallbackURLs, []string{rpCallback}) {
		t.Fatalf("DescribeUserPoolClient: %+v %v", dc, err)
	}
	if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("public")}); err != nil {
		t.Fatal(err)
	}
	var clients []string
	for in, n := (cip.ListUserPoolClientsInput{UserPoolId: poolID, MaxResults: aws.Int32(1)}), 0; ; n++ {
		if n > 10 {
			t.Fatal("ListUserPoolClients never ends")
		}
		res, err := c.ListUserPoolClients(ctx, &in)
		if err != nil || len(res.UserPoolClients) > 1 {
			t.Fatalf("ListUserPoolClients: %+v %v", res, err)
		}
		for _, cl := range res.UserPoolClients {
			clients = append(clients, aws.ToString(cl.ClientName))
		}
		if res.NextToken == nil {
			break
		}
		in.NextToken = res.NextToken
	}
	if slices.Sort(clients); !slices.Equal(clients, []string{"public", "sdk web"}) {
		t.Fatalf("clients by pages of 1: %v", clients)
	}
	// UpdateUserPoolClient resets what it does not name, as Cognito does;
	// the secret stays.
	uc, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: poolID, ClientId: client.ClientId,
		CallbackURLs: []string{rpCallback}, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"openid", "email", "profile"}, SupportedIdentityProviders: []string{"COGNITO"},
	})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient: %v", err)
	}
	if u := uc.UserPoolClient; u.RefreshTokenValidity != 30 || aws.ToString(u.ClientSecret) != secret || aws.ToString(u.ClientName) != "sdk web" || len(u.AllowedOAuthScopes) != 3 {
		t.Fatalf("updated client %+v", u)
	}

	// Domains.
	cd, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: poolID, Domain: aws.String("sdk-pool")})
	if err != nil || cd.ManagedLoginVersion == nil {
		t.Fatalf("CreateUserPoolDomain: %+v %v", cd, err)
	}
	dd, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("sdk-pool")})
	if err != nil || aws.ToString(dd.DomainDescription.UserPoolId) != aws.ToString(poolID) || dd.DomainDescription.Status != types.DomainStatusTypeActive {
		t.Fatalf("DescribeUserPoolDomain: %+v %v", dd, err)
	}
	if dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: poolID}); err != nil || aws.ToString(dp.UserPool.Domain) != "sdk-pool" {
		t.Fatalf("pool's Domain: %+v %v", dp, err)
	}
	if _, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: poolID, Domain: aws.String("sdk-pool")}); err != nil {
		t.Fatalf("UpdateUserPoolDomain: %v", err)
	}
	if dd, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("nobody-has-this")}); err != nil || dd.DomainDescription == nil || dd.DomainDescription.UserPoolId != nil {
		t.Fatalf("unknown domain: %+v %v", dd, err)
	}

	// Users (the user actions) and groups.
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("zoe"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("zoe@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("zoe"), Password: aws.String("Long-Enough-1!"), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	for i, name := range []string{"admins", "readers", "writers"} {
		if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: poolID, GroupName: aws.String(name), Precedence: aws.Int32(int32(i)), Description: aws.String(name + " group")}); err != nil {
			t.Fatalf("CreateGroup %s: %v", name, err)
		}
	}
	_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: poolID, GroupName: aws.String("admins")})
	var ge *types.GroupExistsException
	if !errors.As(err, &ge) {
		t.Fatalf("duplicate CreateGroup: %v", err)
	}
	var groups []string
	for in, n := (cip.ListGroupsInput{UserPoolId: poolID, Limit: aws.Int32(2)}), 0; ; n++ {
		if n > 10 {
			t.Fatal("ListGroups never ends")
		}
		res, err := c.ListGroups(ctx, &in)
		if err != nil || len(res.Groups) > 2 {
			t.Fatalf("ListGroups: %+v %v", res, err)
		}
		for _, g := range res.Groups {
			groups = append(groups, aws.ToString(g.GroupName))
		}
		if res.NextToken == nil {
			break
		}
		in.NextToken = res.NextToken
	}
	if slices.Sort(groups); !slices.Equal(groups, []string{"admins", "readers", "writers"}) {
		t.Fatalf("groups by pages of 2: %v", groups)
	}
	for _, g := range []string{"admins", "readers"} {
		if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: poolID, Username: aws.String("zoe"), GroupName: aws.String(g)}); err != nil {
			t.Fatalf("AdminAddUserToGroup: %v", err)
		}
	}
	lg, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: poolID, Username: aws.String("zoe")})
	if err != nil || len(lg.Groups) != 2 || aws.ToString(lg.Groups[0].GroupName) != "admins" || lg.NextToken != nil {
		t.Fatalf("AdminListGroupsForUser: %+v %v", lg, err)
	}
	var userGroups []string
	for in, n := (cip.AdminListGroupsForUserInput{UserPoolId: poolID, Username: aws.String("ZOE"), Limit: aws.Int32(1)}), 0; ; n++ {
		if n > 10 {
			t.Fatal("AdminListGroupsForUser never ends")
		}
		res, err := c.AdminListGroupsForUser(ctx, &in)
		if err != nil || len(res.Groups) > 1 {
			t.Fatalf("AdminListGroupsForUser: %+v %v", res, err)
		}
		for _, g := range res.Groups {
			userGroups = append(userGroups, aws.ToString(g.GroupName))
		}
		if res.NextToken == nil {
			break
		}
		in.NextToken = res.NextToken
	}
	if !slices.Equal(userGroups, []string{"admins", "readers"}) {
		t.Fatalf("groups of zoe by pages of 1: %v", userGroups)
	}
	lu, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: poolID, GroupName: aws.String("readers")})
	if err != nil || len(lu.Users) != 1 || aws.ToString(lu.Users[0].Username) != "zoe" {
		t.Fatalf("ListUsersInGroup: %+v %v", lu, err)
	}
	if _, err := c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: poolID, Username: aws.String("zoe"), GroupName: aws.String("readers")}); err != nil {
		t.Fatalf("AdminRemoveUserFromGroup: %v", err)
	}
	if lu, err := c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: poolID, GroupName: aws.String("readers")}); err != nil || len(lu.Users) != 0 {
		t.Fatalf("ListUsersInGroup after removal: %+v %v", lu, err)
	}
	ug, err := c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: poolID, GroupName: aws.String("admins"), Description: aws.String("the admins")})
	if err != nil || aws.ToString(ug.Group.Description) != "the admins" || aws.ToInt32(ug.Group.Precedence) != 0 || ug.Group.Precedence == nil {
		t.Fatalf("UpdateGroup: %+v %v", ug, err)
	}
	gg, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: poolID, GroupName: aws.String("admins")})
	if err != nil || aws.ToString(gg.Group.Description) != "the admins" {
		t.Fatalf("GetGroup: %+v %v", gg, err)
	}

	// UpdateUserPool resets what it does not name: the password policy
	// returns to Cognito's default.
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: poolID, AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}); err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	if dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: poolID}); err != nil || aws.ToInt32(dp.UserPool.Policies.PasswordPolicy.MinimumLength) != 8 {
		t.Fatalf("after UpdateUserPool: %+v %v", dp, err)
	}

	// The account link: the SDK's user, pool, client and secret.
	base := e.srv.URL + "/" + aws.ToString(poolID)
	cfg := oauth2.Config{
		ClientID: aws.ToString(client.ClientId), ClientSecret: secret, RedirectURL: rpCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth2/authorize", TokenURL: base + "/oauth2/token"},
	}
	verifier := oauth2.GenerateVerifier()
	cb := signIn(t, browser(), cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "zoe", "Long-Enough-1!")
	if cb.Query().Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
	tok, err := cfg.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Fatalf("exchange: %v", err)
	}
	bad := cfg
	bad.ClientSecret = e.secret
	cb = signIn(t, browser(), bad.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "zoe", "Long-Enough-1!")
	if _, err := bad.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("exchange with another client's secret succeeded")
	}

	// Deletes.
	var nf *types.ResourceNotFoundException
	if _, err := c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: poolID, GroupName: aws.String("writers")}); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if _, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: poolID, GroupName: aws.String("writers")}); !errors.As(err, &nf) {
		t.Fatalf("GetGroup after delete: %v", err)
	}
	if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: poolID, Domain: aws.String("sdk-pool")}); err != nil {
		t.Fatalf("DeleteUserPoolDomain: %v", err)
	}
	if dd, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("sdk-pool")}); err != nil || dd.DomainDescription.UserPoolId != nil {
		t.Fatalf("domain after delete: %+v %v", dd, err)
	}
	if _, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: poolID, ClientId: client.ClientId}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	if _, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: poolID, ClientId: client.ClientId}); !errors.As(err, &nf) {
		t.Fatalf("DescribeUserPoolClient after delete: %v", err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: poolID}); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	_, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: poolID})
	if !errors.As(err, &nf) || nf.ErrorMessage() != "User pool "+aws.ToString(poolID)+" does not exist." {
		t.Fatalf("DescribeUserPool after delete: %v", err)
	}
}

// adminSnapshot is every pool with its clients (and secrets), domains
// and groups, for checking that a refused call changed nothing.
func (e *env) adminSnapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st := e.app.Store
	pools, err := st.ListPools(ctx, storeAll)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, p := range pools.Items {
		j, _ := json.Marshal(p)
		b.Write(j)
		cs, err := st.ListClients(ctx, p.ID, storeAll)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs.Items {
			j, _ := json.Marshal(c)
			b.Write(j)
			b.Write(c.SealedSecret)
		}
		ds, err := st.ListDomains(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := st.ListGroups(ctx, p.ID, storeAll)
		if err != nil {
			t.Fatal(err)
		}
		j, _ = json.Marshal([]any{ds, gs.Items})
		b.Write(j)
		b.WriteString("\n")
	}
	return b.String() + e.snapshot(t)
}

// TestPoolAdministrationRefused: each new action's errors, with
// Cognito's names and the field named, and nothing changes on a refused
// call.
func TestPoolAdministrationRefused(t *testing.T) {
	e := newEnv(t)
	pid := e.pool.ID
	setup := []struct{ target, body string }{
		{"CreateGroup", `{"UserPoolId":"` + pid + `","GroupName":"admins"}`},
		{"CreateUserPoolDomain", `{"UserPoolId":"` + pid + `","Domain":"taken"}`},
		{"AdminCreateUser", `{"UserPoolId":"` + pid + `","Username":"ann","MessageAction":"SUPPRESS"}`},
	}
	for _, s := range setup {
		if status, _, m := e.raw(t, cognitoapi.TargetPrefix+s.target, keyAdmin, s.body); status != 200 {
			t.Fatalf("%s: %d %v", s.target, status, m)
		}
	}
	missing := "us-east-1_Missing99"
	cid := e.client.ID
	cases := []struct {
		name, target, key, body, typ, msg string
	}{
		{"unknown pool", "DescribeUserPool", keyAdmin, `{"UserPoolId":"` + missing + `"}`, "ResourceNotFoundException", "User pool " + missing + " does not exist."},
		{"update unknown pool", "UpdateUserPool", keyAdmin, `{"UserPoolId":"` + missing + `"}`, "ResourceNotFoundException", "does not exist"},
		{"delete unknown pool", "DeleteUserPool", keyAdmin, `{"UserPoolId":"` + missing + `"}`, "ResourceNotFoundException", "does not exist"},
		{"pool without name", "CreateUserPool", keyAdmin, `{}`, "InvalidParameterException", "'poolName'"},
		{"pool bad password length", "CreateUserPool", keyAdmin, `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":3}}}`, "InvalidParameterException", "PasswordPolicy.MinimumLength"},
		{"pool username and alias", "CreateUserPool", keyAdmin, `{"PoolName":"p","UsernameAttributes":["email"],"AliasAttributes":["email"]}`, "InvalidParameterException", "AliasAttributes"},
		{"list pools without size", "ListUserPools", keyAdmin, `{}`, "InvalidParameterException", "'maxResults'"},
		{"list pools too many", "ListUserPools", keyAdmin, `{"MaxResults":61}`, "InvalidParameterException", "'maxResults'"},
		{"list pools bad token", "ListUserPools", keyAdmin, `{"MaxResults":1,"NextToken":"nonsense"}`, "InvalidParameterException", "NextToken"},
		{"custom attribute taken", "AddCustomAttributes", keyAdmin, `{"UserPoolId":"` + pid + `","CustomAttributes":[{"Name":"a","AttributeDataType":"String"},{"Name":"a","AttributeDataType":"String"}]}`, "InvalidParameterException", "Schema"},
		{"mfa on without a factor", "CreateUserPool", keyAdmin, `{"PoolName":"p","MfaConfiguration":"ON"}`, "InvalidParameterException", "needs a factor"},
		{"mfa bad mode", "CreateUserPool", keyAdmin, `{"PoolName":"p","MfaConfiguration":"SOMETIMES"}`, "InvalidParameterException", "'mfaConfiguration'"},
		{"first factors without password", "CreateUserPool", keyAdmin, `{"PoolName":"p","Policies":{"SignInPolicy":{"AllowedFirstAuthFactors":["WEB_AUTHN"]}}}`, "InvalidParameterException", "must include PASSWORD"},
		{"first factor sms", "CreateUserPool", keyAdmin, `{"PoolName":"p","Policies":{"SignInPolicy":{"AllowedFirstAuthFactors":["PASSWORD","SMS_OTP"]}}}`, "InvalidParameterException", "SMS_OTP is not supported"},
		{"update pool bad policy", "UpdateUserPool", keyAdmin, `{"UserPoolId":"` + pid + `","Policies":{"PasswordPolicy":{"MinimumLength":100}}}`, "InvalidParameterException", "PasswordPolicy.MinimumLength"},
		{"client without name", "CreateUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `"}`, "InvalidParameterException", "'clientName'"},
		{"client code without callback", "CreateUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientName":"c","AllowedOAuthFlows":["code"],"AllowedOAuthFlowsUserPoolClient":true}`, "InvalidParameterException", "CallbackURLs"},
		{"client bad flow", "CreateUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientName":"c","AllowedOAuthFlows":["password"]}`, "InvalidParameterException", "'allowedOAuthFlows.1.member'"},
		{"client in unknown pool", "CreateUserPoolClient", keyAdmin, `{"UserPoolId":"` + missing + `","ClientName":"c"}`, "ResourceNotFoundException", "User pool " + missing + " does not exist."},
		{"unknown client", "DescribeUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientId":"abcdefghijklmnopqrstuvwxyz"}`, "ResourceNotFoundException", "User pool client abcdefghijklmnopqrstuvwxyz does not exist."},
		{"client without id", "DescribeUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `"}`, "InvalidParameterException", "'clientId'"},
		{"update client invalid", "UpdateUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientId":"` + cid + `","AllowedOAuthFlows":["code"]}`, "InvalidParameterException", "AllowedOAuthFlowsUserPoolClient"},
		{"update unknown client", "UpdateUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientId":"abcdefghijklmnopqrstuvwxyz"}`, "ResourceNotFoundException", "does not exist"},
		{"delete unknown client", "DeleteUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientId":"abcdefghijklmnopqrstuvwxyz"}`, "ResourceNotFoundException", "does not exist"},
		{"list clients too many", "ListUserPoolClients", keyAdmin, `{"UserPoolId":"` + pid + `","MaxResults":0}`, "InvalidParameterException", "'maxResults'"},
		{"domain taken", "CreateUserPoolDomain", keyAdmin, `{"UserPoolId":"` + pid + `","Domain":"taken"}`, "InvalidParameterException", "Domain already associated with another user pool."},
		{"domain bad prefix", "CreateUserPoolDomain", keyAdmin, `{"UserPoolId":"` + pid + `","Domain":"my-cognito"}`, "InvalidParameterException", "Domain"},
		{"domain pattern", "CreateUserPoolDomain", keyAdmin, `{"UserPoolId":"` + pid + `","Domain":"Upper"}`, "InvalidParameterException", "'domain'"},
		{"domain unknown pool", "CreateUserPoolDomain", keyAdmin, `{"UserPoolId":"` + missing + `","Domain":"fresh"}`, "ResourceNotFoundException", "does not exist"},
		{"delete unknown domain", "DeleteUserPoolDomain", keyAdmin, `{"UserPoolId":"` + pid + `","Domain":"nope"}`, "InvalidParameterException", "No such domain or user pool exists."},
		{"update unknown domain", "UpdateUserPoolDomain", keyAdmin, `{"UserPoolId":"` + pid + `","Domain":"nope"}`, "ResourceNotFoundException", "nope"},
		{"describe domain without name", "DescribeUserPoolDomain", keyAdmin, `{}`, "InvalidParameterException", "'domain'"},
		{"group exists", "CreateGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"admins"}`, "GroupExistsException", "A group with the name admins already exists."},
		{"group without name", "CreateGroup", keyAdmin, `{"UserPoolId":"` + pid + `"}`, "InvalidParameterException", "'groupName'"},
		{"group negative precedence", "CreateGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"g","Precedence":-1}`, "InvalidParameterException", "'precedence'"},
		{"group in unknown pool", "CreateGroup", keyAdmin, `{"UserPoolId":"` + missing + `","GroupName":"g"}`, "ResourceNotFoundException", "User pool " + missing + " does not exist."},
		{"unknown group", "GetGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"nope"}`, "ResourceNotFoundException", "Group not found."},
		{"update unknown group", "UpdateGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"nope","Description":"x"}`, "ResourceNotFoundException", "Group not found."},
		{"update group bad arn", "UpdateGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"admins","RoleArn":"not-an-arn-but-long-enough"}`, "InvalidParameterException", "RoleArn"},
		{"delete unknown group", "DeleteGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"nope"}`, "ResourceNotFoundException", "Group not found."},
		{"list groups too many", "ListGroups", keyAdmin, `{"UserPoolId":"` + pid + `","Limit":61}`, "InvalidParameterException", "'limit'"},
		{"add unknown user", "AdminAddUserToGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"admins","Username":"nobody"}`, "UserNotFoundException", "User does not exist."},
		{"add to unknown group", "AdminAddUserToGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"nope","Username":"ann"}`, "ResourceNotFoundException", "Group not found."},
		{"remove without user", "AdminRemoveUserFromGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"admins"}`, "InvalidParameterException", "'username'"},
		{"groups bad token", "AdminListGroupsForUser", keyAdmin, `{"UserPoolId":"` + pid + `","Username":"ann","NextToken":"x"}`, "InvalidParameterException", "NextToken"},
		{"groups of unknown user", "AdminListGroupsForUser", keyAdmin, `{"UserPoolId":"` + pid + `","Username":"nobody"}`, "UserNotFoundException", "User does not exist."},
		{"users of unknown group", "ListUsersInGroup", keyAdmin, `{"UserPoolId":"` + pid + `","GroupName":"nope"}`, "ResourceNotFoundException", "Group not found."},
		// A read-only key may not write.
		{"read-only create pool", "CreateUserPool", keyReadOnly, `{"PoolName":"p"}`, "AccessDeniedException", ""},
		{"read-only update pool", "UpdateUserPool", keyReadOnly, `{"UserPoolId":"` + pid + `"}`, "AccessDeniedException", ""},
		{"read-only delete pool", "DeleteUserPool", keyReadOnly, `{"UserPoolId":"` + pid + `"}`, "AccessDeniedException", ""},
		{"read-only custom attributes", "AddCustomAttributes", keyReadOnly, `{"UserPoolId":"` + pid + `","CustomAttributes":[{"Name":"x"}]}`, "AccessDeniedException", ""},
		{"read-only create client", "CreateUserPoolClient", keyReadOnly, `{"UserPoolId":"` + pid + `","ClientName":"c"}`, "AccessDeniedException", ""},
		{"read-only update client", "UpdateUserPoolClient", keyReadOnly, `{"UserPoolId":"` + pid + `","ClientId":"` + cid + `"}`, "AccessDeniedException", ""},
		{"read-only delete client", "DeleteUserPoolClient", keyReadOnly, `{"UserPoolId":"` + pid + `","ClientId":"` + cid + `"}`, "AccessDeniedException", ""},
		{"read-only create domain", "CreateUserPoolDomain", keyReadOnly, `{"UserPoolId":"` + pid + `","Domain":"fresh"}`, "AccessDeniedException", ""},
		{"read-only delete domain", "DeleteUserPoolDomain", keyReadOnly, `{"UserPoolId":"` + pid + `","Domain":"taken"}`, "AccessDeniedException", ""},
		{"read-only create group", "CreateGroup", keyReadOnly, `{"UserPoolId":"` + pid + `","GroupName":"g"}`, "AccessDeniedException", ""},
		{"read-only update group", "UpdateGroup", keyReadOnly, `{"UserPoolId":"` + pid + `","GroupName":"admins","Description":"x"}`, "AccessDeniedException", ""},
		{"read-only delete group", "DeleteGroup", keyReadOnly, `{"UserPoolId":"` + pid + `","GroupName":"admins"}`, "AccessDeniedException", ""},
		{"read-only add to group", "AdminAddUserToGroup", keyReadOnly, `{"UserPoolId":"` + pid + `","GroupName":"admins","Username":"ann"}`, "AccessDeniedException", ""},
		// A key limited to another pool may not touch this one, nor
		// the actions on no pool.
		{"other pool describe", "DescribeUserPool", keyOther, `{"UserPoolId":"` + pid + `"}`, "AccessDeniedException", ""},
		{"other pool delete", "DeleteUserPool", keyOther, `{"UserPoolId":"` + pid + `"}`, "AccessDeniedException", ""},
		{"other pool create pool", "CreateUserPool", keyOther, `{"PoolName":"p"}`, "AccessDeniedException", ""},
		{"other pool list pools", "ListUserPools", keyOther, `{"MaxResults":10}`, "AccessDeniedException", ""},
		{"other pool client", "DescribeUserPoolClient", keyOther, `{"UserPoolId":"` + pid + `","ClientId":"` + cid + `"}`, "AccessDeniedException", ""},
		{"other pool update client", "UpdateUserPoolClient", keyOther, `{"UserPoolId":"` + pid + `","ClientId":"` + cid + `"}`, "AccessDeniedException", ""},
		{"other pool domain", "DescribeUserPoolDomain", keyOther, `{"Domain":"taken"}`, "AccessDeniedException", ""},
		{"other pool delete domain", "DeleteUserPoolDomain", keyOther, `{"UserPoolId":"` + pid + `","Domain":"taken"}`, "AccessDeniedException", ""},
		{"other pool group", "CreateGroup", keyOther, `{"UserPoolId":"` + pid + `","GroupName":"g"}`, "AccessDeniedException", ""},
		{"other pool membership", "AdminAddUserToGroup", keyOther, `{"UserPoolId":"` + pid + `","GroupName":"admins","Username":"ann"}`, "AccessDeniedException", ""},
		// Not signed at all.
		{"unsigned", "ListUserPools", "", `{"MaxResults":10}`, "MissingAuthenticationTokenException", ""},
	}
	before := e.adminSnapshot(t)
	for _, tc := range cases {
		status, h, m := e.raw(t, cognitoapi.TargetPrefix+tc.target, tc.key, tc.body)
		msg, _ := m["message"].(string)
		if status != 400 && status != 403 || m["__type"] != tc.typ || h.Get("x-amzn-ErrorType") != tc.typ || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %v, want %s %q", tc.name, status, m, tc.typ, tc.msg)
		}
		if after := e.adminSnapshot(t); after != before {
			t.Fatalf("%s: the refused call changed the store", tc.name)
		}
	}
}
