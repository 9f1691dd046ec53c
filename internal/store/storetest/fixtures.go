package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// zone is a half-hour offset zone: times in it catch backends that store
// local wall-clock time instead of the instant.
var zone = time.FixedZone("X", 5*3600+1800)

// base is the suite's clock: a fixed instant with nanoseconds, in zone.
// No test reads the real clock; every expiry is relative to base.
func base() time.Time { return time.Date(2026, 3, 14, 15, 9, 26, 535897932, zone) }

func ptr[T any](v T) *T { return &v }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newPool returns a pool with every field set to a non-default value.
func newPool(caseSensitive bool) pool.Pool {
	t0 := base()
	return pool.Pool{
		ID:   pool.NewPoolID("eu-west-1"),
		Name: "pool " + randomHex(3),
		PasswordPolicy: pool.PasswordPolicy{
			MinimumLength: 12, RequireUppercase: true, RequireLowercase: false,
			RequireNumbers: true, RequireSymbols: false, TemporaryPasswordValidityDays: 3,
		},
		LockoutPolicy:            pool.LockoutPolicy{MaxFailedAttempts: 7, BaseLockoutSeconds: 30, MaxLockoutSeconds: 900},
		UsernameAttributes:       []string{pool.AttrPhoneNumber},
		AliasAttributes:          []string{pool.AttrEmail, pool.AttrPreferredUsername},
		AutoVerifiedAttributes:   []string{pool.AttrEmail},
		CaseSensitive:            caseSensitive,
		AllowAdminCreateUserOnly: true,
		AutoConfirmSignUp:        false,
		SigningAlgorithm:         pool.AlgES256,
		Schema: []pool.SchemaAttribute{
			{Name: "custom:tier", AttributeDataType: "String", Mutable: true},
			{Name: "custom:age", AttributeDataType: "Number", Mutable: false},
		},
		Branding: pool.Branding{
			LogoURL: "https://cdn.example.com/logo.png", PrimaryColor: "#0a7c59",
			BackgroundColor: "#fff", CSS: "body { font-family: 'Zoë', serif; }",
		},
		EmailFrom:   "no-reply@example.com",
		CORSOrigins: []string{"https://app.example.com", "http://localhost:3000"},
		InviteMessage: pool.InviteTemplate{
			EmailSubject: "Willkommen bei Zoë's Lampen", EmailMessage: "<p>Hallo {username}, Ihr Passwort: <b>{####}</b></p>",
		},
		LambdaConfig: pool.LambdaConfig{
			PreSignUp:          "arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up",
			PreTokenGeneration: "https://hooks.example.com/linkpool/pre-token",
			PreTokenGenerationConfig: pool.PreTokenGenerationConfig{
				LambdaVersion: pool.PreTokenV2, LambdaArn: "https://hooks.example.com/linkpool/pre-token",
			},
			UserMigration: "http://127.0.0.1:8081/migrate",
		},
		TriggerSecret: []byte("sealed trigger secret \x00\xff"),
		CreatedAt:     t0.Add(-24 * time.Hour),
		UpdatedAt:     t0,
	}
}

