package cognitoapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/linkpool/linkpool/internal/accesskey"
	"github.com/linkpool/linkpool/internal/app"
	"github.com/linkpool/linkpool/internal/cognitoapi"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

const corpSecret = "corp-upstream-client-secret"

func corpDetails() map[string]string {
	return map[string]string{"client_id": "linkpool", "client_secret": corpSecret, "authorize_scopes": "openid email",
		"oidc_issuer": "https://idp.example.com", "attributes_request_method": "GET"}
}

// apiCode is the AWS error code of err ("" for none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestIdentityProvidersWithSDK drives the identity-provider actions and
// the linking of a provider identity to a user with aws-sdk-go-v2.
func TestIdentityProvidersWithSDK(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	api := e.sdk(keyAdmin)
	pid := aws.String(e.pool.ID)

	created, err := api.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: pid, ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: corpDetails(), IdpIdentifiers: []string{"corp.example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ip := created.IdentityProvider
	if aws.ToString(ip.ProviderName) != "Corp" || ip.ProviderType != types.IdentityProviderTypeTypeOidc ||
		!maps.Equal(ip.ProviderDetails, corpDetails()) || ip.AttributeMapping["username"] != "sub" || ip.CreationDate == nil {
		t.Fatalf("created %+v", ip)
	}
	if _, err := api.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: pid, ProviderName: aws.String("LoginWithAmazon"), ProviderType: types.IdentityProviderTypeTypeLoginWithAmazon,
		ProviderDetails:  map[string]string{"client_id": "amzn1.application-oa2-client.x", "client_secret": "lwa", "authorize_scopes": "profile"},
		AttributeMapping: map[string]string{"email": "email", "username": "user_id"},
	}); err != nil {
		t.Fatal(err)
	}

	desc, err := api.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")})
	if err != nil || desc.IdentityProvider.ProviderDetails["client_secret"] != corpSecret {
		t.Fatalf("describe: %v %+v", err, desc)
	}
	byID, err := api.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pid, IdpIdentifier: aws.String("corp.example.com")})
	if err != nil || aws.ToString(byID.IdentityProvider.ProviderName) != "Corp" {
		t.Fatalf("by identifier: %v %+v", err, byID)
	}

	// Listing, one by one.
	var names []string
	var next *string
	for {
		page, err := api.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: pid, MaxResults: aws.Int32(1), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Providers {
			names = append(names, aws.ToString(p.ProviderName)+":"+string(p.ProviderType))
		}
		if page.NextToken == nil {
			break
		}
		next = page.NextToken
	}
	if strings.Join(names, ",") != "Corp:OIDC,LoginWithAmazon:LoginWithAmazon" {
		t.Fatalf("listed %v", names)
	}

	// Update without the secret keeps it.
	upd, err := api.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp"),
		ProviderDetails:  map[string]string{"client_id": "linkpool2", "authorize_scopes": "openid", "oidc_issuer": "https://idp.example.com"},
		AttributeMapping: map[string]string{"username": "sub", "email": "email"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := upd.IdentityProvider.ProviderDetails; d["client_id"] != "linkpool2" || d["client_secret"] != corpSecret || d["attributes_request_method"] != "" {
		t.Fatalf("updated details %v", d)
	}
	if ids := upd.IdentityProvider.IdpIdentifiers; len(ids) != 1 || ids[0] != "corp.example.com" {
		t.Fatalf("identifiers not sent changed: %v", ids)
	}

	// A client may list the pool's providers, not others.
	client, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("fed"),
		SupportedIdentityProviders: []string{"COGNITO", "Corp", "LoginWithAmazon"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pid, ClientName: aws.String("bad"),
		SupportedIdentityProviders: []string{"COGNITO", "Nope"}})
	if apiCode(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "The provider Nope does not exist for User Pool "+e.pool.ID+".") {
		t.Fatalf("client listing an unknown provider: %v", err)
	}

	// Link a provider identity to a user; the user shows it.
	if _, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pid, Username: aws.String("ann"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: pid,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("ann")},
		SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Corp"), ProviderAttributeName: aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String("corp-sub-ann")}}); err != nil {
		t.Fatal(err)
	}
	_, err = api.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: pid,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("ann")},
		SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Corp"), ProviderAttributeName: aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String("corp-sub-ann")}})
	if apiCode(err) != "AliasExistsException" {
		t.Fatalf("linking again: %v", err)
	}
	got, err := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pid, Username: aws.String("ann")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []pool.Identity
	for _, a := range got.UserAttributes {
		if aws.ToString(a.Name) == "identities" {
			if err := json.Unmarshal([]byte(aws.ToString(a.Value)), &ids); err != nil {
				t.Fatalf("identities %q: %v", aws.ToString(a.Value), err)
			}
		}
	}
	if len(ids) != 1 || ids[0].UserID != "corp-sub-ann" || ids[0].ProviderName != "Corp" || ids[0].ProviderType != "OIDC" || ids[0].Primary != "false" {
		t.Fatalf("identities attribute %+v", ids)
	}
	list, err := api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pid})
	if err != nil {
		t.Fatal(err)
	}
	shown := false
	for _, u := range list.Users {
		for _, a := range u.Attributes {
			shown = shown || (aws.ToString(u.Username) == "ann" && aws.ToString(a.Name) == "identities")
		}
	}
	if !shown {
		t.Fatal("ListUsers does not show ann's identities")
	}

	// Unlink.
	if _, err := api.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: pid,
		User: &types.ProviderUserIdentifierType{ProviderName: aws.String("Corp"), ProviderAttributeName: aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String("corp-sub-ann")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Store.GetUserByIdentity(ctx, e.pool.ID, "Corp", "corp-sub-ann"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("identity after unlink: %v", err)
	}

	// Deleting a provider a client lists is refused; then allowed.
	_, err = api.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")})
	if apiCode(err) != "InvalidParameterException" || !strings.Contains(err.Error(), aws.ToString(client.UserPoolClient.ClientId)) {
		t.Fatalf("delete listed provider: %v", err)
	}
	if _, err := api.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pid, ClientId: client.UserPoolClient.ClientId,
		SupportedIdentityProviders: []string{"COGNITO"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")}); err != nil {
		t.Fatal(err)
	}
	_, err = api.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("describe deleted: %v", err)
	}
}

