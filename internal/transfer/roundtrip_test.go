package transfer_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/transfer"
)

const carolPassword = "Corr3ct-Horse!"

// world is what the source deployment holds before the move, and what
// its users and clients hold: passwords, tokens and refresh tokens.
type world struct {
	pool                 pool.Pool
	plain, rotating      *loadtest.Target // Alexa clients without and with refresh-token rotation
	carol, dave, erin    string           // subs: linked, locked out, unconfirmed
	frank                pool.User        // created by a sign-in at idp
	idp                  pool.IdentityProvider
	idpSecrets           []byte
	erinCode             pool.PendingCode
	oldAccess, newAccess string // signed before and after a key rotation
	plainRefresh         string // never changes: rotation off
	rotatingRefresh      string // the latest of the rotating client
	lamps                []skillstore.Lamp
	lwaTokens            []byte
	gina                 pool.User // signs in with an authenticator app and has a passkey
	ginaTOTPKey          string    // the authenticator app's secret, Base32
	ginaPasskey          pool.WebAuthnCredential
}

// createClient adds a confidential Alexa client and returns its target.
func createClient(t *testing.T, st skillstore.Database, box *seal.Box, r *router, poolID, name string, rotate bool) *loadtest.Target {
	t.Helper()
	c := pool.NewClient(poolID, name, time.Now())
	secret := pool.NewClientSecret()
	c.SealedSecret = box.Seal([]byte(secret), c.SecretAAD())
	c.CallbackURLs = []string{alexaRedirect}
	c.AllowedOAuthFlows = []string{pool.FlowCode}
	c.AllowedOAuthFlowsUserPoolClient = true
	c.AllowedOAuthScopes = []string{pool.ScopeOpenID, pool.ScopeEmail}
	c.RefreshTokenValidity, c.TokenValidityUnits.RefreshToken = 3650, pool.UnitDays
	if rotate {
		c.RefreshTokenRotation = pool.RefreshTokenRotation{Feature: pool.RotationEnabled, RetryGracePeriodSeconds: 60}
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return target(r, poolID, c.ID, secret)
}

// link signs carol in through the hosted form and exchanges the code.
func link(t *testing.T, tg *loadtest.Target, password string) loadtest.Tokens {
	t.Helper()
	ctx := context.Background()
	code, verifier, err := tg.Browser("").SignIn(ctx, "carol", password)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	tok, err := tg.Exchange(ctx, code, verifier, "")
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// seed fills the source deployment with one of everything.
func seed(t *testing.T, d *deployment, r *router, box *seal.Box) *world {
	t.Helper()
	ctx := context.Background()
	st, a := d.app.Store, d.app
	w := &world{pool: pool.NewPool("eu-west-1", "SmartLamp", time.Now())}
	w.pool.AliasAttributes = []string{pool.AttrEmail}
	w.pool.AutoVerifiedAttributes = []string{pool.AttrEmail}
	w.pool.CORSOrigins = []string{"https://app.smartlamp.example"}
	w.pool.MFA = pool.MFAConfig{Mode: pool.MFAOptional, SoftwareToken: true,
		WebAuthn: pool.WebAuthnConfig{RelyingPartyID: "smartlamp.example", FactorConfiguration: pool.WebAuthnMultiFactorWithUserVerification}}
	w.pool.AllowedFirstAuthFactors = []string{pool.FirstFactorPassword, pool.FirstFactorWebAuthn}
	w.pool.InviteMessage = pool.InviteTemplate{EmailSubject: "Welcome to SmartLamp", EmailMessage: "Hi {username}, your temporary password is {####}."}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("create pool", st.CreatePool(ctx, w.pool))
	must("ensure keys", a.Keys.Ensure(ctx, w.pool.ID, w.pool.SigningAlgorithm))
	must("create domain", st.CreateDomain(ctx, pool.Domain{Domain: "smartlamp-auth", PoolID: w.pool.ID, CreatedAt: time.Now()}))
	w.plain = createClient(t, st, box, r, w.pool.ID, "alexa", false)
	w.rotating = createClient(t, st, box, r, w.pool.ID, "alexa-rotating", true)

	res, err := a.Accounts.AdminCreateUser(ctx, w.pool, account.AdminCreateUserInput{
		Username: "carol", TemporaryPassword: carolPassword, Permanent: true, EmailVerified: true,
		Attributes: map[string]string{"email": "carol@example.com"},
	})
	must("create carol", err)
	w.carol = res.User.Sub
	res, err = a.Accounts.AdminCreateUser(ctx, w.pool, account.AdminCreateUserInput{
		Username: "dave", TemporaryPassword: "Dave-pw-1234!", Permanent: true,
	})
	must("create dave", err)
	w.dave = res.User.Sub
	must("lock dave out", st.UpdateUser(ctx, w.pool.ID, w.dave, func(u pool.User) (pool.User, error) {
		for range 6 {
			u.RecordFailedLogin(w.pool.LockoutPolicy, time.Now())
		}
		return u, nil
	}))
	su, err := a.Accounts.SignUp(ctx, w.pool, account.SignUpInput{
		Username: "erin", Password: "Erin-pw-1234!", Attributes: map[string]string{"email": "erin@example.com"},
	})
	must("sign up erin", err)
	w.erin = su.User.Sub
	must("count wrong codes of erin", st.UpdateUser(ctx, w.pool.ID, w.erin, func(u pool.User) (pool.User, error) {
		c := *u.Code
		c.Attempts, c.DayMisses = 2, 7 // the day's counts must move with the user
		u.Code = &c
		return u, nil
	}))
	erin, err := st.GetUser(ctx, w.pool.ID, w.erin)
	must("get erin", err)
	if erin.Code == nil {
		t.Fatal("erin has no pending code")
	}
	w.erinCode = *erin.Code

	// An OIDC provider with a sealed client secret, and a user it
	// created, linked to a second provider too.
	now := time.Now().UTC().Truncate(time.Microsecond)
	w.idp = pool.IdentityProvider{PoolID: w.pool.ID, ProviderName: "Corp", ProviderType: pool.ProviderOIDC,
		ProviderDetails: map[string]string{pool.DetailClientID: "corp-client", pool.DetailAuthorizeScopes: "openid email",
			pool.DetailOIDCIssuer: "https://idp.corp.example"},
		AttributeMapping: map[string]string{"email": "email", "username": "sub"},
		IdpIdentifiers:   []string{"corp.example", "corp"}, CreatedAt: now, UpdatedAt: now}
	w.idpSecrets = []byte(`{"client_secret":"corp-secret"}`)
	w.idp.SealedSecrets = box.Seal(w.idpSecrets, w.idp.SecretsAAD())
	must("create identity provider", st.CreateIdentityProvider(ctx, w.idp))
	w.frank = pool.User{PoolID: w.pool.ID, Sub: pool.NewSub(), Username: pool.FederatedUsername("Corp", "frank-at-corp"),
		Status: pool.StatusExternalProvider, Enabled: true, Attributes: map[string]string{"email": "frank@corp.example"},
		Identities: []pool.Identity{
			pool.NewIdentity(w.idp, "frank-at-corp", true, now),
			{UserID: "1093", ProviderName: pool.ProviderGoogle, ProviderType: pool.ProviderGoogle, Primary: "false", CreatedAt: now.UnixMilli()},
		},
		CreatedAt: now, UpdatedAt: now}
	w.frank.UsernameKey = w.pool.UsernameKey(w.frank.Username)
	must("create frank", st.CreateUser(ctx, w.frank))

	// A user with an authenticator app, set up as a browser does, and a
	// passkey.
	res, err = a.Accounts.AdminCreateUser(ctx, w.pool, account.AdminCreateUserInput{
		Username: "gina", TemporaryPassword: "Gina-pw-1234!", Permanent: true,
	})
	must("create gina", err)
	w.ginaTOTPKey, err = a.Accounts.AssociateSoftwareToken(ctx, w.pool, res.User.Sub)
	must("associate gina's authenticator app", err)
	code, err := totp.GenerateCodeCustom(w.ginaTOTPKey, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	must("compute a TOTP code", err)
	_, err = a.Accounts.VerifySoftwareToken(ctx, w.pool, res.User.Sub, code, "gina's phone")
	must("verify gina's authenticator app", err)
	w.ginaPasskey = pool.WebAuthnCredential{PoolID: w.pool.ID, Sub: res.User.Sub, ID: []byte{0x9c, 0, 0xff, 0x10}, PublicKey: []byte{0xa5, 1, 2, 3},
		AttestationType: "none", SignCount: 3, Transports: []string{"internal", "hybrid"}, Attachment: "platform",
		UserPresent: true, UserVerified: true, BackupEligible: true, BackupState: true, Name: "gina's laptop",
		RelyingPartyID: "smartlamp.example", CreatedAt: now, LastUsedAt: now}
	must("create gina's passkey", st.CreateWebAuthnCredential(ctx, w.ginaPasskey))
	w.gina, err = st.GetUser(ctx, w.pool.ID, res.User.Sub)
	must("get gina", err)
	if w.gina.MFA.TOTP == nil || !w.gina.MFA.SoftwareTokenEnabled {
		t.Fatalf("gina has no authenticator app: %+v", w.gina.MFA)
	}

	must("create group", st.CreateGroup(ctx, pool.Group{PoolID: w.pool.ID, Name: "admins", CreatedAt: time.Now(), UpdatedAt: time.Now()}))
	must("add carol to admins", st.AddUserToGroup(ctx, w.pool.ID, "admins", w.carol))

	// A token signed before a key rotation, one after: both must verify
	// after the move, the first with the retired key.
	first := link(t, w.plain, carolPassword)
	w.oldAccess, w.plainRefresh = first.AccessToken, first.RefreshToken
	_, err = a.Keys.Rotate(ctx, w.pool.ID, w.pool.SigningAlgorithm, time.Hour, 0)
	must("rotate keys", err)
	second := link(t, w.rotating, carolPassword)
	w.newAccess, w.rotatingRefresh = second.AccessToken, second.RefreshToken

	for i, name := range []string{"Desk", "Hall"} {
		l := skillstore.Lamp{Owner: w.carol, ID: "lamp-" + name, Name: name, On: i == 0, Brightness: 40 + i, Kelvin: 2700,
			ColorMode: "temperature", Reachable: true, CreatedAt: time.Now().UTC().Truncate(time.Microsecond),
			UpdatedAt: time.Now().UTC().Truncate(time.Microsecond), Version: int64(3 + i), LastChangeBy: "alexa"}
		must("create lamp", st.CreateLamp(ctx, l))
		w.lamps = append(w.lamps, l)
	}
	w.lwaTokens = []byte(`{"access_token":"Atza|lwa","refresh_token":"Atzr|lwa"}`)
	must("put Alexa grant", st.PutAlexaGrant(ctx, skillstore.AlexaGrant{
		Owner: w.carol, SealedTokens: box.Seal(w.lwaTokens, skillstore.LWATokenContext(w.carol)),
		TokenExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), UpdatedAt: time.Now(),
	}))
	return w
}

// TestRoundTrip moves a deployment SQLite → PostgreSQL → SQLite with
// export and import. After each move the new deployment holds exactly
// what the old one held (its own export is line for line the same), and
// everything users and clients hold keeps working: old access tokens
// verify against the new JWKS and at userInfo, old refresh tokens
// refresh, passwords sign in, a locked-out user stays locked, lamps and
// Alexa grants are intact.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	box := testBox(t, masterKey)
	r := &router{}
	cur := openSQLite(t)
	d := r.serve(t, cur, box)
	w := seed(t, d, r, box)

	hops := []struct {
		name string
		open func(testing.TB) skillstore.Database
	}{
		{"SQLite to PostgreSQL", openPostgres},
		{"PostgreSQL to SQLite", openSQLite},
	}
	for _, hop := range hops {
		var exported bytes.Buffer
		counts, err := transfer.Export(ctx, cur, &exported)
		if err != nil {
			t.Fatalf("%s: export: %v", hop.name, err)
		}
		want := transfer.Counts{Pools: 1, Domains: 1, Clients: 2, IdentityProviders: 1, KeySets: 1, Users: 5, Groups: 1, Members: 1,
			WebAuthnCredentials: 1, Lamps: 2, AlexaGrants: 1}
		if counts.RefreshTokens < 2 {
			t.Fatalf("%s: exported %d refresh tokens, want at least 2", hop.name, counts.RefreshTokens)
		}
		want.RefreshTokens = counts.RefreshTokens
		// The seed's administrative changes (its pool, ...)
		// are in the audit log; the re-export below compares them
		// record for record.
		if counts.AuditRecords < 1 {
			t.Fatalf("%s: exported %d audit records, want some", hop.name, counts.AuditRecords)
		}
		want.AuditRecords = counts.AuditRecords
		if counts != want {
			t.Fatalf("%s: exported %s, want %s", hop.name, counts, want)
		}
		if got, err := transfer.Check(ctx, box, bytes.NewReader(exported.Bytes())); err != nil || got != counts {
			t.Fatalf("%s: Check = %s, %v; want %s", hop.name, got, err, counts)
		}

		d.srv.Close() // the old deployment stops
		dst := hop.open(t)
		got, err := transfer.Import(ctx, dst, box, bytes.NewReader(exported.Bytes()), transfer.ImportOptions{})
		if err != nil || got != counts {
			t.Fatalf("%s: Import = %s, %v; want %s", hop.name, got, err, counts)
		}
		var again bytes.Buffer
		if _, err := transfer.Export(ctx, dst, &again); err != nil {
			t.Fatalf("%s: export of the target: %v", hop.name, err)
		}
		if a, b := records(t, exported.String()), records(t, again.String()); !slices.Equal(a, b) {
			t.Fatalf("%s: the target exports other records than the source:\nsource %d records\ntarget %d records\nfirst difference: %s", hop.name, len(a), len(b), firstDiff(a, b))
		}

		d = r.serve(t, dst, box)
		checkWorld(t, hop.name, d, r, w, box)
		cur = dst
	}
}

// checkWorld checks, through the new deployment, what users and clients
// of the old one hold.
func checkWorld(t *testing.T, hop string, d *deployment, r *router, w *world, box *seal.Box) {
	t.Helper()
	ctx := context.Background()
	st := d.app.Store
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(hop+": "+format, args...)
	}

	p, err := st.GetPool(ctx, w.pool.ID)
	if err != nil || !slices.Equal(p.CORSOrigins, w.pool.CORSOrigins) {
		fail("the pool's CORS origins did not move: %q, %v", p.CORSOrigins, err)
	}
	if p.MFA != w.pool.MFA || !slices.Equal(p.AllowedFirstAuthFactors, w.pool.AllowedFirstAuthFactors) {
		fail("the pool's MFA settings did not move: %+v %v", p.MFA, p.AllowedFirstAuthFactors)
	}
	if p.InviteMessage != w.pool.InviteMessage {
		fail("the pool's invitation template did not move: %+v", p.InviteMessage)
	}
	checkGina(t, hop, d, w, box)

	keys := jwks(t, r, w.pool.ID)
	for name, tok := range map[string]string{"access token signed with the retired key": w.oldAccess, "access token signed with the active key": w.newAccess} {
		if err := verifyWith(keys, tok); err != nil {
			fail("%s does not verify against the new JWKS: %v", name, err)
		}
		if sub := userInfo(t, r, w.pool.ID, tok); sub != w.carol {
			fail("userInfo with the %s: sub %q, want carol's", name, sub)
		}
	}

	if _, err := w.plain.Refresh(ctx, w.plainRefresh, ""); err != nil {
		fail("the refresh token issued before the first move: %v", err)
	}
	tok, err := w.rotating.Refresh(ctx, w.rotatingRefresh, "")
	if err != nil || tok.RefreshToken == "" || tok.RefreshToken == w.rotatingRefresh {
		fail("the latest rotated refresh token: %v (rotated: %v)", err, tok.RefreshToken != "")
	}
	w.rotatingRefresh = tok.RefreshToken

	if fresh := link(t, w.plain, carolPassword); fresh.RefreshToken == "" {
		fail("carol signed in with her old password but got no refresh token")
	}

	dave, err := st.GetUser(ctx, w.pool.ID, w.dave)
	if err != nil || !dave.Locked(time.Now()) || dave.FailedLogins < 6 {
		fail("dave's lockout did not move: %+v, %v", dave.LockedUntil, err)
	}
	_, _, err = w.plain.Browser("").SignIn(ctx, "dave", "Dave-pw-1234!")
	var pe *loadtest.PageError
	if !errors.As(err, &pe) {
		fail("a locked-out user signed in with the right password: %v", err)
	}

	erin, err := st.GetUser(ctx, w.pool.ID, w.erin)
	if err != nil || erin.Status != pool.StatusUnconfirmed || erin.Code == nil || *erin.Code != w.erinCode {
		fail("erin's pending confirmation did not move: %+v, %v", erin.Code, err)
	}

	idp, err := st.GetIdentityProviderByIdentifier(ctx, w.pool.ID, "corp")
	if err != nil || idp.ProviderName != w.idp.ProviderName || idp.ProviderDetails[pool.DetailOIDCIssuer] != w.idp.ProviderDetails[pool.DetailOIDCIssuer] ||
		!slices.Equal(idp.IdpIdentifiers, w.idp.IdpIdentifiers) || !idp.CreatedAt.Equal(w.idp.CreatedAt) {
		fail("the identity provider did not move: %+v, %v", idp, err)
	}
	if plain, err := box.Open(idp.SealedSecrets, idp.SecretsAAD()); err != nil || !bytes.Equal(plain, w.idpSecrets) {
		fail("the identity provider's secrets do not open: %v", err)
	}
	for _, id := range w.frank.Identities {
		frank, err := st.GetUserByIdentity(ctx, w.pool.ID, id.ProviderName, id.UserID)
		if err != nil || frank.Sub != w.frank.Sub || !slices.Equal(frank.Identities, w.frank.Identities) {
			fail("frank by his %s identity: %+v, %v", id.ProviderName, frank.Identities, err)
		}
	}

	groups, err := st.ListGroupsForUser(ctx, w.pool.ID, w.carol)
	if err != nil || len(groups) != 1 || groups[0].Name != "admins" {
		fail("carol's groups %v, %v", groups, err)
	}
	if _, err := st.GetDomain(ctx, "smartlamp-auth"); err != nil {
		fail("domain: %v", err)
	}

	lamps, err := st.ListLamps(ctx, w.carol)
	if err != nil || len(lamps) != len(w.lamps) {
		fail("lamps %v, %v", lamps, err)
	}
	for i := range lamps {
		if lamps[i] != w.lamps[i] {
			fail("lamp %s changed: %+v, want %+v", w.lamps[i].ID, lamps[i], w.lamps[i])
		}
	}
	g, err := st.GetAlexaGrant(ctx, w.carol)
	if err != nil {
		fail("Alexa grant: %v", err)
	}
	if plain, err := box.Open(g.SealedTokens, skillstore.LWATokenContext(w.carol)); err != nil || !bytes.Equal(plain, w.lwaTokens) {
		fail("the Alexa grant's LWA tokens do not open: %v", err)
	}
}

