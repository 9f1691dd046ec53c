package pool

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Identity provider types (Cognito IdentityProviderTypeType).
const (
	ProviderLoginWithAmazon = "LoginWithAmazon"
	ProviderGoogle          = "Google"
	ProviderSignInWithApple = "SignInWithApple"
	ProviderFacebook        = "Facebook"
	ProviderOIDC            = "OIDC"
	ProviderSAML            = "SAML"
)

// ProviderTypes lists the provider types a pool can federate with.
var ProviderTypes = []string{
	ProviderLoginWithAmazon, ProviderGoogle, ProviderSignInWithApple, ProviderFacebook, ProviderOIDC, ProviderSAML,
}

// StatusExternalProvider is the status of a user created by a sign-in
// through an identity provider. Such a user has no password.
const StatusExternalProvider = "EXTERNAL_PROVIDER"

// ProviderDetails keys, Cognito's spelling. Which apply depends on the
// provider type (see IdentityProvider.Validate).
const (
	DetailClientID                = "client_id"
	DetailClientSecret            = "client_secret"
	DetailAuthorizeScopes         = "authorize_scopes"
	DetailAttributesRequestMethod = "attributes_request_method"
	DetailOIDCIssuer              = "oidc_issuer"
	DetailAuthorizeURL            = "authorize_url"
	DetailTokenURL                = "token_url"
	DetailAttributesURL           = "attributes_url"
	DetailJWKSURI                 = "jwks_uri"
	DetailAPIVersion              = "api_version"
	DetailTeamID                  = "team_id"
	DetailKeyID                   = "key_id"
	DetailPrivateKey              = "private_key"
	DetailMetadataURL             = "MetadataURL"
	DetailMetadataFile            = "MetadataFile"
	DetailIDPSignout              = "IDPSignout"
	DetailIDPInit                 = "IDPInit"
	DetailEncryptedResponses      = "EncryptedResponses"
	DetailRequestSigningAlgorithm = "RequestSigningAlgorithm"
)

// SecretDetails are the ProviderDetails keys whose values are secrets:
// they are sealed at rest (IdentityProvider.SealedSecrets) and never kept
// in ProviderDetails in storage.
var SecretDetails = []string{DetailClientSecret, DetailPrivateKey}

// SubjectAttribute is the name AdminLinkProviderForUser uses for the
// provider's own unique identifier of the user (ProviderAttributeName).
const SubjectAttribute = "Cognito_Subject"

// Limits of Cognito's CreateIdentityProvider.
const (
	MaxProviderNameLen   = 32
	MaxIdpIdentifiers    = 50
	MaxIdpIdentifierLen  = 40
	MaxProviderDetailLen = 131072
)

var (
	providerNamePattern  = regexp.MustCompile(`^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]*$`)
	idpIdentifierPattern = regexp.MustCompile(`^[\w\s+=.@-]+$`)
)

// IdentityProvider is an identity provider of a pool: Cognito's
// IdentityProviderType. ProviderDetails holds the non-secret details;
// the secret ones (SecretDetails) are sealed together in SealedSecrets
// with the master key, bound to the pool and provider name
// (SecretsAAD), by internal/admin.
type IdentityProvider struct {
	PoolID           string            `json:"UserPoolId"`
	ProviderName     string            `json:"ProviderName"`
	ProviderType     string            `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers"`

	// SealedSecrets is the JSON object of the secret details, sealed.
	SealedSecrets []byte `json:"-"`

	CreatedAt time.Time `json:"CreationDate"`
	UpdatedAt time.Time `json:"LastModifiedDate"`
}

// SecretsAAD binds the sealed secrets to their pool and provider.
func (p *IdentityProvider) SecretsAAD() []byte {
	return []byte("idp-secrets/" + p.PoolID + "/" + p.ProviderName)
}

// IsSocial reports whether the provider is one of the named social
// providers, whose ProviderName must equal its type.
func IsSocial(providerType string) bool {
	switch providerType {
	case ProviderLoginWithAmazon, ProviderGoogle, ProviderSignInWithApple, ProviderFacebook:
		return true
	}
	return false
}

// SubjectClaim is the provider attribute that identifies a user uniquely
// for the provider type, what Cognito_Subject stands for: Facebook's id,
// Login with Amazon's user_id, the sub claim of Google, Apple and OIDC
// providers, and a SAML assertion's NameID (SAMLNameID).
func SubjectClaim(providerType string) string {
	switch providerType {
	case ProviderFacebook:
		return "id"
	case ProviderLoginWithAmazon:
		return "user_id"
	case ProviderSAML:
		return SAMLNameID
	}
	return "sub"
}