// mutatePool changes every field of p but the id.
func mutatePool(p pool.Pool) pool.Pool {
	p.Name += " renamed"
	pp := &p.PasswordPolicy
	pp.MinimumLength++
	pp.RequireUppercase, pp.RequireLowercase = !pp.RequireUppercase, !pp.RequireLowercase
	pp.RequireNumbers, pp.RequireSymbols = !pp.RequireNumbers, !pp.RequireSymbols
	pp.TemporaryPasswordValidityDays++
	lp := &p.LockoutPolicy
	lp.MaxFailedAttempts++
	lp.BaseLockoutSeconds++
	lp.MaxLockoutSeconds++
	p.UsernameAttributes = append(p.UsernameAttributes[:len(p.UsernameAttributes):len(p.UsernameAttributes)], pool.AttrEmail)
	p.AliasAttributes = []string{pool.AttrPhoneNumber}
	p.AutoVerifiedAttributes = append(p.AutoVerifiedAttributes[:len(p.AutoVerifiedAttributes):len(p.AutoVerifiedAttributes)], pool.AttrPhoneNumber)
	p.CaseSensitive = !p.CaseSensitive
	p.AllowAdminCreateUserOnly = !p.AllowAdminCreateUserOnly
	p.AutoConfirmSignUp = !p.AutoConfirmSignUp
	if p.SigningAlgorithm == pool.AlgES256 {
		p.SigningAlgorithm = pool.AlgRS256
	} else {
		p.SigningAlgorithm = pool.AlgES256
	}
	p.Schema = append(p.Schema[:len(p.Schema):len(p.Schema)], pool.SchemaAttribute{Name: fmt.Sprintf("custom:a%d", len(p.Schema)), AttributeDataType: "Boolean", Mutable: true})
	p.Branding.LogoURL += "?v=2"
	p.Branding.PrimaryColor += "0"
	p.Branding.BackgroundColor += "f"
	p.Branding.CSS += " h1 { color: red; }"
	p.EmailFrom = "x" + p.EmailFrom
	p.InviteMessage.EmailSubject += " (2)"
	p.InviteMessage.EmailMessage += " v2"
	p.CORSOrigins = append(p.CORSOrigins[:len(p.CORSOrigins):len(p.CORSOrigins)], "https://other.example.com")
	p.LambdaConfig.PreSignUp += "-v2"
	p.LambdaConfig.PostConfirmation = "https://hooks.example.com/linkpool/post-confirmation"
	p.LambdaConfig.PreTokenGenerationConfig.LambdaVersion = pool.PreTokenV3
	p.TriggerSecret = append(p.TriggerSecret[:len(p.TriggerSecret):len(p.TriggerSecret)], 0x01)
	p.CreatedAt = p.CreatedAt.Add(-time.Second)
	p.UpdatedAt = p.UpdatedAt.Add(time.Minute)
	return p
}

// newClient returns a confidential app client of poolID with every field
// set.
func newClient(poolID string) pool.Client {
	t0 := base()
	return pool.Client{
		ID:                              pool.NewClientID(),
		PoolID:                          poolID,
		Name:                            "client " + randomHex(3),
		SealedSecret:                    []byte{0x00, 0x01, 0xfe, 0xff, 's', 'e', 'a', 'l'},
		CallbackURLs:                    []string{"https://app.example.com/cb", "myapp://callback"},
		LogoutURLs:                      []string{"https://app.example.com/bye"},
		DefaultRedirectURI:              "https://app.example.com/cb",
		AllowedOAuthFlows:               []string{pool.FlowCode, pool.FlowImplicit},
		AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes:              []string{pool.ScopeOpenID, pool.ScopeEmail, "lamps/control"},
		SupportedIdentityProviders:      []string{pool.ProviderCognito},
		ExplicitAuthFlows:               []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"},
		ReadAttributes:                  []string{"email", "name"},
		WriteAttributes:                 []string{"name"},
		AccessTokenValidity:             45,
		IDTokenValidity:                 50,
		RefreshTokenValidity:            7,
		TokenValidityUnits:              pool.TokenValidityUnits{AccessToken: pool.UnitMinutes, IDToken: pool.UnitMinutes, RefreshToken: pool.UnitDays},
		EnableTokenRevocation:           false,
		PreventUserExistenceErrors:      pool.ExistenceLegacy,
		RefreshTokenRotation:            pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 30},
		AuthSessionValidity:             5,
		IDTokenOnRefresh:                false,
		CreatedAt:                       t0.Add(-time.Hour),
		UpdatedAt:                       t0,
	}
}

func grow(s []string, v string) []string { return append(s[:len(s):len(s)], v) }