// providersSnapshot renders the pool's stored providers, for checking
// that a refused call changed nothing.
func (e *env) providersSnapshot(t *testing.T) string {
	t.Helper()
	page, err := e.app.Store.ListIdentityProviders(context.Background(), e.pool.ID, store.ListOptions{Limit: 60})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(page.Items)
	return string(b)
}

func TestIdentityProvidersRefused(t *testing.T) {
	e := newEnv(t)
	pid := e.pool.ID
	corp, _ := json.Marshal(corpDetails())
	setup := []struct{ target, body string }{
		{"CreateIdentityProvider", `{"UserPoolId":"` + pid + `","ProviderName":"Corp","ProviderType":"OIDC","ProviderDetails":` + string(corp) + `,"IdpIdentifiers":["corp.example.com"]}`},
		{"AdminCreateUser", `{"UserPoolId":"` + pid + `","Username":"ann","MessageAction":"SUPPRESS"}`},
	}
	for _, s := range setup {
		if status, _, m := e.raw(t, cognitoapi.TargetPrefix+s.target, keyAdmin, s.body); status != 200 {
			t.Fatalf("%s: %d %v", s.target, status, m)
		}
	}
	missing := "us-east-1_Missing99"
	link := func(dest, src string) string {
		return `{"UserPoolId":"` + pid + `","DestinationUser":` + dest + `,"SourceUser":` + src + `}`
	}
	ann := `{"ProviderName":"Cognito","ProviderAttributeValue":"ann"}`
	cases := []struct {
		name, target, key, body, typ, msg string
	}{
		{"duplicate", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Corp","ProviderType":"OIDC","ProviderDetails":` + string(corp) + `}`, "DuplicateProviderException", "A provider with the name Corp already exists in this user pool."},
		{"identifier taken", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Corp2","ProviderType":"OIDC","ProviderDetails":` + string(corp) + `,"IdpIdentifiers":["corp.example.com"]}`, "InvalidParameterException", "corp.example.com"},
		{"no details", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Xyz","ProviderType":"OIDC"}`, "InvalidParameterException", "'providerDetails'"},
		{"missing issuer", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Xyz","ProviderType":"OIDC","ProviderDetails":{"client_id":"c","authorize_scopes":"openid"}}`, "InvalidParameterException", "oidc_issuer"},
		{"bad type", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Xyz","ProviderType":"Twitter","ProviderDetails":{}}`, "InvalidParameterException", "ProviderType"},
		{"google named otherwise", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Goog","ProviderType":"Google","ProviderDetails":{"client_id":"c","client_secret":"s","authorize_scopes":"openid"}}`, "InvalidParameterException", "ProviderName"},
		{"apple bad key", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"SignInWithApple","ProviderType":"SignInWithApple","ProviderDetails":{"client_id":"c","team_id":"t","key_id":"k","private_key":"nope","authorize_scopes":"email"}}`, "InvalidParameterException", "private_key"},
		{"name pattern", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"_x","ProviderType":"OIDC","ProviderDetails":{}}`, "InvalidParameterException", "'providerName'"},
		{"unknown pool", "CreateIdentityProvider", keyAdmin, `{"UserPoolId":"` + missing + `","ProviderName":"Corp","ProviderType":"OIDC","ProviderDetails":` + string(corp) + `}`, "ResourceNotFoundException", "User pool " + missing + " does not exist."},
		{"describe unknown", "DescribeIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Nope"}`, "ResourceNotFoundException", "Identity provider Nope does not exist."},
		{"update unknown", "UpdateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Nope"}`, "ResourceNotFoundException", "Identity provider Nope does not exist."},
		{"update invalid", "UpdateIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Corp","ProviderDetails":{"client_id":"c"}}`, "InvalidParameterException", "authorize_scopes"},
		{"delete unknown", "DeleteIdentityProvider", keyAdmin, `{"UserPoolId":"` + pid + `","ProviderName":"Nope"}`, "ResourceNotFoundException", "Identity provider Nope does not exist."},
		{"unknown identifier", "GetIdentityProviderByIdentifier", keyAdmin, `{"UserPoolId":"` + pid + `","IdpIdentifier":"nobody.example.com"}`, "ResourceNotFoundException", "nobody.example.com"},
		{"list too many", "ListIdentityProviders", keyAdmin, `{"UserPoolId":"` + pid + `","MaxResults":61}`, "InvalidParameterException", "'maxResults'"},
		{"list bad token", "ListIdentityProviders", keyAdmin, `{"UserPoolId":"` + pid + `","NextToken":"x"}`, "InvalidParameterException", "NextToken"},
		{"client unknown provider", "CreateUserPoolClient", keyAdmin, `{"UserPoolId":"` + pid + `","ClientName":"c","SupportedIdentityProviders":["Nope"]}`, "InvalidParameterException", "The provider Nope does not exist for User Pool " + pid + "."},
		{"link unknown provider", "AdminLinkProviderForUser", keyAdmin, link(ann, `{"ProviderName":"Nope","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"s"}`), "ResourceNotFoundException", "Nope"},
		{"link unknown user", "AdminLinkProviderForUser", keyAdmin, link(`{"ProviderName":"Cognito","ProviderAttributeValue":"nobody"}`, `{"ProviderName":"Corp","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"s"}`), "UserNotFoundException", "User does not exist."},
		{"link native source", "AdminLinkProviderForUser", keyAdmin, link(ann, `{"ProviderName":"Cognito","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"ann"}`), "InvalidParameterException", "Cognito"},
		{"link without source", "AdminLinkProviderForUser", keyAdmin, `{"UserPoolId":"` + pid + `","DestinationUser":` + ann + `}`, "InvalidParameterException", "'sourceUser'"},
		{"unlink unknown identity", "AdminDisableProviderForUser", keyAdmin, `{"UserPoolId":"` + pid + `","User":{"ProviderName":"Corp","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"nobody"}}`, "UserNotFoundException", "User does not exist."},
		// A read-only key may not write.
		{"read-only create", "CreateIdentityProvider", keyReadOnly, `{"UserPoolId":"` + pid + `","ProviderName":"Xyz","ProviderType":"OIDC","ProviderDetails":` + string(corp) + `}`, "AccessDeniedException", ""},
		{"read-only update", "UpdateIdentityProvider", keyReadOnly, `{"UserPoolId":"` + pid + `","ProviderName":"Corp"}`, "AccessDeniedException", ""},
		{"read-only delete", "DeleteIdentityProvider", keyReadOnly, `{"UserPoolId":"` + pid + `","ProviderName":"Corp"}`, "AccessDeniedException", ""},
		{"read-only link", "AdminLinkProviderForUser", keyReadOnly, link(ann, `{"ProviderName":"Corp","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"s"}`), "AccessDeniedException", ""},
		{"read-only unlink", "AdminDisableProviderForUser", keyReadOnly, `{"UserPoolId":"` + pid + `","User":{"ProviderName":"Corp","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"s"}}`, "AccessDeniedException", ""},
		{"other pool's key", "DescribeIdentityProvider", keyOther, `{"UserPoolId":"` + pid + `","ProviderName":"Corp"}`, "AccessDeniedException", ""},
	}
	users, providers := e.snapshot(t), e.providersSnapshot(t)
	for _, c := range cases {
		status, hdr, m := e.raw(t, cognitoapi.TargetPrefix+c.target, c.key, c.body)
		if status != 400 || m["__type"] != c.typ || hdr.Get("x-amzn-ErrorType") != c.typ {
			t.Errorf("%s: %d %v, want 400 %s", c.name, status, m, c.typ)
			continue
		}
		if msg, _ := m["message"].(string); !strings.Contains(msg, c.msg) {
			t.Errorf("%s: message %q, want it to contain %q", c.name, msg, c.msg)
		}
	}
	if e.snapshot(t) != users || e.providersSnapshot(t) != providers {
		t.Fatal("a refused call changed the store")
	}
	// The read-only key reads.
	if status, _, m := e.raw(t, cognitoapi.TargetPrefix+"DescribeIdentityProvider", keyReadOnly, `{"UserPoolId":"`+pid+`","ProviderName":"Corp"}`); status != 200 {
		t.Fatalf("read-only describe: %d %v", status, m)
	}
}

// TestAccessKeysIdentityProviders: with the server's own SigV4
// authenticator, a read-only access key reads providers and may not
// create, change or delete them.
func TestAccessKeysIdentityProviders(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, realKeys)
	admin := e.keySDK(t)
	k, secret, err := e.app.AccessKeys.Create(ctx, accesskey.CreateInput{Description: "read only", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro := cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(e.srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(k.ID, secret, "")})
	pid := aws.String(e.pool.ID)
	in := &cip.CreateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp"),
		ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: corpDetails()}
	if _, err := ro.CreateIdentityProvider(ctx, in); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("read-only create: %v", err)
	}
	if _, err := admin.CreateIdentityProvider(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")}); err != nil {
		t.Fatalf("read-only describe: %v", err)
	}
	if _, err := ro.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")}); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("read-only delete: %v", err)
	}
	if _, err := ro.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: pid, ProviderName: aws.String("Corp")}); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("read-only update: %v", err)
	}
}