// MaxSubjectLen bounds a provider's identifier of a user (the subject,
// Identity.UserID), in bytes: Cognito's usernames are at most 128
// characters, and a longer value exceeds the stores' index key limits.
const MaxSubjectLen = 128

// ValidateSubject checks a provider's identifier of a user: 1 to
// MaxSubjectLen bytes of UTF-8 without control characters.
func ValidateSubject(s string) error {
	if s == "" || len(s) > MaxSubjectLen {
		return invalid("subject", "must be 1-%d bytes", MaxSubjectLen)
	}
	if !utf8.ValidString(s) {
		return invalid("subject", "must be UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid("subject", "must not contain control characters")
		}
	}
	return nil
}

// SAMLNameID names a SAML assertion's subject NameID in AttributeMapping,
// as Cognito's console does.
const SAMLNameID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"

// DefaultAttributeMapping is the mapping Cognito gives a new provider
// when none is set: the user pool's "username" from the provider's
// subject.
func DefaultAttributeMapping(providerType string) map[string]string {
	return map[string]string{"username": SubjectClaim(providerType)}
}

// FederatedUsername is the username of a user created by a first sign-in
// through the provider: "<ProviderName>_<subject>".
func FederatedUsername(providerName, subject string) string {
	return providerName + "_" + subject
}

// Validate checks the provider's name, type, details, mapping and
// identifiers against Cognito's rules. Secret details are checked by
// ValidateDetails before they are sealed.
func (p *IdentityProvider) Validate() error {
	if utf8.RuneCountInString(p.ProviderName) < 1 || utf8.RuneCountInString(p.ProviderName) > MaxProviderNameLen ||
		!providerNamePattern.MatchString(p.ProviderName) {
		return invalid("ProviderName", "must be 1-32 characters, not starting or ending with an underscore or a space")
	}
	if !slices.Contains(ProviderTypes, p.ProviderType) {
		return invalid("ProviderType", "must be one of %s", strings.Join(ProviderTypes, ", "))
	}
	if strings.EqualFold(p.ProviderName, ProviderCognito) {
		return invalid("ProviderName", "COGNITO is reserved for the pool's own users")
	}
	if IsSocial(p.ProviderType) && p.ProviderName != p.ProviderType {
		return invalid("ProviderName", "must be %s for a provider of type %s", p.ProviderType, p.ProviderType)
	}
	if !IsSocial(p.ProviderType) && slices.ContainsFunc(ProviderTypes[:4], func(t string) bool { return strings.EqualFold(t, p.ProviderName) }) {
		return invalid("ProviderName", "%s is reserved for that social provider", p.ProviderName)
	}
	if len(p.IdpIdentifiers) > MaxIdpIdentifiers {
		return invalid("IdpIdentifiers", "at most %d", MaxIdpIdentifiers)
	}
	for i, id := range p.IdpIdentifiers {
		if len(id) > MaxIdpIdentifierLen || !idpIdentifierPattern.MatchString(id) {
			return invalid(fmt.Sprintf("IdpIdentifiers[%d]", i), "must be 1-40 characters of letters, digits, spaces and +=.@-_")
		}
		if slices.Contains(p.IdpIdentifiers[:i], id) {
			return invalid(fmt.Sprintf("IdpIdentifiers[%d]", i), "%q is listed twice", id)
		}
	}
	if len(p.IdpIdentifiers) > 0 && IsSocial(p.ProviderType) {
		return invalid("IdpIdentifiers", "only OIDC and SAML providers have identifiers")
	}
	for name, from := range p.AttributeMapping {
		if name == "" || from == "" || len(name) > 32 || len(from) > 131072 {
			return invalid("AttributeMapping", "empty or too long entry %q", name)
		}
		if name == "sub" {
			return invalid("AttributeMapping", "sub cannot be mapped")
		}
	}
	for _, k := range SecretDetails {
		if _, ok := p.ProviderDetails[k]; ok {
			return invalid("ProviderDetails", "%s must be sealed, not stored", k)
		}
	}
	return nil
}

