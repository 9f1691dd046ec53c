package transfer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
	"github.com/linkpool/linkpool/internal/transfer"
)

// smallExport returns the export of a store holding one of each record
// type, made without a server.
func smallExport(t *testing.T, box *seal.Box) []string {
	t.Helper()
	ctx := context.Background()
	st := openSQLite(t)
	now := time.Now()
	p := pool.NewPool("us-east-1", "small", now)
	p.LambdaConfig.PreSignUp = "https://hooks.example.com/pre-sign-up"
	p.Branding.Messages = map[string]map[string]string{"de": {"login.intro": "Melden Sie sich bei {pool} an."}}
	p.TriggerSecret = box.Seal([]byte("trigger secret"), p.TriggerSecretAAD())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.CreatePool(ctx, p))
	must(token.NewKeys(st, box, token.KeysOptions{}).Ensure(ctx, p.ID, pool.AlgES256))
	c := pool.NewClient(p.ID, "alexa", now)
	c.SealedSecret = box.Seal([]byte("secret"), c.SecretAAD())
	must(st.CreateClient(ctx, c))
	idp := pool.IdentityProvider{PoolID: p.ID, ProviderName: "Corp", ProviderType: pool.ProviderOIDC,
		ProviderDetails:  map[string]string{pool.DetailClientID: "corp-client", pool.DetailOIDCIssuer: "https://idp.example.com", pool.DetailAuthorizeScopes: "openid"},
		AttributeMapping: map[string]string{"email": "email"}, IdpIdentifiers: []string{"corp.example.com"}, CreatedAt: now, UpdatedAt: now}
	idp.SealedSecrets = box.Seal([]byte(`{"client_secret":"s3cret"}`), idp.SecretsAAD())
	must(st.CreateIdentityProvider(ctx, idp))
	u := pool.User{PoolID: p.ID, Sub: pool.NewSub(), Username: "ann", UsernameKey: "ann", Status: pool.StatusConfirmed,
		Enabled: true, PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA", CreatedAt: now,
		SRPSalt: "00c0ffee", Identities: []pool.Identity{pool.NewIdentity(idp, "corp-subject-1", false, now)}}
	u.SRPVerifier = box.Seal([]byte("verifier of ann"), u.SRPVerifierAAD())
	u.MFA = pool.UserMFA{
		TOTP:                 &pool.TOTPDevice{Secret: box.Seal([]byte("totp key of ann"), account.TOTPSecretAAD(p.ID, u.Sub)), Name: "phone", LastStep: 12345, CreatedAt: now.UTC()},
		PendingTOTP:          &pool.TOTPDevice{Secret: box.Seal([]byte("new totp key of ann"), account.TOTPSecretAAD(p.ID, u.Sub)), CreatedAt: now.UTC()},
		SoftwareTokenEnabled: true, Preferred: pool.FactorSoftwareToken,
		WebAuthnRegistration: &pool.PendingCeremony{State: []byte("sealed ceremony"), ExpiresAt: now.Add(5 * time.Minute).UTC()},
	}
	must(st.CreateUser(ctx, u))
	must(st.CreateWebAuthnCredential(ctx, pool.WebAuthnCredential{PoolID: p.ID, Sub: u.Sub, ID: []byte{0, 1, 2, 0xfe},
		PublicKey: []byte{0xa5, 1, 2}, SignCount: 7, Transports: []string{"internal"}, UserVerified: true, Name: "laptop",
		RelyingPartyID: "auth.example.com", CreatedAt: now}))
	must(st.CreateGroup(ctx, pool.Group{PoolID: p.ID, Name: "g", CreatedAt: now}))
	must(st.AddUserToGroup(ctx, p.ID, "g", u.Sub))
	must(st.CreateRefreshToken(ctx, store.RefreshToken{ID: "rt1", OriginJTI: "o1", PoolID: p.ID, ClientID: c.ID, Sub: u.Sub,
		SecretHash: "h", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	must(st.CreateLamp(ctx, skillstore.Lamp{Owner: u.Sub, ID: "l1", Name: "Desk", ColorMode: "color", CreatedAt: now}))
	must(st.PutAlexaGrant(ctx, skillstore.AlexaGrant{Owner: u.Sub,
		SealedTokens: box.Seal([]byte("lwa"), skillstore.LWATokenContext(u.Sub)), CreatedAt: now}))
	must(st.AppendAudit(ctx, store.AuditRecord{ID: "0001audit", Time: now, ActorKind: "cli", ActorID: "ops", Action: "CreateUserPool",
		PoolID: p.ID, Target: p.ID, Changed: []store.AuditChange{{Field: "Name", Value: "small"}, {Field: "TriggerSecret", Withheld: true}},
		Result: "ok"}))
	var b bytes.Buffer
	if _, err := transfer.Export(ctx, st, &b); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

var (
	sealedTokensField   = regexp.MustCompile(`"sealed_tokens":"[^"]*"`)
	sealedVerifierField = regexp.MustCompile(`"sealed_srp_verifier":"[^"]*"`)
	sealedSecretsField  = regexp.MustCompile(`"sealed_secrets":"[^"]*"`)
	totpSecretField     = regexp.MustCompile(`"totp":\{"secret":"[^"]*"`)
	passkeyIDField      = regexp.MustCompile(`"id":"[^"]*"`)
	publicKeyField      = regexp.MustCompile(`"public_key":"[^"]*"`)

	sealedClientSecretField  = regexp.MustCompile(`"sealed_secret":"[^"]*"`)
	sealedTriggerSecretField = regexp.MustCompile(`"sealed_trigger_secret":"[^"]*"`)
)

// index returns the index of the first line of type typ.
func index(t *testing.T, lines []string, typ string) int {
	t.Helper()
	for i, l := range lines {
		if strings.HasPrefix(l, `{"type":"`+typ+`"`) {
			return i
		}
	}
	t.Fatalf("no %s line", typ)
	return -1
}

// TestBadInput: input that is not a complete, valid export made with
// this master key fails Check and Import with an error naming the line
// and the problem, and Import writes nothing.
func TestBadInput(t *testing.T) {
	box := testBox(t, masterKey)
	good := smallExport(t, box)
	edit := func(fn func(lines []string) []string) string {
		return strings.Join(fn(append([]string(nil), good...)), "\n") + "\n"
	}
	replace := func(typ, old, new string) string {
		return edit(func(l []string) []string {
			i := index(t, l, typ)
			if !strings.Contains(l[i], old) {
				t.Fatalf("%s line lacks %q", typ, old)
			}
			l[i] = strings.Replace(l[i], old, new, 1)
			return l
		})
	}
	tests := []struct {
		name  string
		input string
		box   *seal.Box
		want  string // in the error
		seal  bool   // a *SealError rather than a *FormatError
	}{
		{name: "empty", input: "", want: "empty input"},
		{name: "not JSON", input: "hello\n", want: "not a linkpool export"},
		{name: "another format", input: `{"format":"other","version":1}` + "\n", want: "not a linkpool export"},
		{name: "newer version", input: edit(func(l []string) []string {
			l[0] = strings.Replace(l[0], `"version":1`, `"version":2`, 1)
			return l
		}), want: "version 2"},
		{name: "unknown record type", input: edit(func(l []string) []string {
			return append(l[:1], append([]string{`{"type":"widget","data":{}}`}, l[1:]...)...)
		}), want: `unknown record type "widget"`},
		{name: "unknown field", input: replace("user", `"sub":`, `"shoe_size":42,"sub":`), want: `unknown field "shoe_size"`},
		{name: "wrong field type", input: replace("user", `"password_hash":"`, `"password_hash":1,"x":"`), want: "password_hash"},
		{name: "record before its pool", input: edit(func(l []string) []string {
			u := index(t, l, "user")
			user := l[u]
			l = append(l[:u], l[u+1:]...)
			return append(l[:1], append([]string{user}, l[1:]...)...)
		}), want: "does not precede it"},
		{name: "message override of an unknown language", input: replace("pool", `"de":{"login.intro"`, `"xx":{"login.intro"`), want: "Branding.Messages"},
		{name: "message override of an unknown key", input: replace("pool", `"login.intro"`, `"login.nope"`), want: "Branding.Messages"},
		{name: "message override with another placeholder", input: replace("pool", `bei {pool} an`, `bei {user} an`), want: "Branding.Messages"},
		{name: "invalid pool setting", input: replace("pool", `"MinimumLength":8`, `"MinimumLength":3`), want: "MinimumLength"},
		{name: "pool twice", input: edit(func(l []string) []string {
			return append(l[:2], l[1:]...)
		}), want: "appears twice"},
		{name: "truncated", input: edit(func(l []string) []string { return l[:len(l)-1] }), want: "truncated"},
		{name: "record missing", input: edit(func(l []string) []string {
			i := index(t, l, "lamp")
			return append(l[:i], l[i+1:]...)
		}), want: "end record counts"},
		{name: "data after the end", input: edit(func(l []string) []string { return append(l, l[1]) }), want: "after the end record"},
		{name: "broken line", input: edit(func(l []string) []string {
			i := index(t, l, "group")
			l[i] = l[i][:len(l[i])/2]
			return l
		}), want: "line 7: bad record: incomplete JSON"},
		{name: "identity provider before its pool", input: edit(func(l []string) []string {
			i := index(t, l, "identity_provider")
			idp := l[i]
			l = append(l[:i], l[i+1:]...)
			return append(l[:1], append([]string{idp}, l[1:]...)...)
		}), want: "does not precede it"},
		{name: "identity provider twice", input: edit(func(l []string) []string {
			i := index(t, l, "identity_provider")
			return append(l[:i+1], l[i:]...)
		}), want: `identity provider "Corp" of pool`},
		{name: "identifier of another provider", input: edit(func(l []string) []string {
			i := index(t, l, "identity_provider")
			other := strings.Replace(l[i], `"provider_name":"Corp"`, `"provider_name":"Other"`, 1)
			other = sealedSecretsField.ReplaceAllString(other, `"sealed_secrets":"`+base64.StdEncoding.EncodeToString(box.Seal([]byte("{}"), []byte("idp-secrets/x/Other")))+`"`)
			return append(l[:i+1], append([]string{other}, l[i+1:]...)...)
		}), want: `identifier "corp.example.com", which another provider`},
		{name: "invalid identity provider", input: replace("identity_provider", `"provider_type":"OIDC"`, `"provider_type":"Bogus"`), want: "ProviderType"},
		{name: "plain provider secret", input: replace("identity_provider", `"provider_details":{`, `"provider_details":{"client_secret":"x",`), want: "must be sealed"},
		{name: "provider secrets of another provider", input: edit(func(l []string) []string {
			i := index(t, l, "identity_provider")
			moved := base64.StdEncoding.EncodeToString(box.Seal([]byte(`{"client_secret":"s3cret"}`), []byte("idp-secrets/other-pool/Corp")))
			l[i] = sealedSecretsField.ReplaceAllString(l[i], `"sealed_secrets":"`+moved+`"`)
			return l
		}), seal: true, want: "secrets of identity provider Corp"},
		{name: "identity without subject", input: replace("user", `"userId":"corp-subject-1"`, `"userId":""`), want: "without providerName or userId"},
		{name: "identity subject too long", input: replace("user", `"userId":"corp-subject-1"`, `"userId":"`+strings.Repeat("s", pool.MaxSubjectLen+1)+`"`), want: "subject"},
		{name: "identity subject with a control character", input: replace("user", `"userId":"corp-subject-1"`, `"userId":"corp\u0001subject"`), want: "subject"},
		{name: "identity twice", input: edit(func(l []string) []string {
			i := index(t, l, "user")
			j := strings.Index(l[i], `"identities":[`) + len(`"identities":[`)
			end := strings.Index(l[i][j:], "}") + j + 1
			l[i] = l[i][:end] + "," + l[i][j:end] + l[i][end:]
			return l
		}), want: "twice"},
		{name: "other master key", box: testBox(t, "fedcba9876543210fedcba9876543210"), seal: true, want: "trigger secret of pool"},
		{name: "trigger secret of another pool", input: edit(func(l []string) []string {
			i := index(t, l, "pool")
			moved := base64.StdEncoding.EncodeToString(box.Seal([]byte("s"), []byte("trigger-secret/us-east-1_other0000")))
			l[i] = sealedTriggerSecretField.ReplaceAllString(l[i], `"sealed_trigger_secret":"`+moved+`"`)
			return l
		}), seal: true, want: "trigger secret"},
		{name: "client secret of another client", input: edit(func(l []string) []string {
			i := index(t, l, "client")
			moved := base64.StdEncoding.EncodeToString(box.Seal([]byte("s"), []byte("client-secret/otherclient")))
			l[i] = sealedClientSecretField.ReplaceAllString(l[i], `"sealed_secret":"`+moved+`"`)
			return l
		}), seal: true, want: "secret of client"},
		{name: "LWA tokens of another user", input: edit(func(l []string) []string {
			i := index(t, l, "alexa_grant")
			moved := base64.StdEncoding.EncodeToString(box.Seal([]byte("lwa"), skillstore.LWATokenContext("someone-else")))
			l[i] = sealedTokensField.ReplaceAllString(l[i], `"sealed_tokens":"`+moved+`"`)
			return l
		}), seal: true, want: "Login with Amazon tokens"},
		{name: "SRP verifier of another user", input: edit(func(l []string) []string {
			i := index(t, l, "user")
			moved := base64.StdEncoding.EncodeToString(box.Seal([]byte("v"), []byte("srp-verifier/other/sub")))
			l[i] = sealedVerifierField.ReplaceAllString(l[i], `"sealed_srp_verifier":"`+moved+`"`)
			return l
		}), seal: true, want: "SRP verifier"},
		{name: "TOTP secret of another user", input: edit(func(l []string) []string {
			i := index(t, l, "user")
			moved := base64.StdEncoding.EncodeToString(box.Seal([]byte("totp key of ann"), account.TOTPSecretAAD("other-pool", "other-sub")))
			if !totpSecretField.MatchString(l[i]) {
				t.Fatalf("user line without a TOTP secret: %s", l[i])
			}
			l[i] = totpSecretField.ReplaceAllString(l[i], `"totp":{"secret":"`+moved+`"`)
			return l
		}), seal: true, want: "the TOTP secret of user"},
		{name: "passkey before its pool", input: edit(func(l []string) []string {
			i := index(t, l, "webauthn_credential")
			c := l[i]
			l = append(l[:i], l[i+1:]...)
			return append(l[:1], append([]string{c}, l[1:]...)...)
		}), want: "does not precede it"},
		{name: "passkey without an id", input: edit(func(l []string) []string {
			i := index(t, l, "webauthn_credential")
			l[i] = passkeyIDField.ReplaceAllString(l[i], `"id":""`)
			return l
		}), want: "without an id"},
		{name: "passkey without a public key", input: edit(func(l []string) []string {
			i := index(t, l, "webauthn_credential")
			l[i] = publicKeyField.ReplaceAllString(l[i], `"public_key":""`)
			return l
		}), want: "without a public key"},
		{name: "passkey field unknown", input: replace("webauthn_credential", `"sign_count":`, `"counter":1,"sign_count":`), want: `unknown field "counter"`},
		{name: "audit record without an action", input: replace("audit_record", `"action":"CreateUserPool"`, `"action":""`),
			want: "audit record 0001audit without an action"},
		{name: "audit record without a time", input: edit(func(l []string) []string {
			i := index(t, l, "audit_record")
			l[i] = regexp.MustCompile(`"time":"[^"]*",`).ReplaceAllString(l[i], "")
			return l
		}), want: "audit record 0001audit without a time"},
		{name: "audit record field unknown", input: replace("audit_record", `"result":`, `"ip":"x","result":`), want: `unknown field "ip"`},
		{name: "tampered signing key", input: edit(func(l []string) []string {
			i := index(t, l, "key_set")
			l[i] = strings.Replace(l[i], `"sealed":"A`, `"sealed":"B`, 1)
			return l
		}), seal: true, want: "signing keys of pool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.input
			if in == "" && tc.name != "empty" {
				in = strings.Join(good, "\n") + "\n"
			}
			b := box
			if tc.box != nil {
				b = tc.box
			}
			_, err := transfer.Check(context.Background(), b, strings.NewReader(in))
			checkBadInputError(t, "Check", err, tc.want, tc.seal, in)

			target := openSQLite(t)
			_, err = transfer.Import(context.Background(), target, b, strings.NewReader(in), transfer.ImportOptions{})
			checkBadInputError(t, "Import", err, tc.want, tc.seal, in)
			mustBeEmpty(t, target)
		})
	}
}

func checkBadInputError(t *testing.T, what string, err error, want string, sealErr bool, input string) {
	t.Helper()
	var fe *transfer.FormatError
	var se *transfer.SealError
	switch {
	case err == nil:
		t.Fatalf("%s accepted the input", what)
	case sealErr && !errors.As(err, &se):
		t.Fatalf("%s = %v, want a SealError", what, err)
	case !sealErr && !errors.As(err, &fe):
		t.Fatalf("%s = %v, want a FormatError", what, err)
	case !strings.Contains(err.Error(), want):
		t.Fatalf("%s = %q, want it to mention %q", what, err, want)
	}
	// The message never quotes hashes or sealed values.
	for _, field := range []string{`"password_hash":"`, `"sealed_secret":"`, `"sealed":"`, `"sealed_tokens":"`, `"secret_hash":"`} {
		_, rest, ok := strings.Cut(input, field)
		if !ok {
			continue
		}
		value, _, _ := strings.Cut(rest, `"`)
		if len(value) > 4 && strings.Contains(err.Error(), value) {
			t.Fatalf("%s error quotes a %s value: %q", what, field, err)
		}
	}
}

func mustBeEmpty(t *testing.T, st skillstore.Database) {
	t.Helper()
	ctx := context.Background()
	pools, err := st.ListPools(ctx, store.ListOptions{})
	if err != nil || len(pools.Items) != 0 {
		t.Fatalf("the target has %d pools after a failed import (%v)", len(pools.Items), err)
	}
	lamps, err := st.ListAllLamps(ctx, store.ListOptions{})
	if err != nil || len(lamps.Items) != 0 {
		t.Fatalf("the target has %d lamps after a failed import (%v)", len(lamps.Items), err)
	}
}

// TestImportNeedsEmptyTarget: an import never merges into a store that
// holds data, even data of another kind than the export's.
func TestImportNeedsEmptyTarget(t *testing.T) {
	box := testBox(t, masterKey)
	in := strings.Join(smallExport(t, box), "\n") + "\n"
	tests := []struct {
		name string
		fill func(st skillstore.Database) error
	}{
		{name: "a pool", fill: func(st skillstore.Database) error {
			return st.CreatePool(context.Background(), pool.NewPool("us-east-1", "existing", time.Now()))
		}},
		{name: "a lamp only", fill: func(st skillstore.Database) error {
			return st.CreateLamp(context.Background(), skillstore.Lamp{Owner: "someone", ID: "l", CreatedAt: time.Now()})
		}},
		{name: "an Alexa grant only", fill: func(st skillstore.Database) error {
			return st.PutAlexaGrant(context.Background(), skillstore.AlexaGrant{Owner: "someone"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openSQLite(t)
			if err := tc.fill(st); err != nil {
				t.Fatal(err)
			}
			_, err := transfer.Import(context.Background(), st, box, strings.NewReader(in), transfer.ImportOptions{})
			if !errors.Is(err, transfer.ErrNotEmpty) {
				t.Fatalf("Import into a store with %s = %v, want ErrNotEmpty", tc.name, err)
			}
			pools, _ := st.ListPools(context.Background(), store.ListOptions{})
			for _, p := range pools.Items {
				if p.Name != "existing" {
					t.Fatalf("Import wrote pool %s into a non-empty store", p.ID)
				}
			}
		})
	}
}

// TestImportBulk: an import into either store, written in one
// transaction, holds exactly what the export holds.
func TestImportBulk(t *testing.T) {
	box := testBox(t, masterKey)
	in := strings.Join(smallExport(t, box), "\n") + "\n"
	for _, target := range []struct {
		name string
		open func(testing.TB) skillstore.Database
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		st := target.open(t)
		got, err := transfer.Import(context.Background(), st, box, strings.NewReader(in), transfer.ImportOptions{})
		want := transfer.Counts{Pools: 1, Clients: 1, IdentityProviders: 1, KeySets: 1, Users: 1, Groups: 1, Members: 1, RefreshTokens: 1,
			WebAuthnCredentials: 1, Lamps: 1, AlexaGrants: 1, AuditRecords: 1}
		if err != nil || got != want {
			t.Fatalf("Import into %s = %s, %v; want %s", target.name, got, err, want)
		}
		var out bytes.Buffer
		if _, err := transfer.Export(context.Background(), st, &out); err != nil {
			t.Fatal(err)
		}
		if a, b := records(t, in), records(t, out.String()); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("the %s target differs: %s", target.name, firstDiff(a, b))
		}
	}
}

// TestImportPasskeyOfUnknownUser: a passkey whose user the export
// lacks, or whose id another passkey of the pool has, passes Check (which
// keeps no user ids) but fails Import, which then writes nothing.
func TestImportPasskeyOfUnknownUser(t *testing.T) {
	box := testBox(t, masterKey)
	good := smallExport(t, box)
	i := index(t, good, "webauthn_credential")
	orphan := append([]string(nil), good...)
	orphan[i] = regexp.MustCompile(`"sub":"[^"]*"`).ReplaceAllString(orphan[i], `"sub":"`+pool.NewSub()+`"`)
	twice := append([]string(nil), good[:i+1]...)
	twice = append(twice, good[i:]...)
	end := len(twice) - 1
	twice[end] = strings.Replace(twice[end], `"webauthn_credentials":1`, `"webauthn_credentials":2`, 1)
	for _, tc := range []struct {
		name  string
		lines []string
		want  error
	}{{"unknown user", orphan, store.ErrNotFound}, {"id twice", twice, store.ErrAlreadyExists}} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Join(tc.lines, "\n") + "\n"
			if _, err := transfer.Check(context.Background(), box, strings.NewReader(in)); err != nil {
				t.Fatalf("Check: %v", err)
			}
			for _, target := range []struct {
				name string
				open func(testing.TB) skillstore.Database
			}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
				st := target.open(t)
				_, err := transfer.Import(context.Background(), st, box, strings.NewReader(in), transfer.ImportOptions{})
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "webauthn_credential") {
					t.Fatalf("Import into %s: %v, want %v naming the record", target.name, err, tc.want)
				}
				mustBeEmpty(t, st)
			}
		})
	}
}

