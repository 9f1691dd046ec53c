package pool_test

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

func TestValidateSubject(t *testing.T) {
	for s, ok := range map[string]bool{
		"":                                      false,
		"fed-user-1":                            true,
		"Ädå@example.com":                       true,
		strings.Repeat("s", pool.MaxSubjectLen): true,
		strings.Repeat("s", pool.MaxSubjectLen+1):   false,
		strings.Repeat("é", pool.MaxSubjectLen/2+1): false, // bytes, not characters
		"a\x00b":   false,
		"a\tb":     false,
		"a\u0085b": false,
		"\xff\xfe": false,
	} {
		if err := pool.ValidateSubject(s); (err == nil) != ok {
			t.Errorf("ValidateSubject(%q) = %v, want ok %v", s, err, ok)
		}
	}
}

func TestValidateProviderURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://idp.example.com/token": true,
		"http://127.0.0.1:8080/token":   true,
		"http://idp.example.com/token":  false,
		"file:///etc/passwd":            false,
		"/relative":                     false,
	} {
		if err := pool.ValidateProviderURL(u); (err == nil) != ok {
			t.Errorf("ValidateProviderURL(%q) = %v, want ok %v", u, err, ok)
		}
	}
}