// ValidateDetails checks the complete ProviderDetails (secrets included)
// for the provider type: the keys each type requires are present, values
// are bounded, and URLs are https (or http on a loopback host).
func ValidateDetails(providerType string, details map[string]string) error {
	required := map[string][]string{
		ProviderLoginWithAmazon: {DetailClientID, DetailClientSecret, DetailAuthorizeScopes},
		ProviderGoogle:          {DetailClientID, DetailClientSecret, DetailAuthorizeScopes},
		ProviderFacebook:        {DetailClientID, DetailClientSecret, DetailAuthorizeScopes},
		ProviderSignInWithApple: {DetailClientID, DetailTeamID, DetailKeyID, DetailPrivateKey, DetailAuthorizeScopes},
		ProviderOIDC:            {DetailClientID, DetailAuthorizeScopes, DetailOIDCIssuer},
		ProviderSAML:            nil,
	}[providerType]
	for _, k := range required {
		if strings.TrimSpace(details[k]) == "" {
			return invalid("ProviderDetails", "%s is required for %s", k, providerType)
		}
	}
	if providerType == ProviderSAML && (details[DetailMetadataURL] == "") == (details[DetailMetadataFile] == "") {
		return invalid("ProviderDetails", "exactly one of MetadataURL and MetadataFile is required for SAML")
	}
	for k, v := range details {
		if len(v) > MaxProviderDetailLen {
			return invalid("ProviderDetails", "%s is longer than %d characters", k, MaxProviderDetailLen)
		}
		if strings.IndexByte(v, 0) >= 0 {
			return invalid("ProviderDetails", "%s contains NUL", k)
		}
		switch k {
		case DetailOIDCIssuer, DetailAuthorizeURL, DetailTokenURL, DetailAttributesURL, DetailJWKSURI, DetailMetadataURL:
			if err := validateProviderURL(v); err != nil {
				return invalid("ProviderDetails", "%s: %s", k, err.Message)
			}
		case DetailAttributesRequestMethod:
			if v != "GET" && v != "POST" {
				return invalid("ProviderDetails", "attributes_request_method must be GET or POST")
			}
		case DetailIDPSignout, DetailIDPInit, DetailEncryptedResponses:
			if v != "true" && v != "false" {
				return invalid("ProviderDetails", "%s must be true or false", k)
			}
		}
	}
	return nil
}

// ValidateProviderURL checks an identity provider's endpoint by the rule
// ValidateDetails applies to the URL details: https, or http on a
// loopback host (for development and tests). The protocol packages apply
// it to the endpoints a discovery document names and to redirects.
func ValidateProviderURL(u string) error {
	if err := validateProviderURL(u); err != nil {
		return err
	}
	return nil
}

// validateProviderURL checks a provider endpoint: https, or http on a
// loopback host (for development and tests), by ValidateRedirectURL's
// rules.
func validateProviderURL(u string) *ValidationError {
	if err := ValidateRedirectURL(u); err != nil {
		return invalid("url", "%s", err.Error())
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return invalid("url", "must be an https URL")
	}
	return nil
}

// SplitDetails separates the secret details from the others.
func SplitDetails(details map[string]string) (plain, secrets map[string]string) {
	plain, secrets = map[string]string{}, map[string]string{}
	for k, v := range details {
		if slices.Contains(SecretDetails, k) {
			secrets[k] = v
		} else {
			plain[k] = v
		}
	}
	return plain, secrets
}

// MergeDetails returns plain with secrets added.
func MergeDetails(plain, secrets map[string]string) map[string]string {
	out := maps.Clone(plain)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, secrets)
	return out
}

// Identity is a provider identity linked to a user: one entry of the
// user's "identities" attribute and ID-token claim, in Cognito's shape.
type Identity struct {
	// UserID is the provider's subject for the user (Cognito_Subject).
	UserID       string `json:"userId"`
	ProviderName string `json:"providerName"`
	ProviderType string `json:"providerType"`
	// Issuer is always null in Cognito's claim.
	Issuer    *string `json:"issuer"`
	Primary   string  `json:"primary"`
	CreatedAt int64   `json:"dateCreated,string"`
}

// NewIdentity returns the identity of subject at provider p, linked at now.
func NewIdentity(p IdentityProvider, subject string, primary bool, now time.Time) Identity {
	return Identity{
		UserID: subject, ProviderName: p.ProviderName, ProviderType: p.ProviderType,
		Primary: strconv.FormatBool(primary), CreatedAt: now.UnixMilli(),
	}
}

// IdentitiesJSON renders identities the way Cognito shows the
// "identities" attribute: a JSON array in a string.
func IdentitiesJSON(ids []Identity) string {
	b, err := json.Marshal(ids)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// FederatedGroup is the group Cognito adds a provider's users to, listed
// in cognito:groups: "<poolId>_<ProviderName>".
func FederatedGroup(poolID, providerName string) string { return poolID + "_" + providerName }
