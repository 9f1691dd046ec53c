package federation

import "github.com/linkpool/linkpool/internal/pool"

// MapAttributes applies the provider's AttributeMapping (pool attribute
// <- provider claim) to the claims of a sign-in. The "username" entry
// names the claim that identifies the user (Cognito_Subject); when it is
// missing or the claim is absent, the protocol's subject stays. Claims
// the mapping does not name are dropped; "sub" is never mapped.
func MapAttributes(idp pool.IdentityProvider, subject string, claims map[string]string) (string, map[string]string) {
	mapping := idp.AttributeMapping
	if len(mapping) == 0 {
		mapping = pool.DefaultAttributeMapping(idp.ProviderType)
	}
	attrs := map[string]string{}
	for attr, claim := range mapping {
		v, ok := claims[claim]
		switch {
		case attr == "username":
			if ok && v != "" {
				subject = v
			}
		case attr == "sub", !ok:
		default:
			attrs[attr] = v
		}
	}
	return subject, attrs
}