// mutateClient changes every field of c but the id and the pool.
func mutateClient(c pool.Client) pool.Client {
	c.Name += " renamed"
	c.SealedSecret = append(c.SealedSecret[:len(c.SealedSecret):len(c.SealedSecret)], 0x42)
	c.CallbackURLs = grow(c.CallbackURLs, fmt.Sprintf("https://app.example.com/cb%d", len(c.CallbackURLs)))
	c.LogoutURLs = grow(c.LogoutURLs, fmt.Sprintf("https://app.example.com/bye%d", len(c.LogoutURLs)))
	c.DefaultRedirectURI = c.CallbackURLs[len(c.CallbackURLs)-1]
	c.AllowedOAuthFlows = grow(c.AllowedOAuthFlows, pool.FlowClientCredentials)
	c.AllowedOAuthFlowsUserPoolClient = !c.AllowedOAuthFlowsUserPoolClient
	c.AllowedOAuthScopes = grow(c.AllowedOAuthScopes, fmt.Sprintf("lamps/s%d", len(c.AllowedOAuthScopes)))
	c.SupportedIdentityProviders = grow(c.SupportedIdentityProviders, "Other")
	c.ExplicitAuthFlows = grow(c.ExplicitAuthFlows, "ALLOW_CUSTOM_AUTH")
	c.ReadAttributes = grow(c.ReadAttributes, "locale")
	c.WriteAttributes = grow(c.WriteAttributes, "locale")
	c.AccessTokenValidity++
	c.IDTokenValidity++
	c.RefreshTokenValidity++
	c.TokenValidityUnits.AccessToken += "x"
	c.TokenValidityUnits.IDToken += "y"
	c.TokenValidityUnits.RefreshToken += "z"
	c.EnableTokenRevocation = !c.EnableTokenRevocation
	c.PreventUserExistenceErrors += "!"
	c.RefreshTokenRotation.Feature += "!"
	c.RefreshTokenRotation.RetryGracePeriodSeconds++
	c.AuthSessionValidity++
	c.IDTokenOnRefresh = !c.IDTokenOnRefresh
	c.CreatedAt = c.CreatedAt.Add(-time.Second)
	c.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	return c
}

// newUser returns a user of p with every field set; an empty email leaves
// the user without email attribute and EmailKey.
func newUser(p pool.Pool, username, email string) pool.User {
	t0 := base()
	u := pool.User{
		PoolID:      p.ID,
		Sub:         pool.NewSub(),
		Username:    username,
		UsernameKey: p.UsernameKey(username),
		Attributes: map[string]string{
			pool.AttrEmailVerified: "true",
			"name":                 "Zoë Ünïcode 名前",
			"custom:tier":          "gold",
		},
		Status:        pool.StatusConfirmed,
		Enabled:       true,
		PasswordHash:  "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		PasswordSetAt: t0.Add(-48 * time.Hour),
		SRPSalt:       "00f3a9c21b7d4e5f60718293a4b5c6d7e8",
		SRPVerifier:   []byte{1, 0, 0xff, 7, 'v'},
		FailedLogins:  2,
		LockedUntil:   t0.Add(5 * time.Minute),
		Code: &pool.PendingCode{
			Purpose: pool.CodeResetPassword, Hash: "9f86d081884c7d65", ExpiresAt: t0.Add(time.Hour), Attempts: 1, SentAt: t0.Add(-time.Minute),
			DayStart: t0.Add(-3 * time.Hour), DaySent: 3, DayMisses: 7,
		},
		// A linked identity of its own, so that every user test reads
		// and writes one.
		Identities:       []pool.Identity{newIdentity("Google", randomHex(8), true)},
		TokensValidAfter: t0.Add(-time.Hour),
		CreatedAt:        t0.Add(-72 * time.Hour),
		UpdatedAt:        t0,
	}
	if email != "" {
		u.Attributes[pool.AttrEmail] = email
		u.EmailKey = pool.EmailKey(email)
	}
	return u
}

