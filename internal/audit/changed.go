package audit

import (
	"encoding/json"
	"reflect"
	"slices"

	"github.com/linkpool/linkpool/internal/store"
)

// valueFields are the fields whose new values a record carries; any
// other field is named with its value withheld. The rule is an
// allow-list so that a field added later stays secret until it is
// judged not to be: passwords, secrets, sealed material, provider
// details and user attributes are never on it.
var valueFields = map[string]bool{
	// pools
	"Name": true, "PasswordPolicy": true, "LockoutPolicy": true, "UsernameAttributes": true, "AliasAttributes": true,
	"AutoVerifiedAttributes": true, "CaseSensitive": true, "AllowAdminCreateUserOnly": true, "AutoConfirmSignUp": true,
	"SigningAlgorithm": true, "CORSOrigins": true, "MFA": true, "AllowedFirstAuthFactors": true, "LambdaConfig": true,
	"EmailFrom": true, "InviteMessage": true,
	// clients
	"CallbackURLs": true, "LogoutURLs": true, "DefaultRedirectURI": true, "AllowedOAuthFlows": true,
	"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": true, "SupportedIdentityProviders": true,
	"ExplicitAuthFlows": true, "ReadAttributes": true, "WriteAttributes": true, "AccessTokenValidity": true,
	"IDTokenValidity": true, "RefreshTokenValidity": true, "TokenValidityUnits": true, "EnableTokenRevocation": true,
	"PreventUserExistenceErrors": true, "RefreshTokenRotation": true, "AuthSessionValidity": true, "IDTokenOnRefresh": true,
	// groups, domains, identity providers
	"Description": true, "Precedence": true, "RoleArn": true, "Domain": true, "Custom": true,
	"ProviderName": true, "ProviderType": true, "AttributeMapping": true, "IdpIdentifiers": true,
	// users and access keys
	"Enabled": true, "Status": true, "Permanent": true, "Group": true, "Username": true, "MessageAction": true,
	"DesiredDeliveryMediums": true, "email_verified": true, "phone_number_verified": true,
	"PreferredMfa": true, "SoftwareTokenMfa": true, "EmailMfa": true, "AllPools": true, "PoolIDs": true, "ReadOnly": true,
	"ProviderAttributeName": true,
}

// skipFields are bookkeeping, never reported as changed.
var skipFields = map[string]bool{"CreatedAt": true, "UpdatedAt": true, "ID": true, "PoolID": true}

// maxValue caps a recorded value.
const maxValue = 512

// Field is one changed field: its value rendered when name is on the
// allow-list, withheld otherwise.
func Field(name string, v any) store.AuditChange {
	if !valueFields[name] {
		return store.AuditChange{Field: name, Withheld: true}
	}
	return store.AuditChange{Field: name, Value: render(v)}
}

// Fields is Field for each name, in order, with its value in values
// (names without a value are only named).
func Fields(values map[string]any) []store.AuditChange {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]store.AuditChange, 0, len(names))
	for _, n := range names {
		out = append(out, Field(n, values[n]))
	}
	return out
}

// Diff returns the exported top-level fields of two values of one
// struct type that differ (a creation diffs against the zero value), in
// declaration order, with values per the allow-list.
func Diff[T any](before, after T) []store.AuditChange {
	b, a := reflect.ValueOf(before), reflect.ValueOf(after)
	if a.Kind() != reflect.Struct {
		return nil
	}
	var out []store.AuditChange
	for i := range a.NumField() {
		f := a.Type().Field(i)
		if !f.IsExported() || skipFields[f.Name] {
			continue
		}
		if reflect.DeepEqual(b.Field(i).Interface(), a.Field(i).Interface()) {
			continue
		}
		out = append(out, Field(f.Name, a.Field(i).Interface()))
	}
	return out
}

func render(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return clip(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return clip(string(b))
}

func clip(s string) string {
	if len(s) <= maxValue {
		return s
	}
	return s[:maxValue] + "…"
}
