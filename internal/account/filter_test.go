package account_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

func TestParseUserFilter(t *testing.T) {
	good := []struct {
		in   string
		want account.UserFilter
	}{
		{``, account.UserFilter{}},
		{"  \t", account.UserFilter{}},
		{`email = "a@example.com"`, account.UserFilter{Attribute: "email", Value: "a@example.com"}},
		{`email="a@example.com"`, account.UserFilter{Attribute: "email", Value: "a@example.com"}},
		{`  name ^=  "Jo"  `, account.UserFilter{Attribute: "name", Value: "Jo", Prefix: true}},
		{`name^="Jo"`, account.UserFilter{Attribute: "name", Value: "Jo", Prefix: true}},
		{`cognito:user_status = "CONFIRMED"`, account.UserFilter{Attribute: "cognito:user_status", Value: "CONFIRMED"}},
		{`family_name = "Say \"hi\" \\o/"`, account.UserFilter{Attribute: "family_name", Value: `Say "hi" \o/`}},
		{`name = "50% _off_ 'x'"`, account.UserFilter{Attribute: "name", Value: `50% _off_ 'x'`}},
		{`given_name = ""`, account.UserFilter{Attribute: "given_name"}},
		{`name = "\名"`, account.UserFilter{Attribute: "name", Value: "名"}},
		{`sub ^= "` + strings.Repeat("a", 240) + `"`, account.UserFilter{Attribute: "sub", Value: strings.Repeat("a", 240), Prefix: true}},
	}
	for _, tc := range good {
		got, err := account.ParseUserFilter(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseUserFilter(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, msg string }{
		{`email == "x"`, "Error while parsing filter."},
		{`email = x`, "Error while parsing filter."},
		{`email = "x`, "Error while parsing filter."},
		{`email = "x" and name = "y"`, "Error while parsing filter."},
		{`email ~ "x"`, "Error while parsing filter."},
		{`= "x"`, "Error while parsing filter."},
		{`email`, "Error while parsing filter."},
		{"email = \"a\x00b\"", "Error while parsing filter."},
		{`name = "` + strings.Repeat("a", 250) + `"`, "Error while parsing filter."},
		{`custom:tier = "gold"`, "Invalid search attribute: custom:tier"},
		{`email_verified = "true"`, "Invalid search attribute: email_verified"},
		{`Email = "a@example.com"`, "Invalid search attribute: Email"},
	}
	for _, tc := range bad {
		_, err := account.ParseUserFilter(tc.in)
		if ae := wantErr(t, err, account.InvalidParameterException); ae.Message != tc.msg || ae.Field != "Filter" {
			t.Errorf("ParseUserFilter(%q): %q on %q, want %q on Filter", tc.in, ae.Message, ae.Field, tc.msg)
		}
	}
}

// TestListUsersFilter: the service lists the users a filter selects,
// page after page, with usernames compared as the pool compares them.
func TestListUsersFilter(t *testing.T) {
	for _, caseSensitive := range []bool{false, true} {
		e := newEnv(t, func(p *pool.Pool) { p.CaseSensitive = caseSensitive })
		ctx := context.Background()
		for _, name := range []string{"Lamp-Owner", "lamp-fan", "Other", "lamp-3", "lamp-4"} {
			if _, err := e.svc.AdminCreateUser(ctx, e.pool, account.AdminCreateUserInput{
				Username: name, Attributes: map[string]string{"email": strings.ToLower(name) + "@Example.com"},
			}); err != nil {
				t.Fatal(err)
			}
		}
		list := func(filter string, limit int) []string {
			t.Helper()
			f, err := account.ParseUserFilter(filter)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			token := ""
			for range 20 {
				users, next, err := e.svc.ListUsers(ctx, e.pool, f, limit, token)
				if err != nil {
					t.Fatalf("ListUsers(%s): %v", filter, err)
				}
				for _, u := range users {
					names = append(names, u.Username)
				}
				if next == "" {
					slices.Sort(names)
					return names
				}
				token = next
			}
			t.Fatalf("ListUsers(%s) never ends", filter)
			return nil
		}
		want := map[string][]string{
			`username ^= "lamp"`:          {"lamp-3", "lamp-4", "lamp-fan"},
			`username = "lamp-owner"`:     nil,
			`username = "Lamp-Owner"`:     {"Lamp-Owner"},
			`email ^= "LAMP-"`:            {"Lamp-Owner", "lamp-3", "lamp-4", "lamp-fan"},
			`email = "other@example.com"`: {"Other"},
			``:                            {"Lamp-Owner", "Other", "lamp-3", "lamp-4", "lamp-fan"},
		}
		if !caseSensitive {
			want[`username ^= "lamp"`] = []string{"Lamp-Owner", "lamp-3", "lamp-4", "lamp-fan"}
			want[`username = "lamp-owner"`] = []string{"Lamp-Owner"}
		}
		for filter, names := range want {
			for _, limit := range []int{1, 60} {
				if got := list(filter, limit); !slices.Equal(got, names) {
					t.Errorf("case sensitive %v, %s by %d: %q, want %q", caseSensitive, filter, limit, got, names)
				}
			}
		}

		// A token serves only listings by the attribute it was made for.
		f, _ := account.ParseUserFilter(`email ^= "lamp"`)
		_, next, err := e.svc.ListUsers(ctx, e.pool, f, 1, "")
		if err != nil || next == "" {
			t.Fatalf("first page: next %q, %v", next, err)
		}
		other, _ := account.ParseUserFilter(`name ^= "lamp"`)
		for _, g := range []account.UserFilter{other, {}} {
			_, _, err := e.svc.ListUsers(ctx, e.pool, g, 1, next)
			if ae := wantErr(t, err, account.InvalidParameterException); ae.Field != "PaginationToken" {
				t.Errorf("token of another listing: %+v", ae)
			}
		}
	}
}