// TestAWSCLIIdentityProviders creates and lists providers with the AWS
// CLI, unchanged but for --endpoint-url.
func TestAWSCLIIdentityProviders(t *testing.T) {
	if testing.Short() {
		t.Skip("AWS CLI end-to-end test: -short")
	}
	ctx := context.Background()
	e := newEnv(t, func(c *app.Config) { c.APIAuthenticate = nil })
	k, secret, err := e.app.AccessKeys.Create(ctx, accesskey.CreateInput{Description: "aws cli"})
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, stderr, ok := awsCLI(t, e, k.ID, secret, args...)
		if !ok {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), stderr)
		}
		return out
	}
	var created struct {
		IdentityProvider struct {
			ProviderName, ProviderType string
			ProviderDetails            map[string]string
		}
	}
	if err := json.Unmarshal([]byte(run("create-identity-provider", "--user-pool-id", e.pool.ID, "--provider-name", "Corp",
		"--provider-type", "OIDC", "--provider-details",
		"client_id=linkpool,client_secret="+corpSecret+",authorize_scopes=openid,oidc_issuer=https://idp.example.com",
		"--attribute-mapping", "email=email,username=sub")), &created); err != nil {
		t.Fatal(err)
	}
	if created.IdentityProvider.ProviderName != "Corp" || created.IdentityProvider.ProviderDetails["client_secret"] != corpSecret {
		t.Fatalf("create-identity-provider: %+v", created)
	}
	var list struct {
		Providers []struct{ ProviderName, ProviderType string }
	}
	if err := json.Unmarshal([]byte(run("list-identity-providers", "--user-pool-id", e.pool.ID)), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Providers) != 1 || list.Providers[0].ProviderName != "Corp" || list.Providers[0].ProviderType != "OIDC" {
		t.Fatalf("list-identity-providers: %+v", list)
	}
	if _, stderr, ok := awsCLI(t, e, k.ID, secret, "create-identity-provider", "--user-pool-id", e.pool.ID, "--provider-name", "Corp",
		"--provider-type", "OIDC", "--provider-details", "client_id=x,authorize_scopes=openid,oidc_issuer=https://idp.example.com"); ok || !strings.Contains(stderr, "DuplicateProviderException") {
		t.Fatalf("duplicate: ok=%v %s", ok, stderr)
	}
}
