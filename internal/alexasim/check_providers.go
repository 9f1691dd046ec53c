package alexasim

import (
	"fmt"
	"slices"
	"strings"
)

// Checklist items on the identity providers of the login page.
const (
	// CheckIdentityProviders fails when the app client lists identity
	// providers the pool does not have, lists none that can sign anyone
	// in, or the sign-in goes through a provider the client does not
	// offer.
	CheckIdentityProviders = "identity-providers"
	// CheckProvidersOffered is informational: the ways to sign in the
	// login page offers (its own form, "Continue with ..." buttons) and,
	// when known, the client's list.
	CheckProvidersOffered = "identity-providers-offered"
)

// cognitoProvider is the name under which an app client lists the pool's
// own sign-in form (Cognito's COGNITO).
const cognitoProvider = "COGNITO"

// ClientProviders is what the authorization server's configuration says
// about the app client's identity providers, for servers whose
// configuration the caller can read (linkpool's CLI over its store).
type ClientProviders struct {
	// PoolID is the pool of the client (for the fix it suggests).
	PoolID string
	// Listed is the client's SupportedIdentityProviders, in order;
	// COGNITO is the pool's own sign-in form.
	Listed []string
	// Pool maps each identity provider of the pool to its type.
	Pool map[string]string
}

// identityProviders adds the identity-provider items, after the redirect
// URL probes recorded what the login page offers: both when the client's
// configuration is known or the sign-in goes through a provider; the
// INFO item alone when the login page offers providers; none for a page
// with its own form alone.
func (k *checker) identityProviders() {
	const title = "identity providers of the app client exist, one can sign in"
	cp := k.o.Providers
	via := k.o.IdentityProvider
	var missing, usable []string
	if cp != nil {
		for _, name := range cp.Listed {
			_, exists := cp.Pool[name]
			switch {
			case name == cognitoProvider || exists:
				usable = append(usable, name)
			default:
				missing = append(missing, name)
			}
		}
	}
	clientID := k.o.Console.ClientID
	if cp == nil && via == "" && len(k.offered) == 0 {
		// A login page of its own form alone, on a server whose
		// configuration is unknown: nothing to report.
		return
	}
	switch {
	case len(missing) > 0:
		k.add(CheckIdentityProviders, title, Fail, fmt.Sprintf(
			"the app client lists %s, which the pool does not have; create it (linkpool idp create --pool %s --name <name> --type <type> ...) or remove it from the client (linkpool client update --client %s --identity-providers %s)",
			strings.Join(missing, ", "), cp.PoolID, clientID, orCognito(usable)))
	case cp != nil && len(usable) == 0:
		k.add(CheckIdentityProviders, title, Fail, fmt.Sprintf(
			"the app client lists no identity provider, so its sign-in page offers no way to sign in; list the pool's own form or a provider (linkpool client update --client %s --identity-providers COGNITO)", clientID))
	case via != "" && cp != nil && !slices.Contains(usable, via):
		k.add(CheckIdentityProviders, title, Fail, fmt.Sprintf(
			"the sign-in goes through %s, which the app client does not offer (it lists %s); add it (linkpool client update --client %s --identity-providers %s)",
			via, strings.Join(cp.Listed, ", "), clientID, strings.Join(append(slices.Clone(usable), via), ",")))
	case via != "" && cp == nil && k.pageSeen && !slices.Contains(k.offered, via):
		k.add(CheckIdentityProviders, title, Fail, fmt.Sprintf(
			"the sign-in goes through %s, but the login page offers no button for it (%s); does the app client list it?", via, k.offeredText()))
	case cp != nil:
		k.add(CheckIdentityProviders, title, Pass, "the app client lists "+strings.Join(usable, ", ")+"; each exists")
	case via != "" && k.pageSeen:
		k.add(CheckIdentityProviders, title, Pass, "the login page offers "+via)
	case via != "":
		k.add(CheckIdentityProviders, title, Skip, "the login page was not reached")
	}

	var parts []string
	if k.pageSeen {
		parts = append(parts, "the login page offers "+k.offeredText())
	}
	if cp != nil {
		var listed []string
		for _, name := range cp.Listed {
			switch typ, ok := cp.Pool[name]; {
			case name == cognitoProvider:
				listed = append(listed, "COGNITO (the pool's own form)")
			case ok:
				listed = append(listed, name+" ("+typ+")")
			default:
				listed = append(listed, name+" (missing)")
			}
		}
		if len(listed) == 0 {
			listed = []string{"nothing"}
		}
		parts = append(parts, "the app client lists "+strings.Join(listed, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "the login page was not reached")
	}
	k.add(CheckProvidersOffered, "ways to sign in on the login page", Info, strings.Join(parts, "; "))
}

// offeredText describes the login page's ways to sign in.
func (k *checker) offeredText() string {
	var ways []string
	if k.pageForm {
		ways = append(ways, "its own sign-in form")
	}
	for _, p := range k.offered {
		ways = append(ways, "Continue with "+p)
	}
	if len(ways) == 0 {
		return "no way to sign in"
	}
	return strings.Join(ways, ", ")
}

// orCognito is the list for a fix: the usable names, else COGNITO.
func orCognito(usable []string) string {
	if len(usable) == 0 {
		return cognitoProvider
	}
	return strings.Join(usable, ",")
}
