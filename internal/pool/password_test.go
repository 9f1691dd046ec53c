package pool_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestCheckPassword(t *testing.T) {
	const prefix = "Password did not conform with policy: "
	all := pool.DefaultPasswordPolicy() // 8, upper, lower, numbers, symbols
	none := pool.PasswordPolicy{MinimumLength: 6}
	tests := []struct {
		name     string
		policy   pool.PasswordPolicy
		password string
		rule     string // "" means accepted
		reason   string
	}{
		{"meets the default policy", all, "Passw0rd!", "", ""},
		{"exactly the minimum length", all, "Pa5s!wOr", "", ""},
		{"256 characters", all, "Aa1!" + strings.Repeat("x", 252), "", ""},
		{"no requirements", none, "aaaaaa", "", ""},
		{"inner space is a symbol", all, "Pass w0rd", "", ""},
		{"length counts characters, not bytes", pool.PasswordPolicy{MinimumLength: 6}, "éééééé", "", ""},

		{"257 characters", all, "Aa1!" + strings.Repeat("x", 253), "too long", prefix + "Password is too long"},
		{"newline", all, "Passw0rd!\n", "too long", prefix + "Password is too long"},
		{"carriage return", all, "Pass\rw0rd!", "too long", prefix + "Password is too long"},
		{"one short", all, "Pa5s!wO", "length", prefix + "Password not long enough"},
		{"short in characters though long in bytes", all, "Ää1!äää", "length", prefix + "Password not long enough"},
		{"empty", none, "", "length", prefix + "Password not long enough"},
		{"no upper case", all, "passw0rd!", "uppercase", prefix + "Password must have uppercase characters"},
		{"non-ASCII upper case does not count", all, "ÄÖÜßw0rd!x", "uppercase", prefix + "Password must have uppercase characters"},
		{"no lower case", all, "PASSW0RD!", "lowercase", prefix + "Password must have lowercase characters"},
		{"no digit", all, "Password!", "numbers", prefix + "Password must have numeric characters"},
		{"non-ASCII digit does not count", all, "Password!٣", "numbers", prefix + "Password must have numeric characters"},
		{"no symbol", all, "Passw0rdd", "symbols", prefix + "Password must have symbol characters"},
		{"non-ASCII symbol does not count", all, "Passw0rd€", "symbols", prefix + "Password must have symbol characters"},
		{"upper case reported before the rest", all, "xxxxxxxx", "uppercase", prefix + "Password must have uppercase characters"},
		{"length reported before classes", all, "x", "length", prefix + "Password not long enough"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pool.Pool{PasswordPolicy: tt.policy}
			err := p.CheckPassword(tt.password)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("CheckPassword(%q) = %v, want accepted", tt.password, err)
				}
				return
			}
			var pe *pool.PasswordPolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("CheckPassword(%q) = %v (%T), want a *pool.PasswordPolicyError", tt.password, err, err)
			}
			rule := pe.Rule
			if tt.rule == "too long" {
				rule = "too long"
				if pe.Rule != "" {
					t.Fatalf("rule %q for an overlong password", pe.Rule)
				}
			}
			if rule != tt.rule || err.Error() != tt.reason {
				t.Fatalf("CheckPassword(%q) = rule %q, %q; want rule %q, %q", tt.password, pe.Rule, err, tt.rule, tt.reason)
			}
		})
	}
}

// TestCheckPasswordSymbols pins Cognito's list of special characters: each
// one alone satisfies RequireSymbols.
func TestCheckPasswordSymbols(t *testing.T) {
	p := pool.Pool{PasswordPolicy: pool.PasswordPolicy{MinimumLength: 6, RequireSymbols: true}}
	for _, r := range `^$*.[]{}()?"!@#%&/\,><':;|_~` + "`=+-" {
		if err := p.CheckPassword("abcdef" + string(r)); err != nil {
			t.Errorf("%q is not counted as a symbol: %v", r, err)
		}
	}
	for _, r := range "€§¿¡°¬" {
		if err := p.CheckPassword("abcdef" + string(r)); err == nil {
			t.Errorf("%q is counted as a symbol", r)
		}
	}
}