// mutateUser changes every field of u but the pool and the sub. The
// username and email keys get a suffix that keeps them unique.
func mutateUser(u pool.User) pool.User {
	u.Username += "-2"
	u.UsernameKey += "-2"
	if u.EmailKey != "" {
		u.EmailKey = "2." + u.EmailKey
	} else {
		u.EmailKey = u.UsernameKey + "@mutated.example.com"
	}
	attrs := make(map[string]string, len(u.Attributes)+1)
	for k, v := range u.Attributes {
		attrs[k] = v + "'"
	}
	attrs["locale"] = fmt.Sprintf("de-%d", len(u.Attributes))
	u.Attributes = attrs
	if u.Status == pool.StatusConfirmed {
		u.Status = pool.StatusResetRequired
	} else {
		u.Status = pool.StatusConfirmed
	}
	u.Enabled = !u.Enabled
	u.PasswordHash += "x"
	u.PasswordSetAt = u.PasswordSetAt.Add(time.Hour)
	u.SRPSalt += "ab"
	u.SRPVerifier = append([]byte{2}, u.SRPVerifier...)
	u.FailedLogins++
	u.LockedUntil = u.LockedUntil.Add(time.Hour)
	if u.Code == nil {
		u.Code = &pool.PendingCode{Purpose: pool.CodeSignUp, Hash: "c0ffee", ExpiresAt: base().Add(time.Hour), SentAt: base()}
	} else {
		u.Code = &pool.PendingCode{
			Purpose: u.Code.Purpose + "!", Hash: u.Code.Hash + "0", ExpiresAt: u.Code.ExpiresAt.Add(time.Second),
			Attempts: u.Code.Attempts + 1, SentAt: u.Code.SentAt.Add(time.Second),
			DayStart: u.Code.DayStart.Add(time.Second), DaySent: u.Code.DaySent + 1, DayMisses: u.Code.DayMisses + 1,
		}
	}
	// One identity stays, the others go, a new one comes.
	ids := []pool.Identity{newIdentity("oidc-"+randomHex(3), randomHex(8), false)}
	if len(u.Identities) > 0 {
		ids = append(ids, u.Identities[0])
		ids[1].Primary = "false"
	}
	u.Identities = ids
	u.TokensValidAfter = u.TokensValidAfter.Add(time.Second)
	u.CreatedAt = u.CreatedAt.Add(-time.Second)
	u.UpdatedAt = u.UpdatedAt.Add(time.Minute)
	return u
}

// newIdentity returns a linked identity of subject at the provider named
// providerName (of type OIDC unless the name is a social type).
func newIdentity(providerName, subject string, primary bool) pool.Identity {
	typ := pool.ProviderOIDC
	if pool.IsSocial(providerName) {
		typ = providerName
	}
	id := pool.Identity{UserID: subject, ProviderName: providerName, ProviderType: typ, CreatedAt: base().UnixMilli()}
	id.Primary = "false"
	if primary {
		id.Primary = "true"
	}
	return id
}

// newIdentityProvider returns an OIDC provider of poolID with every field
// set; identifiers are its IdpIdentifiers.
func newIdentityProvider(poolID, name string, identifiers ...string) pool.IdentityProvider {
	t0 := base()
	return pool.IdentityProvider{
		PoolID:       poolID,
		ProviderName: name,
		ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{
			pool.DetailClientID:        "client-" + name,
			pool.DetailAuthorizeScopes: "openid email",
			pool.DetailOIDCIssuer:      "https://issuer.example.com/" + name,
		},
		AttributeMapping: map[string]string{"email": "email", "username": "sub", "name": "Zoë 名前"},
		IdpIdentifiers:   identifiers,
		SealedSecrets:    []byte{0, 1, 0xfe, 's', 'e', 'a', 'l'},
		CreatedAt:        t0.Add(-time.Hour),
		UpdatedAt:        t0,
	}
}

