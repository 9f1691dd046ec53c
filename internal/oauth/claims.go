package oauth

import (
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/pool"
)

// releasedAttributes returns the user attributes a client may see for the
// granted scopes (Cognito "userInfo endpoint", scope table): openid alone
// releases every attribute the client can read; with profile, email or
// phone only those groups are released (profile includes custom
// attributes). aws.cognito.signin.user.admin has no effect here.
func releasedAttributes(c *pool.Client, scopes []string, attrs map[string]string) map[string]string {
	readable := func(name string) bool {
		return len(c.ReadAttributes) == 0 || slices.Contains(c.ReadAttributes, name)
	}
	profile := slices.Contains(scopes, pool.ScopeProfile)
	email := slices.Contains(scopes, pool.ScopeEmail)
	phone := slices.Contains(scopes, pool.ScopePhone)
	all := !profile && !email && !phone
	out := make(map[string]string, len(attrs))
	for name, v := range attrs {
		if !readable(name) {
			continue
		}
		release := all
		switch {
		case name == pool.AttrEmail || name == pool.AttrEmailVerified:
			release = release || email
		case name == pool.AttrPhoneNumber || name == "phone_number_verified":
			release = release || phone
		case strings.HasPrefix(name, "custom:") || slices.Contains(pool.ProfileAttributes, name):
			release = release || profile
		}
		if release {
			out[name] = v
		}
	}
	return out
}
