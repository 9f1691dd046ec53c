package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// The identity-provider commands: idp create|update|show|list|delete
// over admin.Service, and idp link|unlink over account.Service
// (AdminLinkProviderForUser, AdminDisableProviderForUser), and idp
// saml-certificate (idp_samlcert.go).

func runIdp(ctx context.Context, e *env, args []string) error {
	return subcommands(ctx, e, "idp", args, map[string]func(context.Context, *env, []string) error{
		"create": runIdpCreate,
		"update": runIdpUpdate,
		"show":   runIdpShow,
		"list":   runIdpList,
		"delete": runIdpDelete,
		"link":   runIdpLink,
		"unlink": runIdpUnlink,

		"saml-certificate": runIdpSAMLCertificate,
	})
}

// keyValues is a repeatable key=value flag; later keys win. Values are
// taken whole (commas included).
type keyValues map[string]string

func (m keyValues) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

func (m keyValues) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	m[strings.TrimSpace(k)] = val
	return nil
}

// idpSettings are the flags of idp create and idp update.
type idpSettings struct {
	details     keyValues
	detailFiles keyValues
	mapping     keyValues
	identifiers stringList
	clearIDs    bool
}

func (s *idpSettings) register(c *adminCmd, update bool) {
	s.details, s.detailFiles, s.mapping = keyValues{}, keyValues{}, keyValues{}
	fs := c.fs
	fs.Var(s.details, "detail", "a ProviderDetails entry key=value, repeatable (client_id, authorize_scopes, oidc_issuer, MetadataURL, ...)")
	fs.Var(s.detailFiles, "detail-file", "a ProviderDetails entry read from a file, key=path, repeatable: client_secret, Apple's private_key (.p8), SAML's MetadataFile, so that no secret is on the command line")
	fs.Var(s.mapping, "map", "an AttributeMapping entry pool-attribute=provider-claim, repeatable (default username=<the provider's subject>)")
	fs.Var(&s.identifiers, "identifier", "an IdpIdentifier (OIDC and SAML), repeatable or comma-separated")
	if update {
		fs.BoolVar(&s.clearIDs, "clear-identifiers", false, "remove every IdpIdentifier")
	}
}

// readDetails returns the --detail entries with the --detail-file ones
// read in.
func (s *idpSettings) readDetails() (map[string]string, error) {
	out := maps.Clone(map[string]string(s.details))
	for k, path := range s.detailFiles {
		if _, dup := out[k]; dup {
			return nil, usagef("%s is given both with --detail and --detail-file", k)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--detail-file %s: %w", k, err)
		}
		out[k] = strings.TrimRight(string(b), "\r\n")
	}
	return out, nil
}

// idpRef names a provider: --pool and --name.
type idpRef struct {
	pool, name string
}

func (r *idpRef) register(c *adminCmd) {
	c.fs.StringVar(&r.pool, "pool", "", "pool id (required)")
	c.fs.StringVar(&r.name, "name", "", "provider name: LoginWithAmazon, Google, SignInWithApple, Facebook (create: defaults to --type), or the name of an OIDC or SAML provider (required)")
}

