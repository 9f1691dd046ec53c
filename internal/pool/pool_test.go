package pool_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

var created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// wantField checks that err is a *pool.ValidationError naming field, or
// nil when field is empty.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	var ve *pool.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v (%T), want a *pool.ValidationError for %s", err, err, field)
	}
	if ve.Field != field {
		t.Fatalf("rejected field %q (%v), want %q", ve.Field, err, field)
	}
	if ve.Message == "" || !strings.Contains(err.Error(), field) {
		t.Fatalf("error %q does not name %s with a message", err, field)
	}
}

func TestPoolValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *pool.Pool)
		field  string // rejected field; "" means valid
	}{
		{"defaults", func(*pool.Pool) {}, ""},
		{"every setting at a legal edge", func(p *pool.Pool) {
			p.Name = strings.Repeat("n", 128)
			p.PasswordPolicy.MinimumLength = 99
			p.PasswordPolicy.TemporaryPasswordValidityDays = 365
			p.LockoutPolicy = pool.LockoutPolicy{MaxFailedAttempts: 100, BaseLockoutSeconds: 86400, MaxLockoutSeconds: 86400}
			p.AliasAttributes = []string{"email", "phone_number", "preferred_username"}
			p.AutoVerifiedAttributes = []string{"email", "phone_number"}
			p.SigningAlgorithm = pool.AlgES256
			p.Schema = []pool.SchemaAttribute{{Name: "custom:" + strings.Repeat("a", 20), AttributeDataType: "String"}, {Name: "n_1", AttributeDataType: "Number"}, {Name: "d", AttributeDataType: "DateTime"}, {Name: "b", AttributeDataType: "Boolean"}}
			p.Branding = pool.Branding{PrimaryColor: "#0A7c59", BackgroundColor: "#fff", LogoURL: "data:image/png;base64,AAAA", CSS: strings.Repeat("x", 64<<10)}
			p.EmailFrom = `"Lamps" <no-reply@example.com>`
		}, ""},
		{"minimum edges", func(p *pool.Pool) {
			p.Name = "a"
			p.PasswordPolicy.MinimumLength = 6
			p.PasswordPolicy.TemporaryPasswordValidityDays = 0
			p.LockoutPolicy = pool.LockoutPolicy{MaxFailedAttempts: 1, BaseLockoutSeconds: 1, MaxLockoutSeconds: 1}
			p.UsernameAttributes = []string{"email", "phone_number"}
			p.Branding.LogoURL = "https://cdn.example.com/logo.png"
			p.EmailFrom = "no-reply@example.com"
		}, ""},

		{"invitation template at the edges", func(p *pool.Pool) {
			p.InviteMessage = pool.InviteTemplate{EmailSubject: strings.Repeat("s", 140), EmailMessage: "{username}{####}" + strings.Repeat("m", 20000-16)}
		}, ""},
		{"shortest invitation", func(p *pool.Pool) {
			p.InviteMessage = pool.InviteTemplate{EmailSubject: "S", EmailMessage: "{username} {####}"}
		}, ""},
		{"invitation without {username}", func(p *pool.Pool) { p.InviteMessage.EmailMessage = "Your password is {####}." }, "AdminCreateUserConfig.InviteMessageTemplate.EmailMessage"},
		{"invitation without {####}", func(p *pool.Pool) { p.InviteMessage.EmailMessage = "Welcome, {username}." }, "AdminCreateUserConfig.InviteMessageTemplate.EmailMessage"},
		{"invitation over 20000 characters", func(p *pool.Pool) {
			p.InviteMessage.EmailMessage = "{username}{####}" + strings.Repeat("m", 20000-15)
		}, "AdminCreateUserConfig.InviteMessageTemplate.EmailMessage"},
		{"invitation subject over 140 characters", func(p *pool.Pool) { p.InviteMessage.EmailSubject = strings.Repeat("s", 141) }, "AdminCreateUserConfig.InviteMessageTemplate.EmailSubject"},
		{"blank invitation subject", func(p *pool.Pool) { p.InviteMessage.EmailSubject = "  " }, "AdminCreateUserConfig.InviteMessageTemplate.EmailSubject"},
		{"malformed id", func(p *pool.Pool) { p.ID = "us-east-1-abc" }, "Id"},
		{"id with short suffix", func(p *pool.Pool) { p.ID = "us-east-1_abc" }, "Id"},
		{"empty name", func(p *pool.Pool) { p.Name = "" }, "PoolName"},
		{"name of 129 characters", func(p *pool.Pool) { p.Name = strings.Repeat("n", 129) }, "PoolName"},
		{"name with markup", func(p *pool.Pool) { p.Name = "<b>pool</b>" }, "PoolName"},
		{"minimum length 5", func(p *pool.Pool) { p.PasswordPolicy.MinimumLength = 5 }, "PasswordPolicy.MinimumLength"},
		{"minimum length 100", func(p *pool.Pool) { p.PasswordPolicy.MinimumLength = 100 }, "PasswordPolicy.MinimumLength"},
		{"temporary password days -1", func(p *pool.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = -1 }, "PasswordPolicy.TemporaryPasswordValidityDays"},
		{"temporary password days 366", func(p *pool.Pool) { p.PasswordPolicy.TemporaryPasswordValidityDays = 366 }, "PasswordPolicy.TemporaryPasswordValidityDays"},
		{"lockout after 0 attempts", func(p *pool.Pool) { p.LockoutPolicy.MaxFailedAttempts = 0 }, "LockoutPolicy.MaxFailedAttempts"},
		{"lockout after 101 attempts", func(p *pool.Pool) { p.LockoutPolicy.MaxFailedAttempts = 101 }, "LockoutPolicy.MaxFailedAttempts"},
		{"base lockout 0", func(p *pool.Pool) { p.LockoutPolicy.BaseLockoutSeconds = 0 }, "LockoutPolicy"},
		{"max lockout below base", func(p *pool.Pool) { p.LockoutPolicy.MaxLockoutSeconds = p.LockoutPolicy.BaseLockoutSeconds - 1 }, "LockoutPolicy"},
		{"max lockout over a day", func(p *pool.Pool) { p.LockoutPolicy.MaxLockoutSeconds = 86401 }, "LockoutPolicy"},
		{"username attribute preferred_username", func(p *pool.Pool) { p.UsernameAttributes = []string{"preferred_username"} }, "UsernameAttributes"},
		{"alias attribute name", func(p *pool.Pool) { p.AliasAttributes = []string{"name"} }, "AliasAttributes"},
		{"username and alias attributes", func(p *pool.Pool) {
			p.UsernameAttributes = []string{"email"}
			p.AliasAttributes = []string{"preferred_username"}
		}, "AliasAttributes"},
		{"auto-verified preferred_username", func(p *pool.Pool) { p.AutoVerifiedAttributes = []string{"preferred_username"} }, "AutoVerifiedAttributes"},
		{"signing algorithm HS256", func(p *pool.Pool) { p.SigningAlgorithm = "HS256" }, "SigningAlgorithm"},
		{"signing algorithm none", func(p *pool.Pool) { p.SigningAlgorithm = "" }, "SigningAlgorithm"},
		{"custom attribute of 21 characters", func(p *pool.Pool) {
			p.Schema = []pool.SchemaAttribute{{Name: strings.Repeat("a", 21), AttributeDataType: "String"}}
		}, "Schema[0].Name"},
		{"custom attribute with a hyphen", func(p *pool.Pool) {
			p.Schema = []pool.SchemaAttribute{{Name: "a-b", AttributeDataType: "String"}}
		}, "Schema[0].Name"},
		{"empty custom attribute", func(p *pool.Pool) {
			p.Schema = []pool.SchemaAttribute{{Name: "custom:", AttributeDataType: "String"}}
		}, "Schema[0].Name"},
		{"duplicate custom attribute with and without prefix", func(p *pool.Pool) {
			p.Schema = []pool.SchemaAttribute{{Name: "tier", AttributeDataType: "String"}, {Name: "custom:tier", AttributeDataType: "Number"}}
		}, "Schema[1].Name"},
		{"custom attribute type", func(p *pool.Pool) {
			p.Schema = []pool.SchemaAttribute{{Name: "tier", AttributeDataType: "Integer"}}
		}, "Schema[0].AttributeDataType"},
		{"primary colour name", func(p *pool.Pool) { p.Branding.PrimaryColor = "red" }, "Branding.PrimaryColor"},
		{"background colour of 5 digits", func(p *pool.Pool) { p.Branding.BackgroundColor = "#12345" }, "Branding.BackgroundColor"},
		{"colour with CSS injection", func(p *pool.Pool) { p.Branding.PrimaryColor = "#fff;}body{" }, "Branding.PrimaryColor"},
		{"logo over http", func(p *pool.Pool) { p.Branding.LogoURL = "http://cdn.example.com/logo.png" }, "Branding.LogoURL"},
		{"logo javascript", func(p *pool.Pool) { p.Branding.LogoURL = "javascript:alert(1)" }, "Branding.LogoURL"},
		{"logo data text", func(p *pool.Pool) { p.Branding.LogoURL = "data:text/html,x" }, "Branding.LogoURL"},
		{"CSS over 64 KiB", func(p *pool.Pool) { p.Branding.CSS = strings.Repeat("x", 64<<10+1) }, "Branding.CSS"},
		{"CSS closing the style element", func(p *pool.Pool) { p.Branding.CSS = "a{}</STYLE><script>" }, "Branding.CSS"},
		{"sender without @", func(p *pool.Pool) { p.EmailFrom = "no-reply" }, "EmailFrom"},
		{"sender with header injection", func(p *pool.Pool) { p.EmailFrom = "a@example.com\r\nBcc: b@example.com" }, "EmailFrom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pool.NewPool("eu-west-1", "Lamps", created)
			tt.change(&p)
			wantField(t, p.Validate(), tt.field)
		})
	}
}