// checkGina checks that gina's authenticator app and passkey moved: the
// TOTP secret opens, bound to her, to the key she set up her app with,
// and the account service reads it (a wrong code is a code mismatch, not
// a failure to open the secret).
func checkGina(t *testing.T, hop string, d *deployment, w *world, box *seal.Box) {
	t.Helper()
	ctx := context.Background()
	st := d.app.Store
	gina, err := st.GetUser(ctx, w.pool.ID, w.gina.Sub)
	if err != nil || gina.MFA.TOTP == nil {
		t.Fatalf("%s: gina's authenticator app did not move: %+v, %v", hop, gina.MFA, err)
	}
	if gina.MFA.TOTP.Name != "gina's phone" || gina.MFA.TOTP.LastStep != w.gina.MFA.TOTP.LastStep ||
		!gina.MFA.SoftwareTokenEnabled || gina.MFA.Preferred != pool.FactorSoftwareToken {
		t.Fatalf("%s: gina's factors %+v, want %+v", hop, gina.MFA, w.gina.MFA)
	}
	key, err := box.Open(gina.MFA.TOTP.Secret, account.TOTPSecretAAD(w.pool.ID, gina.Sub))
	if err != nil || base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key) != w.ginaTOTPKey {
		t.Fatalf("%s: gina's TOTP secret does not open to her key: %v", hop, err)
	}
	p, err := st.GetPool(ctx, w.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.app.Accounts.VerifyTOTP(ctx, p, gina.Sub, "000000"); account.TypeOf(err) != account.CodeMismatchException {
		t.Fatalf("%s: a wrong TOTP code of gina: %v, want CodeMismatchException", hop, err)
	}
	passkeys, err := st.ListWebAuthnCredentials(ctx, w.pool.ID, gina.Sub)
	if err != nil || len(passkeys) != 1 {
		t.Fatalf("%s: gina's passkeys %+v, %v", hop, passkeys, err)
	}
	got, want := passkeys[0], w.ginaPasskey
	got.CreatedAt, got.LastUsedAt, want.CreatedAt, want.LastUsedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) || !passkeys[0].CreatedAt.Equal(w.ginaPasskey.CreatedAt) || !passkeys[0].LastUsedAt.Equal(w.ginaPasskey.LastUsedAt) {
		t.Fatalf("%s: gina's passkey %+v, want %+v", hop, passkeys[0], w.ginaPasskey)
	}
	byID, err := st.GetWebAuthnCredential(ctx, w.pool.ID, w.ginaPasskey.ID)
	if err != nil || byID.Sub != gina.Sub {
		t.Fatalf("%s: gina's passkey by its id: %+v, %v", hop, byID, err)
	}
}

