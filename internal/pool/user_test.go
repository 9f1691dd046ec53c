package pool_test

import (
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		name, username string
		ok             bool
	}{
		{"ASCII", "alice", true},
		{"punctuation and symbols", "a.b-c_d+e@f=g", true},
		{"non-ASCII letters", "jürgen", true},
		{"CJK", "太郎", true},
		{"128 characters", strings.Repeat("ü", 128), true},
		{"empty", "", false},
		{"129 characters", strings.Repeat("a", 129), false},
		{"space", "alice smith", false},
		{"tab", "alice\tsmith", false},
		{"no-break space", "alice\u00a0smith", false},
		{"control character", "alice\x00", false},
		{"zero-width space", "alice\u200b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pool.ValidateUsername(tt.username)
			if tt.ok {
				wantField(t, err, "")
			} else {
				wantField(t, err, "Username")
			}
		})
	}
}

func TestValidateEmail(t *testing.T) {
	tests := []struct {
		name, email string
		ok          bool
	}{
		{"plain", "alice@example.com", true},
		{"plus and dots", "alice.b+lamps@mail.example.co.uk", true},
		{"254 characters", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", true},
		{"255 characters", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", false},
		{"empty", "", false},
		{"no @", "alice.example.com", false},
		{"display name", "Alice <alice@example.com>", false},
		{"surrounding spaces", " alice@example.com ", false},
		{"two addresses", "a@example.com, b@example.com", false},
		{"header injection", "a@example.com\r\nBcc: b@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pool.ValidateEmail(tt.email)
			if tt.ok {
				wantField(t, err, "")
			} else {
				wantField(t, err, "email")
			}
		})
	}
}

func TestValidateAttributes(t *testing.T) {
	p := pool.NewPool("us-east-1", "Lamps", created)
	p.Schema = []pool.SchemaAttribute{{Name: "tier", AttributeDataType: "String"}}
	byEmail := p
	byEmail.UsernameAttributes = []string{"email"}
	tests := []struct {
		name  string
		pool  pool.Pool
		attrs map[string]string
		field string
	}{
		{"none", p, nil, ""},
		{"standard and custom", p, map[string]string{"email": "a@example.com", "email_verified": "true", "name": "A", "custom:tier": "gold"}, ""},
		{"2048 characters", p, map[string]string{"name": strings.Repeat("é", 2048)}, ""},
		{"email pool with email", byEmail, map[string]string{"email": "a@example.com"}, ""},
		{"2049 characters", p, map[string]string{"name": strings.Repeat("a", 2049)}, "name"},
		{"NUL", p, map[string]string{"family_name": "a\x00b"}, "family_name"},
		{"NUL in a custom attribute", p, map[string]string{"custom:tier": "\x00"}, "custom:tier"},
		{"undeclared custom attribute", p, map[string]string{"custom:plan": "x"}, "custom:plan"},
		{"sub", p, map[string]string{"sub": "x"}, "sub"},
		{"unknown standard attribute", p, map[string]string{"tier": "gold"}, "tier"},
		{"malformed email", p, map[string]string{"email": "not-an-email"}, "email"},
		{"email_verified yes", p, map[string]string{"email_verified": "yes"}, "email_verified"},
		{"phone_number_verified TRUE", p, map[string]string{"phone_number_verified": "TRUE"}, "phone_number_verified"},
		{"email pool without email", byEmail, map[string]string{"name": "A"}, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, tt.pool.ValidateAttributes(tt.attrs), tt.field)
		})
	}
}

func TestGroupValidate(t *testing.T) {
	neg, zero := -1, 0
	tests := []struct {
		name  string
		group pool.Group
		field string
	}{
		{"minimal", pool.Group{Name: "admins"}, ""},
		{"everything", pool.Group{Name: "Lamp-Owners", Description: strings.Repeat("d", 2048), Precedence: &zero, RoleArn: "arn:aws:iam::123456789012:role/x"}, ""},
		{"empty name", pool.Group{}, "GroupName"},
		{"name with a space", pool.Group{Name: "lamp owners"}, "GroupName"},
		{"name of 129 characters", pool.Group{Name: strings.Repeat("g", 129)}, "GroupName"},
		{"description of 2049 characters", pool.Group{Name: "g", Description: strings.Repeat("d", 2049)}, "Description"},
		{"negative precedence", pool.Group{Name: "g", Precedence: &neg}, "Precedence"},
		{"role that is not an ARN", pool.Group{Name: "g", RoleArn: "role/x"}, "RoleArn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, tt.group.Validate(), tt.field)
		})
	}
}

