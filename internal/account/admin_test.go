package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

func TestAdminCreateUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(p *pool.Pool) {
		p.AllowAdminCreateUserOnly = true
		p.AliasAttributes = []string{pool.AttrEmail}
	})
	res, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
		Username: "uma", TemporaryPassword: "Temp0rary-pw!", EmailVerified: true, Permanent: true,
		Attributes: map[string]string{"email": "uma@example.com"},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if res.TemporaryPassword != "Temp0rary-pw!" || res.User.Status != pool.StatusConfirmed || !res.User.EmailVerified() {
		t.Errorf("result = %+v", res)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "uma@example.com", "Temp0rary-pw!"); err != nil {
		t.Errorf("Authenticate by verified alias: %v", err)
	}
	if n := len(e.box.Messages()); n != 0 {
		t.Errorf("%d mails sent", n)
	}

	tests := []struct {
		name      string
		in        account.AdminCreateUserInput
		wantType  string
		wantField string
	}{
		{name: "taken username", in: account.AdminCreateUserInput{Username: "UMA"}, wantType: account.UsernameExistsException},
		{name: "taken address", in: account.AdminCreateUserInput{Username: "uma2", Attributes: map[string]string{"email": "uma@example.com"}}, wantType: account.AliasExistsException},
		{name: "weak password", in: account.AdminCreateUserInput{Username: "vic", TemporaryPassword: "password"}, wantType: account.InvalidPasswordException, wantField: "temporary_password"},
		{name: "bad username", in: account.AdminCreateUserInput{Username: "v i c"}, wantType: account.InvalidParameterException, wantField: "username"},
		{name: "verified without address", in: account.AdminCreateUserInput{Username: "vic", EmailVerified: true}, wantType: account.InvalidParameterException, wantField: "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.AdminCreateUser(ctx, e.pool, tt.in)
			ae := wantErr(t, err, tt.wantType)
			if ae.Field != tt.wantField {
				t.Errorf("field = %q, want %q", ae.Field, tt.wantField)
			}
			if n := e.userCount(t); n != 1 {
				t.Errorf("%d users, want 1", n)
			}
		})
	}
}

