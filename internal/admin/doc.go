// Package admin is the one administrative service of linkpool: the
// command line (internal/cli) calls it today, and the Cognito JSON API and
// later the console are adapters over the same Service, so every surface
// applies the same rules and answers the same errors.
//
// Its methods are Cognito's actions of the same name on user pools
// (CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool,
// ListUserPools), app clients (CreateUserPoolClient with secret
// generation, DescribeUserPoolClient, UpdateUserPoolClient,
// DeleteUserPoolClient, ListUserPoolClients, and
// RotateUserPoolClientSecret, linkpool's own), domains
// (Create/Describe/Update/DeleteUserPoolDomain) and groups (CreateGroup,
// GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup),
// identity providers (CreateIdentityProvider, DescribeIdentityProvider,
// UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
// GetIdentityProviderByIdentifier: federation, issue 14), and SetupAlexa,
// the pool, client and domain of `init alexa` created
// together with rollback; its client leaves the ID token out of refresh
// responses (pool.Client.IDTokenOnRefresh, linkpool's own client setting,
// on by default as in Cognito). CORSOrigins and AllCORSOrigins are linkpool's
// own: the web origins allowed to call a pool's unsigned Cognito API
// actions from a browser (pool.Pool.CORSOrigins, by default the origins
// of the pool's clients' callback URLs).
// They take and return the domain types of internal/pool. Updates take
// an edit function that sets the fields a request names; the service
// validates the result and keeps what cannot change (ids, creation dates,
// a client's secret, the pool settings fixed at creation).
//
// User administration (AdminCreateUser, AdminGetUser, ...) stays in
// internal/account, whose Service already implements it with the sign-in
// rules it shares with the hosted pages. This Service holds that
// account.Service (Accounts) to resolve usernames and aliases for group
// membership; the JSON API calls account directly for the user actions
// rather than through forwarding methods here.
//
// Errors: a refused action returns an *account.Error, the one error type
// of both packages, whose Type is Cognito's exception name and whose
// Message is Cognito's wording where known: ResourceNotFoundException
// ("User pool <id> does not exist.", "User pool client <id> does not
// exist.", "Group not found.", "Identity provider <name> does not
// exist."), InvalidParameterException naming the
// Field (from a *pool.ValidationError, a page size or token, a change to
// a setting fixed at creation), GroupExistsException, and for a taken
// domain InvalidParameterException "Domain already associated with
// another user pool.". For a missing or taken resource its Cause is a
// *ResourceError, which names the resource the way the command line
// prints it and wraps store.ErrNotFound or store.ErrAlreadyExists. A
// refused action changes nothing. Any other error is an internal failure
// (storage, sealing) and must be answered as one.
//
// Identity providers: the secret ProviderDetails (client_secret,
// private_key) are sealed together with the master key, bound to pool and
// provider name (pool.IdentityProvider.SecretsAAD), and never stored in
// ProviderDetails; Describe and Update answer them, as Cognito does, and
// OpenProviderDetails gives the sign-in flows (internal/federation) the
// complete details. Sign in with Apple's private_key must parse as a
// PKCS#8 EC P-256 key. A provider without an AttributeMapping gets
// pool.DefaultAttributeMapping. An update keeps a secret the edited
// details leave out. An app client may list in SupportedIdentityProviders
// only COGNITO and providers of its pool (InvalidParameterException "The
// provider <name> does not exist for User Pool <id>."), and a provider
// that clients list cannot be deleted (InvalidParameterException naming
// the clients). A taken provider name is DuplicateProviderException.
//
// SAMLCertificate is the pool's SAML service-provider key pair (Cognito's
// signing certificate, GetSigningCertificate): generated on first use,
// stored sealed (store.SAMLKey), cached in memory once opened. The SAML
// sign-in (internal/federation/samlflow) signs AuthnRequests and decrypts
// assertions with it; it is one pair per pool, never rotated yet.
//
// Audit: every change, made or refused, writes one record of the audit
// log (package audit) under the actor in the context, with the field
// names it changed and the values of the non-secret ones (audit.go,
// audit.Diff). Reads write none.
//
// Files: service.go (Service, Config, paging), audit.go (record), errors.go (the errors),
// pools.go, clients.go (with sealing of client secrets), domains.go,
// groups.go, idps.go (identity providers, OpenProviderDetails), alexa.go
// (SetupAlexa), keys.go (RotateSigningKeys), cors.go (CORSOrigins),
// samlcert.go (SAMLCertificate, SAMLEntityID).
package admin
