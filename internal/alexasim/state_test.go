package alexasim_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

func TestStateFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "alexa.json")
	s, err := alexasim.LoadState(path)
	if err != nil || len(s.Links) != 0 {
		t.Fatalf("missing file: %v %v", s, err)
	}
	at := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	s.Put(&alexasim.Link{
		Name:      "kitchen",
		Console:   alexasim.Console{ClientID: "c", ClientSecret: "very-secret", Region: alexasim.RegionEU, Scheme: alexasim.SchemeRequestBody, PKCE: true},
		Tokens:    alexasim.Tokens{AccessToken: "at", RefreshToken: "rt", ExpiresIn: 3600, ObtainedAt: at, ExpiresAt: at.Add(time.Hour)},
		Status:    alexasim.Status{State: alexasim.Linked, At: at},
		Endpoints: []alexasim.Endpoint{{ID: "lamp-1", FriendlyName: "Desk Lamp", Cookie: map[string]string{"k": "v"}}},
	})
	s.Put(&alexasim.Link{Name: "default", Status: alexasim.Status{State: alexasim.Unlinked, Code: "DISABLED_BY_USER", Reason: "x", At: at}})
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600: the file holds tokens and secrets", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", dst.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	got, err := alexasim.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if names := got.Names(); len(names) != 2 || names[0] != "default" || names[1] != "kitchen" {
		t.Fatalf("names %v", names)
	}
	k, ok := got.Link("kitchen")
	if !ok || k.Console.ClientSecret != "very-secret" || k.Tokens.RefreshToken != "rt" || !k.Tokens.ExpiresAt.Equal(at.Add(time.Hour)) ||
		k.Console.Region != alexasim.RegionEU || !k.Console.PKCE || k.Endpoints[0].Cookie["k"] != "v" || !k.IsLinked() {
		t.Fatalf("kitchen %+v", k)
	}
	// A second save replaces the file atomically and keeps the mode.
	_ = os.Chmod(path, 0o644)
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode after rewrite %v", st.Mode().Perm())
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
	}{
		{"not JSON", "{"},
		{"newer version", `{"version": 99, "links": {}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := alexasim.LoadState(p); err == nil {
				t.Fatal("loaded")
			}
		})
	}
}

func TestDefaultStatePath(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"explicit", map[string]string{"LINKPOOL_ALEXA_STATE": "/x/state.json", "XDG_CONFIG_HOME": "/cfg"}, "/x/state.json"},
		{"XDG", map[string]string{"XDG_CONFIG_HOME": "/cfg", "HOME": "/home/u"}, "/cfg/linkpool/alexa.json"},
		{"home", map[string]string{"HOME": "/home/u"}, "/home/u/.config/linkpool/alexa.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := alexasim.DefaultStatePath(func(k string) string { return tc.env[k] })
			if err != nil || got != tc.want {
				t.Fatalf("%q %v, want %q", got, err, tc.want)
			}
		})
	}
}
