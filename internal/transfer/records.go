package transfer

import (
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// The record types below are the export format's own field names. Each
// has exactly the fields of the domain type it carries, in the same order
// and of the same types, so that a plain type conversion moves a value in
// and out: a field added to a domain type breaks the build here until the
// format carries it too. Nested Cognito-shaped values (password policy,
// branding, token validity units, ...) keep their Cognito field names.

type poolRecord struct {
	ID                       string                 `json:"id"`
	Name                     string                 `json:"name"`
	PasswordPolicy           pool.PasswordPolicy    `json:"password_policy"`
	LockoutPolicy            pool.LockoutPolicy     `json:"lockout_policy"`
	UsernameAttributes       []string               `json:"username_attributes,omitempty"`
	AliasAttributes          []string               `json:"alias_attributes,omitempty"`
	AutoVerifiedAttributes   []string               `json:"auto_verified_attributes,omitempty"`
	CaseSensitive            bool                   `json:"case_sensitive"`
	AllowAdminCreateUserOnly bool                   `json:"allow_admin_create_user_only"`
	InviteMessage            pool.InviteTemplate    `json:"invite_message_template,omitzero"`
	AutoConfirmSignUp        bool                   `json:"auto_confirm_sign_up"`
	SigningAlgorithm         string                 `json:"signing_algorithm"`
	Schema                   []pool.SchemaAttribute `json:"schema,omitempty"`
	Branding                 pool.Branding          `json:"branding"`
	EmailFrom                string                 `json:"email_from,omitempty"`
	CORSOrigins              []string               `json:"cors_origins,omitempty"`
	MFA                      pool.MFAConfig         `json:"mfa,omitzero"`
	AllowedFirstAuthFactors  []string               `json:"allowed_first_auth_factors,omitempty"`
	LambdaConfig             pool.LambdaConfig      `json:"lambda_config,omitzero"`
	TriggerSecret            []byte                 `json:"sealed_trigger_secret,omitempty"`
	CreatedAt                time.Time              `json:"created_at,omitzero"`
	UpdatedAt                time.Time              `json:"updated_at,omitzero"`
}

type domainRecord struct {
	Domain    string    `json:"domain"`
	PoolID    string    `json:"pool_id"`
	Custom    bool      `json:"custom"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// clientRecord carries the client secret as it is stored: sealed with
// the master key (base64 in JSON). The plain secret never appears. A
// record without id_token_on_refresh (written before the setting
// existed) imports with it on, the default.
type clientRecord struct {
	ID                              string                    `json:"id"`
	PoolID                          string                    `json:"pool_id"`
	Name                            string                    `json:"name"`
	SealedSecret                    []byte                    `json:"sealed_secret,omitempty"`
	CallbackURLs                    []string                  `json:"callback_urls,omitempty"`
	LogoutURLs                      []string                  `json:"logout_urls,omitempty"`
	DefaultRedirectURI              string                    `json:"default_redirect_uri,omitempty"`
	AllowedOAuthFlows               []string                  `json:"allowed_oauth_flows,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool                      `json:"allowed_oauth_flows_user_pool_client"`
	AllowedOAuthScopes              []string                  `json:"allowed_oauth_scopes,omitempty"`
	SupportedIdentityProviders      []string                  `json:"supported_identity_providers,omitempty"`
	ExplicitAuthFlows               []string                  `json:"explicit_auth_flows,omitempty"`
	ReadAttributes                  []string                  `json:"read_attributes,omitempty"`
	WriteAttributes                 []string                  `json:"write_attributes,omitempty"`
	AccessTokenValidity             int                       `json:"access_token_validity"`
	IDTokenValidity                 int                       `json:"id_token_validity"`
	RefreshTokenValidity            int                       `json:"refresh_token_validity"`
	TokenValidityUnits              pool.TokenValidityUnits   `json:"token_validity_units"`
	EnableTokenRevocation           bool                      `json:"enable_token_revocation"`
	PreventUserExistenceErrors      string                    `json:"prevent_user_existence_errors,omitempty"`
	RefreshTokenRotation            pool.RefreshTokenRotation `json:"refresh_token_rotation"`
	AuthSessionValidity             int                       `json:"auth_session_validity"`
	IDTokenOnRefresh                bool                      `json:"id_token_on_refresh"`
	CreatedAt                       time.Time                 `json:"created_at,omitzero"`
	UpdatedAt                       time.Time                 `json:"updated_at,omitzero"`
}

// identityProviderRecord carries a pool's identity provider as stored:
// the non-secret details in plain, the secret ones (client_secret,
// private_key) sealed together with the master key (base64 in JSON), like
// client secrets.
type identityProviderRecord struct {
	PoolID           string            `json:"pool_id"`
	ProviderName     string            `json:"provider_name"`
	ProviderType     string            `json:"provider_type"`
	ProviderDetails  map[string]string `json:"provider_details,omitempty"`
	AttributeMapping map[string]string `json:"attribute_mapping,omitempty"`
	IdpIdentifiers   []string          `json:"idp_identifiers,omitempty"`
	SealedSecrets    []byte            `json:"sealed_secrets,omitempty"`
	CreatedAt        time.Time         `json:"created_at,omitzero"`
	UpdatedAt        time.Time         `json:"updated_at,omitzero"`
}

// userRecord carries everything the server keeps about a user, the
// argon2id (or imported bcrypt) password hash in PHC form, the SRP salt
// and sealed verifier, the lockout counters and a pending one-time code
// (its hash) included, and the provider identities linked to the user
// (Cognito's shape, as in the "identities" claim).
type userRecord struct {
	PoolID           string            `json:"pool_id"`
	Sub              string            `json:"sub"`
	Username         string            `json:"username"`
	UsernameKey      string            `json:"username_key"`
	EmailKey         string            `json:"email_key,omitempty"`
	Attributes       map[string]string `json:"attributes,omitempty"`
	Status           string            `json:"status"`
	Enabled          bool              `json:"enabled"`
	PasswordHash     string            `json:"password_hash,omitempty"`
	PasswordSetAt    time.Time         `json:"password_set_at,omitzero"`
	SRPSalt          string            `json:"srp_salt,omitempty"`
	SRPVerifier      []byte            `json:"sealed_srp_verifier,omitempty"`
	FailedLogins     int               `json:"failed_logins,omitempty"`
	LockedUntil      time.Time         `json:"locked_until,omitzero"`
	Code             *pool.PendingCode `json:"code,omitempty"`
	Identities       []pool.Identity   `json:"identities,omitempty"`
	TokensValidAfter time.Time         `json:"tokens_valid_after,omitzero"`
	MFA              pool.UserMFA      `json:"mfa,omitzero"`
	CreatedAt        time.Time         `json:"created_at,omitzero"`
	UpdatedAt        time.Time         `json:"updated_at,omitzero"`
}

type groupRecord struct {
	PoolID      string    `json:"pool_id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Precedence  *int      `json:"precedence,omitempty"`
	RoleArn     string    `json:"role_arn,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// memberRecord is one group membership.
type memberRecord struct {
	PoolID string `json:"pool_id"`
	Group  string `json:"group"`
	Sub    string `json:"sub"`
}

// signingKeyRecord carries a private key as stored: PKCS#8 DER sealed
// with the master key.
type signingKeyRecord struct {
	KID       string    `json:"kid"`
	Use       string    `json:"use"`
	Alg       string    `json:"alg"`
	State     string    `json:"state"`
	Sealed    []byte    `json:"sealed"`
	Public    []byte    `json:"public"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
}

// keySetRecord is a pool's signing keys. The stored version is not
// carried: it counts updates of one database and restarts at 1.
type keySetRecord struct {
	PoolID    string             `json:"pool_id"`
	Keys      []signingKeyRecord `json:"keys"`
	UpdatedAt time.Time          `json:"updated_at,omitzero"`
}

// refreshTokenRecord is one grant family. It holds hashes of refresh
// token secrets only, which is enough for the tokens users (and Alexa)
// hold to keep working after the move.
type refreshTokenRecord struct {
	ID             string    `json:"id"`
	OriginJTI      string    `json:"origin_jti"`
	PoolID         string    `json:"pool_id"`
	ClientID       string    `json:"client_id"`
	Sub            string    `json:"sub"`
	Scopes         []string  `json:"scopes,omitempty"`
	AuthTime       time.Time `json:"auth_time,omitzero"`
	CodeID         string    `json:"code_id,omitempty"`
	SecretHash     string    `json:"secret_hash,omitempty"`
	PrevSecretHash string    `json:"prev_secret_hash,omitempty"`
	PrevValidUntil time.Time `json:"prev_valid_until,omitzero"`
	GraceDepth     int       `json:"grace_depth,omitempty"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
	RevokedAt      time.Time `json:"revoked_at,omitzero"`
}

type lampRecord struct {
	Owner        string    `json:"owner"`
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	On           bool      `json:"on"`
	Brightness   int       `json:"brightness"`
	Hue          float64   `json:"hue"`
	Saturation   float64   `json:"saturation"`
	ColorBright  float64   `json:"color_bright"`
	Kelvin       int       `json:"kelvin"`
	ColorMode    string    `json:"color_mode"`
	Reachable    bool      `json:"reachable"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	PrevBright   int       `json:"prev_bright"`
	Version      int64     `json:"version"`
	LastChangeBy string    `json:"last_change_by,omitempty"`
}

// alexaGrantRecord carries the skill's Login with Amazon tokens sealed
// with the master key, as stored.
type alexaGrantRecord struct {
	Owner string `json:"owner"`
	// GrantCode is accepted from exports of earlier versions, which kept
	// the grant code, and discarded: it is never written.
	GrantCode      string    `json:"grant_code,omitempty"`
	SealedTokens   []byte    `json:"sealed_tokens,omitempty"`
	TokenExpiresAt time.Time `json:"token_expires_at,omitzero"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

func alexaGrantToRecord(g skillstore.AlexaGrant) alexaGrantRecord {
	return alexaGrantRecord{Owner: g.Owner, SealedTokens: g.SealedTokens, TokenExpiresAt: g.TokenExpiresAt,
		CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

func (r alexaGrantRecord) grant() skillstore.AlexaGrant {
	return skillstore.AlexaGrant{Owner: r.Owner, SealedTokens: r.SealedTokens, TokenExpiresAt: r.TokenExpiresAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func keySetToRecord(ks store.KeySet) keySetRecord {
	r := keySetRecord{PoolID: ks.PoolID, UpdatedAt: ks.UpdatedAt, Keys: make([]signingKeyRecord, len(ks.Keys))}
	for i, k := range ks.Keys {
		r.Keys[i] = signingKeyRecord(k)
	}
	return r
}

func (r keySetRecord) keySet() store.KeySet {
	ks := store.KeySet{PoolID: r.PoolID, UpdatedAt: r.UpdatedAt, Keys: make([]store.SigningKey, len(r.Keys))}
	for i, k := range r.Keys {
		ks.Keys[i] = store.SigningKey(k)
	}
	return ks
}