// TestImportNewMasterKey: given the export's master key as SourceBox,
// Import seals every secret again with the target's key: the target's
// own export opens with the new key only, and its signing keys sign.
func TestImportNewMasterKey(t *testing.T) {
	ctx := context.Background()
	oldBox, newBox := testBox(t, masterKey), testBox(t, "fedcba9876543210fedcba9876543210")
	in := strings.Join(smallExport(t, oldBox), "\n") + "\n"
	st := openSQLite(t)
	if _, err := transfer.Import(ctx, st, newBox, strings.NewReader(in), transfer.ImportOptions{SourceBox: oldBox}); err != nil {
		t.Fatalf("Import with a new master key: %v", err)
	}
	var out bytes.Buffer
	if _, err := transfer.Export(ctx, st, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := transfer.Check(ctx, newBox, bytes.NewReader(out.Bytes())); err != nil {
		t.Fatalf("the target's secrets do not open with the new key: %v", err)
	}
	var se *transfer.SealError
	if _, err := transfer.Check(ctx, oldBox, bytes.NewReader(out.Bytes())); !errors.As(err, &se) {
		t.Fatalf("the target's secrets still open with the old key: %v", err)
	}
	pools, err := st.ListPools(ctx, store.ListOptions{})
	if err != nil || len(pools.Items) != 1 {
		t.Fatalf("pools %v, %v", pools.Items, err)
	}
	if p := pools.Items[0]; p.LambdaConfig.PreSignUp != "https://hooks.example.com/pre-sign-up" {
		t.Fatalf("the pool's triggers were not imported: %+v", p.LambdaConfig)
	} else if v, err := newBox.Open(p.TriggerSecret, p.TriggerSecretAAD()); err != nil || string(v) != "trigger secret" {
		t.Fatalf("the trigger secret was not resealed: %q %v", v, err)
	}
	users, err := st.ListUsers(ctx, pools.Items[0].ID, store.ListOptions{})
	if err != nil || len(users.Items) != 1 {
		t.Fatalf("users %v, %v", users.Items, err)
	}
	ann := users.Items[0]
	if v, err := newBox.Open(ann.SRPVerifier, ann.SRPVerifierAAD()); err != nil || string(v) != "verifier of ann" || ann.SRPSalt != "00c0ffee" {
		t.Fatalf("the SRP verifier was not resealed: %q %v (salt %q)", v, err, ann.SRPSalt)
	}
	aad := account.TOTPSecretAAD(ann.PoolID, ann.Sub)
	if ann.MFA.TOTP == nil || ann.MFA.PendingTOTP == nil {
		t.Fatalf("ann's TOTP devices did not move: %+v", ann.MFA)
	}
	if v, err := newBox.Open(ann.MFA.TOTP.Secret, aad); err != nil || string(v) != "totp key of ann" || ann.MFA.TOTP.Name != "phone" || ann.MFA.TOTP.LastStep != 12345 {
		t.Fatalf("the TOTP secret was not resealed: %q %v (%+v)", v, err, ann.MFA.TOTP)
	}
	if v, err := newBox.Open(ann.MFA.PendingTOTP.Secret, aad); err != nil || string(v) != "new totp key of ann" {
		t.Fatalf("the pending TOTP secret was not resealed: %q %v", v, err)
	}
	if !ann.MFA.SoftwareTokenEnabled || ann.MFA.Preferred != pool.FactorSoftwareToken || ann.MFA.WebAuthnRegistration != nil {
		t.Fatalf("ann's factors after the move: %+v (a pending passkey registration does not move to a new key)", ann.MFA)
	}
	passkeys, err := st.ListWebAuthnCredentials(ctx, ann.PoolID, ann.Sub)
	if err != nil || len(passkeys) != 1 || !bytes.Equal(passkeys[0].ID, []byte{0, 1, 2, 0xfe}) || passkeys[0].SignCount != 7 {
		t.Fatalf("ann's passkeys %+v, %v", passkeys, err)
	}
	idp, err := st.GetIdentityProvider(ctx, pools.Items[0].ID, "Corp")
	if err != nil {
		t.Fatalf("GetIdentityProvider: %v", err)
	}
	if v, err := newBox.Open(idp.SealedSecrets, idp.SecretsAAD()); err != nil || string(v) != `{"client_secret":"s3cret"}` {
		t.Fatalf("the identity provider's secrets were not resealed: %v", err)
	}
	keys := token.NewKeys(st, newBox, token.KeysOptions{})
	tok, err := keys.Sign(ctx, pools.Items[0].ID, store.UseAccess, map[string]any{"sub": "x"})
	if err != nil {
		t.Fatalf("sign with the resealed keys: %v", err)
	}
	if _, err := keys.Verify(ctx, pools.Items[0].ID, store.UseAccess, tok); err != nil {
		t.Fatalf("verify: %v", err)
	}

	// A wrong source key writes nothing.
	other := openSQLite(t)
	_, err = transfer.Import(ctx, other, newBox, strings.NewReader(in), transfer.ImportOptions{SourceBox: newBox})
	if !errors.As(err, &se) {
		t.Fatalf("Import with the wrong source key: %v, want a SealError", err)
	}
	mustBeEmpty(t, other)
}

// TestImportBindsLegacyLWATokensToTheirOwner: LWA tokens that earlier
// versions sealed under one context for every user are imported sealed
// bound to their owner, with or without a move to a new master key, and
// an export of earlier versions with the grant code imports without it.
func TestImportBindsLegacyLWATokensToTheirOwner(t *testing.T) {
	ctx := context.Background()
	box := testBox(t, masterKey)
	lines := smallExport(t, box)
	i := index(t, lines, "alexa_grant")
	var rec struct {
		Data struct {
			Owner string `json:"owner"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
		t.Fatal(err)
	}
	owner := rec.Data.Owner
	legacy := base64.StdEncoding.EncodeToString(box.Seal([]byte("lwa"), []byte(skillstore.LWATokenSealContext)))
	lines[i] = sealedTokensField.ReplaceAllString(lines[i], `"grant_code":"ANTjOldCode","sealed_tokens":"`+legacy+`"`)
	in := strings.Join(lines, "\n") + "\n"

	newBox := testBox(t, "fedcba9876543210fedcba9876543210")
	for _, tc := range []struct {
		name string
		key  *seal.Box // the target's master key
		opts transfer.ImportOptions
	}{
		{"same master key", box, transfer.ImportOptions{}},
		{"new master key", newBox, transfer.ImportOptions{SourceBox: box}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := openSQLite(t)
			if _, err := transfer.Import(ctx, target, tc.key, strings.NewReader(in), tc.opts); err != nil {
				t.Fatal(err)
			}
			g, err := target.GetAlexaGrant(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			if plain, err := tc.key.Open(g.SealedTokens, skillstore.LWATokenContext(owner)); err != nil || string(plain) != "lwa" {
				t.Errorf("the imported LWA tokens do not open bound to their owner: %v", err)
			}
			if _, err := tc.key.Open(g.SealedTokens, []byte(skillstore.LWATokenSealContext)); err == nil {
				t.Error("the imported LWA tokens still open under the shared context")
			}
			var out bytes.Buffer
			if _, err := transfer.Export(ctx, target, &out); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), "ANTjOldCode") || strings.Contains(out.String(), "grant_code") {
				t.Error("the grant code survived the import")
			}
		})
	}
}
