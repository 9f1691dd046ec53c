package admin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/pool"
)

// TestValidateUserPool: the check of CreateUserPool and UpdateUserPool,
// with their Cognito errors, the pool's wording of messages included.
func TestValidateUserPool(t *testing.T) {
	p := pool.NewPool("us-east-1", "Lamps", time.Now())
	if err := admin.ValidateUserPool(p); err != nil {
		t.Fatalf("a new pool: %v", err)
	}
	bad := p
	bad.Branding.PrimaryColor = "red"
	if err := admin.ValidateUserPool(bad); account.TypeOf(err) != account.InvalidParameterException {
		t.Errorf("colour red: %v", err)
	}
	bad = p
	bad.Branding.Messages = map[string]map[string]string{"en": {"no.such.key": "x"}}
	var ae *account.Error
	if err := admin.ValidateUserPool(bad); account.TypeOf(err) != account.InvalidParameterException || !errors.As(err, &ae) || ae.Field != "Branding.Messages" {
		t.Errorf("unknown message key: %v", err)
	}
}