func TestDomainValidate(t *testing.T) {
	tests := []struct {
		name   string
		domain pool.Domain
		ok     bool
	}{
		{"prefix", pool.Domain{Domain: "smartlamp"}, true},
		{"one character prefix", pool.Domain{Domain: "a"}, true},
		{"63 character prefix", pool.Domain{Domain: strings.Repeat("a", 63)}, true},
		{"prefix with hyphen", pool.Domain{Domain: "smart-lamp-2"}, true},
		{"custom domain", pool.Domain{Domain: "auth.example.com", Custom: true}, true},
		{"custom IDN in punycode", pool.Domain{Domain: "auth.xn--bcher-kva.example", Custom: true}, true},
		{"empty prefix", pool.Domain{}, false},
		{"64 character prefix", pool.Domain{Domain: strings.Repeat("a", 64)}, false},
		{"upper-case prefix", pool.Domain{Domain: "SmartLamp"}, false},
		{"leading hyphen", pool.Domain{Domain: "-lamp"}, false},
		{"trailing hyphen", pool.Domain{Domain: "lamp-"}, false},
		{"prefix with a dot", pool.Domain{Domain: "smart.lamp"}, false},
		{"prefix with aws", pool.Domain{Domain: "myaws"}, false},
		{"prefix with amazon", pool.Domain{Domain: "amazonlamps"}, false},
		{"prefix with cognito", pool.Domain{Domain: "lamp-cognito"}, false},
		{"custom single label", pool.Domain{Domain: "localhost", Custom: true}, false},
		{"custom upper case", pool.Domain{Domain: "Auth.Example.com", Custom: true}, false},
		{"custom trailing dot", pool.Domain{Domain: "auth.example.com.", Custom: true}, false},
		{"custom with port", pool.Domain{Domain: "auth.example.com:443", Custom: true}, false},
		{"custom IP address", pool.Domain{Domain: "192.0.2.1", Custom: true}, false},
		{"custom raw IDN", pool.Domain{Domain: "auth.bücher.example", Custom: true}, false},
		{"custom over 253 characters", pool.Domain{Domain: strings.Repeat("a.", 126) + "com", Custom: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.domain.Validate()
			if tt.ok {
				wantField(t, err, "")
			} else {
				wantField(t, err, "Domain")
			}
		})
	}
}

func TestIDs(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		in    string
		want  bool
	}{
		{"pool id", pool.ValidPoolID, "us-east-1_EKSqdiVrc", true},
		{"pool id in a three-part region", pool.ValidPoolID, "us-gov-west-1_EKSqdiVrc", true},
		{"pool id without region number", pool.ValidPoolID, "us-east_EKSqdiVrc", false},
		{"pool id with 8 characters", pool.ValidPoolID, "us-east-1_EKSqdiVr", false},
		{"pool id with a symbol", pool.ValidPoolID, "us-east-1_EKSqdiV-c", false},
		{"pool id upper-case region", pool.ValidPoolID, "US-east-1_EKSqdiVrc", false},
		{"client id", pool.ValidClientID, strings.Repeat("a1", 13), true},
		{"client id of 25", pool.ValidClientID, strings.Repeat("a", 25), false},
		{"client id upper case", pool.ValidClientID, strings.Repeat("A", 26), false},
		{"region", pool.ValidRegion, "eu-central-1", true},
		{"region without number", pool.ValidRegion, "eu-central", false},
		{"region with pool suffix", pool.ValidRegion, "eu-central-1_x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.valid(tt.in); got != tt.want {
				t.Fatalf("%q: %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	id := pool.NewPoolID("ap-southeast-2")
	if !pool.ValidPoolID(id) || pool.RegionOf(id) != "ap-southeast-2" {
		t.Fatalf("NewPoolID %q, region %q", id, pool.RegionOf(id))
	}
	if pool.RegionOf("nounderscore") != "" {
		t.Fatal("RegionOf without underscore")
	}
	if c := pool.NewClientID(); !pool.ValidClientID(c) {
		t.Fatalf("NewClientID %q", c)
	}
	s := pool.NewClientSecret()
	if len(s) != 52 || strings.Trim(s, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
		t.Fatalf("NewClientSecret %q", s)
	}
	if a, b := pool.NewClientSecret(), pool.NewClientSecret(); a == b {
		t.Fatal("two secrets are equal")
	}
}

func TestRecordFailedLogin(t *testing.T) {
	now := created
	policy := pool.LockoutPolicy{MaxFailedAttempts: 3, BaseLockoutSeconds: 60, MaxLockoutSeconds: 300}
	// Lockout after the nth consecutive failure.
	want := []time.Duration{0, 0, 60 * time.Second, 120 * time.Second, 240 * time.Second, 300 * time.Second, 300 * time.Second}
	var u pool.User
	for i, w := range want {
		u.RecordFailedLogin(policy, now)
		got := u.LockedUntil.Sub(now)
		if u.LockedUntil.IsZero() {
			got = 0
		}
		if got != w || u.Locked(now) != (w > 0) || u.Locked(now.Add(w)) {
			t.Fatalf("failure %d: locked for %v (locked now %v), want %v", i+1, got, u.Locked(now), w)
		}
	}
	u.RecordSuccessfulLogin()
	if u.FailedLogins != 0 || u.Locked(now) {
		t.Fatalf("after success: %d failures, locked %v", u.FailedLogins, u.Locked(now))
	}
}