// mutateIdentityProvider changes every field of p but the pool and the
// name; the identifiers lose their first and gain one of their own.
func mutateIdentityProvider(p pool.IdentityProvider) pool.IdentityProvider {
	details := map[string]string{pool.DetailAttributesRequestMethod: "POST"}
	for k, v := range p.ProviderDetails {
		details[k] = v + "/2"
	}
	p.ProviderDetails = details
	p.ProviderType = pool.ProviderSAML
	p.AttributeMapping = map[string]string{"email": pool.SAMLNameID}
	ids := []string{"new-" + randomHex(4)}
	if len(p.IdpIdentifiers) > 0 {
		ids = append(ids, p.IdpIdentifiers[1:]...)
	}
	p.IdpIdentifiers = ids
	p.SealedSecrets = append([]byte{9}, p.SealedSecrets...)
	p.CreatedAt = p.CreatedAt.Add(-time.Second)
	p.UpdatedAt = p.UpdatedAt.Add(time.Minute)
	return p
}

func newGroup(poolID, name string, precedence *int) pool.Group {
	t0 := base()
	return pool.Group{
		PoolID: poolID, Name: name, Description: "the " + name + " group",
		Precedence: precedence, RoleArn: "arn:aws:iam::123456789012:role/" + name,
		CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0,
	}
}

// mutateGroup changes every field of g but the pool and the name.
func mutateGroup(g pool.Group) pool.Group {
	g.Description += " (edited)"
	if g.Precedence == nil {
		g.Precedence = ptr(3)
	} else {
		g.Precedence = ptr(*g.Precedence + 1)
	}
	g.RoleArn += "-v2"
	g.CreatedAt = g.CreatedAt.Add(-time.Second)
	g.UpdatedAt = g.UpdatedAt.Add(time.Minute)
	return g
}

func newDomain(poolID string, custom bool) pool.Domain {
	name := "auth-" + randomHex(4)
	if custom {
		name = "login." + randomHex(4) + ".example.com"
	}
	return pool.Domain{Domain: name, PoolID: poolID, Custom: custom, CreatedAt: base()}
}

func newAuthCode(poolID, clientID, sub string, expiresAt time.Time) store.AuthCode {
	t0 := base()
	return store.AuthCode{
		ID: randomHex(32), PoolID: poolID, ClientID: clientID, Sub: sub,
		RedirectURI: "https://app.example.com/cb", Scopes: []string{"openid", "email", "lamps/control"},
		Nonce: "n-" + randomHex(8), CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", AuthTime: t0.Add(-time.Minute), OriginJTI: pool.NewSub(),
		CreatedAt: t0, ExpiresAt: expiresAt,
	}
}

func newRefreshToken(poolID, clientID, sub, codeID string) store.RefreshToken {
	t0 := base()
	return store.RefreshToken{
		ID: randomHex(16), OriginJTI: pool.NewSub(), PoolID: poolID, ClientID: clientID, Sub: sub,
		Scopes: []string{"openid", "lamps/control"}, AuthTime: t0.Add(-time.Minute), CodeID: codeID,
		SecretHash: randomHex(32), PrevSecretHash: randomHex(32), PrevValidUntil: t0.Add(30 * time.Second), GraceDepth: 2,
		CreatedAt: t0.Add(-time.Hour), LastUsedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour),
	}
}

// mutateRefreshToken changes every field of rt but the id, the origin,
// the pool, the client and the sub.
func mutateRefreshToken(rt store.RefreshToken) store.RefreshToken {
	rt.Scopes = grow(rt.Scopes, fmt.Sprintf("s%d", len(rt.Scopes)))
	rt.AuthTime = rt.AuthTime.Add(time.Second)
	rt.CodeID += "0"
	rt.PrevSecretHash = rt.SecretHash
	rt.SecretHash += "1"
	rt.PrevValidUntil = rt.PrevValidUntil.Add(time.Minute)
	rt.GraceDepth++
	rt.CreatedAt = rt.CreatedAt.Add(-time.Second)
	rt.LastUsedAt = rt.LastUsedAt.Add(time.Minute)
	rt.ExpiresAt = rt.ExpiresAt.Add(time.Hour)
	rt.RevokedAt = rt.LastUsedAt.Add(time.Second)
	return rt
}