func TestNewPoolDefaults(t *testing.T) {
	p := pool.NewPool("eu-west-1", "Lamps", created)
	if !pool.ValidPoolID(p.ID) || p.Region() != "eu-west-1" {
		t.Fatalf("id %q, region %q", p.ID, p.Region())
	}
	if p.PasswordPolicy != pool.DefaultPasswordPolicy() || p.LockoutPolicy != pool.DefaultLockoutPolicy() {
		t.Fatalf("policies %+v %+v", p.PasswordPolicy, p.LockoutPolicy)
	}
	if !p.VerifiesEmail() || p.SignInWithEmail() || p.EmailIsUsername() || p.CaseSensitive || p.SigningAlgorithm != pool.AlgRS256 {
		t.Fatalf("defaults %+v", p)
	}
	if p2 := pool.NewPool("eu-west-1", "Lamps", created); p2.ID == p.ID {
		t.Fatalf("two pools share id %q", p.ID)
	}
}

func TestPoolKeys(t *testing.T) {
	tests := []struct {
		name          string
		caseSensitive bool
		in, want      string
	}{
		{"case-insensitive pool", false, "Alice", "alice"},
		{"case-sensitive pool", true, "Alice", "Alice"},
		{"non-ASCII folded", false, "ÄLICE", "älice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pool.Pool{CaseSensitive: tt.caseSensitive}
			if got := p.UsernameKey(tt.in); got != tt.want {
				t.Fatalf("UsernameKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := pool.EmailKey("  Alice@Example.COM "); got != "alice@example.com" {
		t.Fatalf("EmailKey = %q", got)
	}
}