func runIdpCreate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp create", true)
	var r idpRef
	var typ string
	var s idpSettings
	r.register(c)
	c.fs.StringVar(&typ, "type", "", "provider type (required): "+strings.Join(pool.ProviderTypes, ", "))
	s.register(c, false)
	if err := c.parse(args, "pool", "type"); err != nil {
		return err
	}
	// A social provider's name is its type, as Cognito requires.
	if r.name == "" && pool.IsSocial(typ) {
		r.name = typ
	}
	if err := c.require("name"); err != nil {
		return err
	}
	details, err := s.readDetails()
	if err != nil {
		return err
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	p, err := d.admin.CreateIdentityProvider(ctx, pool.IdentityProvider{PoolID: r.pool, ProviderName: r.name, ProviderType: typ,
		ProviderDetails: details, AttributeMapping: s.mapping, IdpIdentifiers: s.identifiers})
	if err != nil {
		return adminErr(err)
	}
	p = maskSecrets(p)
	if c.json {
		return printJSON(e.stdout, p)
	}
	fmt.Fprintf(e.stdout, "Created identity provider %s in pool %s.\n\n", p.ProviderName, r.pool)
	if err := printFields(e.stdout, idpFields(p)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nList it in a client's --identity-providers to offer it on the hosted sign-in page; the provider's redirect URL is <pool URL>/oauth2/idpresponse (SAML: /saml2/idpresponse).\n")
	return nil
}

// runIdpUpdate changes what its flags name: --detail and --detail-file
// entries are merged into the stored details (an empty value removes
// one), --map entries into the mapping (an empty claim removes one),
// and --identifier replaces the identifiers.
func runIdpUpdate(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp update", true)
	var r idpRef
	var s idpSettings
	r.register(c)
	s.register(c, true)
	if err := c.parse(args, "pool", "name"); err != nil {
		return err
	}
	if !c.given["detail"] && !c.given["detail-file"] && !c.given["map"] && !c.given["identifier"] && !c.given["clear-identifiers"] {
		return usagef("nothing to update: give --detail, --detail-file, --map, --identifier or --clear-identifiers")
	}
	if c.given["identifier"] && s.clearIDs {
		return usagef("--identifier and --clear-identifiers exclude each other")
	}
	details, err := s.readDetails()
	if err != nil {
		return err
	}
	d, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer d.close()
	p, err := d.admin.UpdateIdentityProvider(ctx, r.pool, r.name, func(p *pool.IdentityProvider) {
		for k, v := range details {
			if v == "" && !slices.Contains(pool.SecretDetails, k) {
				delete(p.ProviderDetails, k)
			} else {
				p.ProviderDetails[k] = v
			}
		}
		for k, v := range s.mapping {
			if v == "" {
				delete(p.AttributeMapping, k)
			} else {
				p.AttributeMapping[k] = v
			}
		}
		if c.given["identifier"] {
			p.IdpIdentifiers = s.identifiers
		}
		if s.clearIDs {
			p.IdpIdentifiers = nil
		}
	})
	if err != nil {
		return adminErr(err)
	}
	p = maskSecrets(p)
	if c.json {
		return printJSON(e.stdout, p)
	}
	fmt.Fprintf(e.stdout, "Updated identity provider %s.\n\n", r.name)
	return printFields(e.stdout, idpFields(p))
}

// maskSecrets replaces the values of the secret details by "********".
func maskSecrets(p pool.IdentityProvider) pool.IdentityProvider {
	p.ProviderDetails = maps.Clone(p.ProviderDetails)
	for _, k := range pool.SecretDetails {
		if _, ok := p.ProviderDetails[k]; ok {
			p.ProviderDetails[k] = "********"
		}
	}
	return p
}

func idpFields(p pool.IdentityProvider) [][2]string {
	f := [][2]string{
		{"ProviderName", p.ProviderName},
		{"ProviderType", p.ProviderType},
		{"UserPoolId", p.PoolID},
	}
	for _, k := range slices.Sorted(maps.Keys(p.ProviderDetails)) {
		v := p.ProviderDetails[k]
		if strings.Contains(v, "\n") {
			v = fmt.Sprintf("(%d lines)", strings.Count(v, "\n")+1)
		}
		f = append(f, [2]string{"ProviderDetails." + k, v})
	}
	for _, k := range slices.Sorted(maps.Keys(p.AttributeMapping)) {
		f = append(f, [2]string{"AttributeMapping." + k, p.AttributeMapping[k]})
	}
	return append(f,
		[2]string{"IdpIdentifiers", join(p.IdpIdentifiers)},
		[2]string{"CreationDate", fmtTime(p.CreatedAt)},
		[2]string{"LastModifiedDate", fmtTime(p.UpdatedAt)},
	)
}

func runIdpShow(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp show", true)
	var r idpRef
	var reveal bool
	r.register(c)
	c.fs.BoolVar(&reveal, "show-secrets", false, "print client_secret and private_key instead of masking them")
	d, err := c.start(ctx, args, "pool", "name")
	if err != nil {
		return err
	}
	defer d.close()
	p, err := d.admin.DescribeIdentityProvider(ctx, r.pool, r.name)
	if err != nil {
		return adminErr(err)
	}
	if !reveal {
		p = maskSecrets(p)
	}
	if c.json {
		return printJSON(e.stdout, p)
	}
	if err := printFields(e.stdout, idpFields(p)); err != nil {
		return err
	}
	// Multi-line details (a PEM key, SAML metadata) are printed whole
	// after the fields, a secret one only when asked.
	for _, k := range slices.Sorted(maps.Keys(p.ProviderDetails)) {
		if v := p.ProviderDetails[k]; strings.Contains(v, "\n") {
			fmt.Fprintf(e.stdout, "\n%s:\n%s\n", k, v)
		}
	}
	return nil
}

func runIdpList(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp list", true)
	d, p, err := c.startOnPool(ctx, args)
	if err != nil {
		return err
	}
	defer d.close()
	ps, err := listPages(ctx, func(ctx context.Context, limit int, next string) ([]pool.IdentityProvider, string, error) {
		return d.admin.ListIdentityProviders(ctx, p.ID, limit, next)
	})
	if err != nil {
		return err
	}
	for i := range ps {
		ps[i] = maskSecrets(ps[i])
	}
	return printList(e.stdout, c.json, ps, []string{"NAME", "TYPE", "IDENTIFIERS", "CREATED"}, func(p pool.IdentityProvider) []string {
		return []string{p.ProviderName, p.ProviderType, join(p.IdpIdentifiers), fmtTime(p.CreatedAt)}
	})
}

func runIdpDelete(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp delete", false)
	var r idpRef
	r.register(c)
	d, err := c.start(ctx, args, "pool", "name")
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.admin.DeleteIdentityProvider(ctx, r.pool, r.name); err != nil {
		return adminErr(err)
	}
	fmt.Fprintf(e.stdout, "Deleted identity provider %s; the users it created and the identities linked to it stay, and no longer sign in through it.\n", r.name)
	return nil
}

// identityFlags are the flags that name a provider identity.
type identityFlags struct {
	pool, provider, subject string
}

func (f *identityFlags) register(c *adminCmd) {
	c.fs.StringVar(&f.pool, "pool", "", "pool id (required)")
	c.fs.StringVar(&f.provider, "provider", "", "provider name (required)")
	c.fs.StringVar(&f.subject, "subject", "", "the provider's subject for the person (required): sub for Google, Apple and OIDC, user_id for Login with Amazon, id for Facebook, the NameID for SAML")
}

func (f *identityFlags) user() account.ProviderUser {
	return account.ProviderUser{ProviderName: f.provider, ProviderAttributeName: pool.SubjectAttribute, ProviderAttributeValue: f.subject}
}

// runIdpLink links a provider identity to an existing user
// (AdminLinkProviderForUser): a sign-in through the provider as that
// subject then signs in as the user.
func runIdpLink(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp link", false)
	var username string
	var f identityFlags
	c.fs.StringVar(&username, "username", "", "username (or sign-in alias) of the existing user (required)")
	f.register(c)
	d, p, err := c.startInPool(ctx, args, "username", "provider", "subject")
	if err != nil {
		return err
	}
	defer d.close()
	u, err := d.accounts.AdminLinkProviderForUser(ctx, p, account.ProviderUser{ProviderName: account.ProviderCognitoUser,
		ProviderAttributeValue: username}, f.user())
	if err != nil {
		return userErr(err, username)
	}
	fmt.Fprintf(e.stdout, "Linked %s %s to user %s: signing in through %s as that subject signs in as %s.\n",
		f.provider, f.subject, u.Username, f.provider, u.Username)
	return nil
}

// runIdpUnlink stops a provider identity from signing in
// (AdminDisableProviderForUser): a linked identity is unlinked, a user
// the provider created is disabled.
func runIdpUnlink(ctx context.Context, e *env, args []string) error {
	c := newAdminCmd(e, "idp unlink", false)
	var f identityFlags
	f.register(c)
	d, p, err := c.startInPool(ctx, args, "provider", "subject")
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.accounts.AdminDisableProviderForUser(ctx, p, f.user()); err != nil {
		if account.TypeOf(err) == account.UserNotFoundException {
			return fmt.Errorf("no user has the identity %s %s", f.provider, f.subject)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "Unlinked %s %s: a linked identity is removed from its user; a user the provider created is disabled.\n", f.provider, f.subject)
	return nil
}
