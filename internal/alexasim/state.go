package alexasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// StateEnv names the environment variable with the state file's path.
const StateEnv = "LINKPOOL_ALEXA_STATE"

// stateVersion is the state file format.
const stateVersion = 1

// StateFile is the simulator's state: one entry per link name. It holds
// tokens and client secrets, so it is written with mode 0600.
type StateFile struct {
	Version int              `json:"version"`
	Links   map[string]*Link `json:"links"`
}

// DefaultStatePath is $LINKPOOL_ALEXA_STATE, else
// $XDG_CONFIG_HOME/linkpool/alexa.json, else
// ~/.config/linkpool/alexa.json.
func DefaultStatePath(getenv func(string) string) (string, error) {
	if p := getenv(StateEnv); p != "" {
		return p, nil
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "linkpool", "alexa.json"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("alexasim: no state file location: set %s or HOME: %w", StateEnv, err)
		}
	}
	return filepath.Join(home, ".config", "linkpool", "alexa.json"), nil
}

// LoadState reads the state file; a missing file is an empty state.
func LoadState(path string) (*StateFile, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &StateFile{Version: stateVersion, Links: map[string]*Link{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("alexasim: read state: %w", err)
	}
	var s StateFile
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("alexasim: state file %s is not valid JSON: %w", path, err)
	}
	if s.Version > stateVersion {
		return nil, fmt.Errorf("alexasim: state file %s has version %d, this linkpool reads up to %d", path, s.Version, stateVersion)
	}
	if s.Links == nil {
		s.Links = map[string]*Link{}
	}
	for name, l := range s.Links {
		if l == nil {
			delete(s.Links, name)
			continue
		}
		l.Name = name
	}
	return &s, nil
}

// Save writes the state atomically (a temporary file in the same
// directory, synced, then renamed) with mode 0600; the directory is
// created with mode 0700 if needed.
func (s *StateFile) Save(path string) error {
	s.Version = stateVersion
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("alexasim: encode state: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("alexasim: state directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".alexa-state-*")
	if err != nil {
		return fmt.Errorf("alexasim: write state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename this fails harmlessly
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("alexasim: write state: %w", err)
	}
	if _, err := f.Write(append(raw, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("alexasim: write state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("alexasim: write state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("alexasim: write state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("alexasim: write state: %w", err)
	}
	return nil
}

// Link returns the link called name.
func (s *StateFile) Link(name string) (*Link, bool) {
	l, ok := s.Links[name]
	return l, ok
}

// Put stores l under its name.
func (s *StateFile) Put(l *Link) {
	if s.Links == nil {
		s.Links = map[string]*Link{}
	}
	s.Links[l.Name] = l
}

// Names lists the link names, sorted.
func (s *StateFile) Names() []string {
	names := make([]string, 0, len(s.Links))
	for n := range s.Links {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
