package transfer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/transfer"
)

var stores = []struct {
	name string
	open func(testing.TB) skillstore.Database
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

// seedExport generates a deployment of users users, links of them
// linked, with a cheap password hash; it returns the export as lines and
// the users as the load generator gets them.
func seedExport(t testing.TB, users, links int) (*transfer.Seed, []string, []transfer.SeedUser) {
	t.Helper()
	hash, err := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 1).Hash(context.Background(), carolPassword)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := transfer.NewSeed(testBox(t, masterKey), transfer.SeedOptions{
		Users: users, Links: links, Password: carolPassword, PasswordHash: hash, RedirectURI: alexaRedirect,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var got []transfer.SeedUser
	counts, err := seed.Write(context.Background(), &out, func(u transfer.SeedUser) error {
		got = append(got, u)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := transfer.Counts{Pools: 1, Clients: 1, KeySets: 1, Users: int64(users), RefreshTokens: int64(links)}
	if counts != want || len(got) != users {
		t.Fatalf("Seed wrote %s and %d users, want %s", counts, len(got), want)
	}
	return seed, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"), got
}

// TestSeed: a generated deployment imports into either store, and
// through a server over it every generated refresh token refreshes and
// users sign in with the password; users past Links have no token.
func TestSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("imports into both stores and signs in through a server: -short")
	}
	const users, links = 12, 8
	seed, lines, seeded := seedExport(t, users, links)
	for i, u := range seeded {
		if want := fmt.Sprintf("user%07d", i); u.Username != want || (u.RefreshToken != "") != (i < links) {
			t.Fatalf("user %d = %+v, want %s with a refresh token only when linked", i, u, want)
		}
	}
	box := testBox(t, masterKey)
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			st := s.open(t)
			if _, err := transfer.Import(ctx, st, box, strings.NewReader(strings.Join(lines, "\n")+"\n"), transfer.ImportOptions{}); err != nil {
				t.Fatalf("Import: %v", err)
			}
			r := &router{}
			r.serve(t, st, box)
			tg := target(r, seed.PoolID, seed.ClientID, seed.ClientSecret)
			for _, u := range seeded[:links] {
				tok, err := tg.Refresh(ctx, u.RefreshToken, "")
				if err != nil || tok.AccessToken == "" {
					t.Fatalf("refresh of %s: %v", u.Username, err)
				}
			}
			if _, err := tg.Refresh(ctx, seeded[0].RefreshToken[:23]+strings.Repeat("A", 43), ""); err == nil {
				t.Fatal("a refresh token with another secret refreshed")
			}
			for _, u := range []transfer.SeedUser{seeded[1], seeded[users-1]} {
				code, verifier, err := tg.Browser("").SignIn(ctx, u.Username, seed.Password)
				if err != nil {
					t.Fatalf("sign-in of %s: %v", u.Username, err)
				}
				if _, err := tg.Exchange(ctx, code, verifier, ""); err != nil {
					t.Fatalf("code exchange of %s: %v", u.Username, err)
				}
			}
		})
	}
}

// TestImportAllOrNothing: a record that fails late in a large import,
// whether the store refuses it (a second user with a taken username) or
// the input turns out invalid (truncated), leaves the target empty.
func TestImportAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("imports thousands of records into both stores: -short")
	}
	const users = 2000
	_, lines, _ := seedExport(t, users, users)
	// The last user again, under another sub: only the store's unique
	// index on the username finds it, after every other user is written.
	last := users + 3 // header, pool, client, key set, users...
	if !strings.Contains(lines[last], `"username":"user0001999"`) {
		t.Fatalf("line %d is not the last user: %.80s", last, lines[last])
	}
	var rec struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(lines[last]), &rec); err != nil {
		t.Fatal(err)
	}
	rec.Data["sub"] = uuid.NewString()
	delete(rec.Data, "sealed_srp_verifier") // sealed for the other sub
	withDup := func() string {
		dup, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		l := append(append(append([]string(nil), lines[:last+1]...), string(dup)), lines[last+1:]...)
		end := len(l) - 1
		l[end] = strings.Replace(l[end], fmt.Sprintf(`"users":%d`, users), fmt.Sprintf(`"users":%d`, users+1), 1)
		return strings.Join(l, "\n") + "\n"
	}
	sameUsername := withDup()
	// The same email address under another username: only the unique
	// index on email addresses finds it, which the stores build after
	// the rows.
	rec.Data["username"], rec.Data["username_key"] = "someone-else", "someone-else"
	sameEmail := withDup()

	box := testBox(t, masterKey)
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st := s.open(t)
			for what, in := range map[string]string{"username": sameUsername, "email address": sameEmail} {
				_, err := transfer.Import(context.Background(), st, box, strings.NewReader(in), transfer.ImportOptions{})
				if !errors.Is(err, store.ErrAlreadyExists) {
					t.Fatalf("Import with a duplicate %s = %v, want ErrAlreadyExists", what, err)
				}
				mustHoldNothing(t, st)
			}

			_, err := transfer.Import(context.Background(), st, box, strings.NewReader(strings.Join(lines[:len(lines)-1], "\n")+"\n"), transfer.ImportOptions{})
			var fe *transfer.FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "truncated") {
				t.Fatalf("Import of a truncated export = %v, want a FormatError", err)
			}
			mustHoldNothing(t, st)

			// The store is as good as new: the whole export imports.
			if _, err := transfer.Import(context.Background(), st, box, strings.NewReader(strings.Join(lines, "\n")+"\n"), transfer.ImportOptions{}); err != nil {
				t.Fatalf("Import after the failures: %v", err)
			}
		})
	}
}

// mustHoldNothing checks that st holds no pool, user or refresh token.
func mustHoldNothing(t *testing.T, st skillstore.Database) {
	t.Helper()
	mustBeEmpty(t, st)
	tokens, err := st.ListAllRefreshTokens(context.Background(), store.ListOptions{})
	if err != nil || len(tokens.Items) != 0 {
		t.Fatalf("the target has %d refresh tokens after a failed import (%v)", len(tokens.Items), err)
	}
}