func newSession(poolID, sub string, expiresAt time.Time) store.Session {
	t0 := base()
	return store.Session{
		ID: randomHex(16), SecretHash: randomHex(32), PoolID: poolID, Sub: sub, IdentityProvider: "Google-" + randomHex(3),
		SecondFactor: pool.FactorSoftwareToken,
		AuthTime:     t0.Add(-time.Minute), CreatedAt: t0, ExpiresAt: expiresAt,
	}
}

func newSigningKey(kid, state string) store.SigningKey {
	t0 := base()
	return store.SigningKey{
		KID: kid, Use: store.UseAccess, Alg: pool.AlgES256, State: state,
		Sealed:    []byte{0x00, 0x10, 0x20, 0xff, byte(len(kid))},
		Public:    []byte(`{"kty":"EC","crv":"P-256","kid":"` + kid + `","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`),
		CreatedAt: t0.Add(-time.Hour),
		NotAfter:  t0.Add(24 * time.Hour),
	}
}

func newLamp(owner, id string) skillstore.Lamp {
	t0 := base()
	return skillstore.Lamp{
		Owner: owner, ID: id, Name: "Lampe " + id + " ünï", On: true, Brightness: 73,
		Hue: 212.5, Saturation: 0.375, ColorBright: 0.875, Kelvin: 4000, ColorMode: "color",
		Reachable: false, UpdatedAt: t0, CreatedAt: t0.Add(-time.Hour), PrevBright: 55,
		Version: 3, LastChangeBy: "alexa",
	}
}

// mutateLamp changes every field of l but the owner and the id.
func mutateLamp(l skillstore.Lamp) skillstore.Lamp {
	l.Name += " 2"
	l.On = !l.On
	l.Brightness++
	l.Hue += 0.25
	l.Saturation /= 2
	l.ColorBright /= 2
	l.Kelvin += 100
	l.ColorMode += "!"
	l.Reachable = !l.Reachable
	l.UpdatedAt = l.UpdatedAt.Add(time.Minute)
	l.CreatedAt = l.CreatedAt.Add(-time.Second)
	l.PrevBright++
	l.Version++
	l.LastChangeBy += "!"
	return l
}

func newAlexaGrant(owner string) skillstore.AlexaGrant {
	t0 := base()
	return skillstore.AlexaGrant{
		Owner: owner, SealedTokens: []byte{0x01, 0x00, 0xab, 0xcd},
		TokenExpiresAt: t0.Add(time.Hour), CreatedAt: t0.Add(-time.Minute), UpdatedAt: t0,
	}
}

// world is a pool with one client and one user, created in s: what most
// token tests need.
type world struct {
	pool   pool.Pool
	client pool.Client
	user   pool.User
}

func createWorld(t *testing.T, ctx context.Context, s store.Store) world {
	t.Helper()
	p := createPool(t, ctx, s, false)
	c := newClient(p.ID)
	mustOK(t, s.CreateClient(ctx, c), "CreateClient")
	u := newUser(p, "user-"+randomHex(4), randomHex(4)+"@example.com")
	mustOK(t, s.CreateUser(ctx, u), "CreateUser")
	return world{pool: p, client: c, user: u}
}

func createPool(t *testing.T, ctx context.Context, s store.Store, caseSensitive bool) pool.Pool {
	t.Helper()
	p := newPool(caseSensitive)
	mustOK(t, s.CreatePool(ctx, p), "CreatePool")
	return p
}

func createUser(t *testing.T, ctx context.Context, s store.Store, p pool.Pool, username, email string) pool.User {
	t.Helper()
	u := newUser(p, username, email)
	mustOK(t, s.CreateUser(ctx, u), "CreateUser "+username)
	return u
}