// records returns an export's record lines, sorted: the order of users
// within a pool is each backend's listing order.
func records(t *testing.T, export string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(export, "\n"), "\n")
	if len(lines) < 2 || !strings.Contains(lines[0], `"format":"linkpool-export"`) {
		t.Fatalf("not an export: %.200q", export)
	}
	out := slices.Clone(lines[1:])
	slices.Sort(out)
	return out
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return "\n  " + a[i] + "\n  " + b[i]
		}
	}
	return "one is a prefix of the other"
}

func get(t *testing.T, r *router, path, bearer string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, publicURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := r.transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func jwks(t *testing.T, r *router, poolID string) jose.JSONWebKeySet {
	t.Helper()
	status, body := get(t, r, "/"+poolID+"/.well-known/jwks.json", "")
	var set jose.JSONWebKeySet
	if status != http.StatusOK || json.Unmarshal(body, &set) != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS: %d %s", status, body)
	}
	return set
}

func verifyWith(set jose.JSONWebKeySet, tok string) error {
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return err
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		return errors.New("kid not in the JWKS")
	}
	_, err = jws.Verify(keys[0])
	return err
}

func userInfo(t *testing.T, r *router, poolID, tok string) string {
	t.Helper()
	status, body := get(t, r, "/"+poolID+"/oauth2/userInfo", tok)
	var claims struct {
		Sub string `json:"sub"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &claims) != nil {
		t.Fatalf("userInfo: %d %s", status, body)
	}
	return claims.Sub
}