func TestAdminSetUserPasswordAndConfirm(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	if _, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{Username: "wes", Password: goodPW, Attributes: map[string]string{"email": "wes@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AdminConfirmSignUp(ctx, e.pool, "wes"); err != nil {
		t.Fatalf("AdminConfirmSignUp: %v", err)
	}
	u := mustLookup(t, e, "wes")
	if u.Status != pool.StatusConfirmed || u.EmailVerified() || u.Code.Active(pool.CodeSignUp) {
		t.Errorf("after admin confirmation: %+v", u)
	}
	wantErr(t, e.svc.AdminConfirmSignUp(ctx, e.pool, "wes"), account.NotAuthorizedException)

	if err := e.svc.AdminSetUserPassword(ctx, e.pool, "wes", "Temp0rary-pw!", false); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(ctx, e.pool, "wes", "Temp0rary-pw!")
	wantErr(t, err, account.NewPasswordRequired)
	if err := e.svc.AdminSetUserPassword(ctx, e.pool, "wes", "Perman3nt-pw!", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(ctx, e.pool, "wes", "Perman3nt-pw!"); err != nil {
		t.Errorf("Authenticate with the permanent password: %v", err)
	}
	wantErr(t, e.svc.AdminSetUserPassword(ctx, e.pool, "wes", "weak", true), account.InvalidPasswordException)
	wantErr(t, e.svc.AdminSetUserPassword(ctx, e.pool, "nobody", goodPW, true), account.UserNotFoundException)
}

func TestAdminDisableRevokesAndGlobalSignOut(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		act     func(e *env) error
		enabled bool
	}{
		{name: "disable", act: func(e *env) error { return e.svc.AdminDisableUser(ctx, e.pool, "xena") }},
		{name: "global sign-out", act: func(e *env) error { return e.svc.GlobalSignOut(ctx, e.pool, "xena") }, enabled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			u := e.signUp(t, "xena", "xena@example.com", goodPW)
			now := e.clock.Now()
			client := pool.NewClient(e.pool.ID, "alexa", now)
			client.AllowedOAuthFlows = []string{pool.FlowCode}
			client.AllowedOAuthFlowsUserPoolClient = true
			client.CallbackURLs = []string{"https://layla.amazon.com/api/skill/link/M1"}
			if err := e.db.CreateClient(ctx, client); err != nil {
				t.Fatal(err)
			}
			if err := e.db.CreateSession(ctx, store.Session{ID: "s1", SecretHash: "h", PoolID: e.pool.ID, Sub: u.Sub, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if err := e.db.CreateRefreshToken(ctx, store.RefreshToken{ID: "r1", OriginJTI: "o1", PoolID: e.pool.ID, ClientID: client.ID, Sub: u.Sub, AuthTime: now, SecretHash: "h", CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			if err := tt.act(e); err != nil {
				t.Fatal(err)
			}
			got := e.user(t, u.Sub)
			if got.Enabled != tt.enabled || !got.TokensValidAfter.Equal(e.clock.Now()) {
				t.Errorf("enabled %v, tokens valid after %v", got.Enabled, got.TokensValidAfter)
			}
			if _, err := e.db.GetSession(ctx, "s1"); err == nil {
				t.Error("the hosted-UI session survived")
			}
			rt, err := e.db.GetRefreshToken(ctx, "r1")
			if err != nil || !rt.Revoked() {
				t.Errorf("refresh token = %+v, %v; want revoked", rt, err)
			}
		})
	}
	t.Run("enable", func(t *testing.T) {
		e := newEnv(t, nil)
		e.signUp(t, "xena", "xena@example.com", goodPW)
		if err := e.svc.AdminDisableUser(ctx, e.pool, "xena"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AdminEnableUser(ctx, e.pool, "xena"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, e.pool, "xena", goodPW); err != nil {
			t.Errorf("Authenticate after enabling: %v", err)
		}
		wantErr(t, e.svc.AdminEnableUser(ctx, e.pool, "nobody"), account.UserNotFoundException)
		wantErr(t, e.svc.GlobalSignOut(ctx, e.pool, "nobody"), account.UserNotFoundException)
	})
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(p *pool.Pool) {
		p.AliasAttributes = []string{pool.AttrEmail}
		p.Schema = []pool.SchemaAttribute{{Name: "tier", AttributeDataType: "String", Mutable: true}}
	})
	u := e.signUp(t, "yara", "yara@example.com", goodPW)
	e.signUp(t, "zack", "zack@example.com", goodPW)

	if err := e.svc.AdminUpdateUserAttributes(ctx, e.pool, "yara", map[string]string{"email": "Yara@New.example", "custom:tier": "gold", "name": "Yara"}); err != nil {
		t.Fatalf("AdminUpdateUserAttributes: %v", err)
	}
	got := e.user(t, u.Sub)
	if got.Email() != "Yara@New.example" || got.EmailVerified() || got.EmailKey != "yara@new.example" || got.Attributes["custom:tier"] != "gold" {
		t.Errorf("after update: attrs %v, email key %q", got.Attributes, got.EmailKey)
	}
	if err := e.svc.AdminUpdateUserAttributes(ctx, e.pool, "yara", map[string]string{"name": ""}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.user(t, u.Sub).Attributes["name"]; ok {
		t.Error("an empty value did not remove the attribute")
	}

	tests := []struct {
		name     string
		user     string
		attrs    map[string]string
		wantType string
	}{
		{name: "address of another user", user: "yara", attrs: map[string]string{"email": "ZACK@example.com"}, wantType: account.AliasExistsException},
		{name: "unknown attribute", user: "yara", attrs: map[string]string{"shoe_size": "9"}, wantType: account.InvalidParameterException},
		{name: "sub", user: "yara", attrs: map[string]string{"sub": "x"}, wantType: account.InvalidParameterException},
		{name: "nothing", user: "yara", attrs: nil, wantType: account.InvalidParameterException},
		{name: "unknown user", user: "nobody", attrs: map[string]string{"name": "x"}, wantType: account.UserNotFoundException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.user(t, u.Sub)
			wantErr(t, e.svc.AdminUpdateUserAttributes(ctx, e.pool, tt.user, tt.attrs), tt.wantType)
			after := e.user(t, u.Sub)
			if after.Email() != before.Email() || after.EmailKey != before.EmailKey || len(after.Attributes) != len(before.Attributes) {
				t.Errorf("a rejected update changed the user: %v -> %v", before.Attributes, after.Attributes)
			}
		})
	}
}

func TestAdminDeleteUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	e.signUp(t, "abe", "abe@example.com", goodPW)
	if err := e.svc.AdminDeleteUser(ctx, e.pool, "ABE"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Lookup(ctx, e.pool, "abe")
	wantErr(t, err, account.UserNotFoundException)
	wantErr(t, e.svc.AdminDeleteUser(ctx, e.pool, "abe"), account.UserNotFoundException)
}
