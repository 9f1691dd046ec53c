package locales

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/message/catalog"
)

// parse reads a catalog file: a JSON object of key to message, where a
// message is a string, or an object of CLDR plural categories ("zero",
// "one", "two", "few", "many", "other") to strings that selects its form
// by the placeholder {n}.
func parse(lang string, raw []byte) (map[string]entry, error) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("locales: %s.json: %w", lang, err)
	}
	msgs := make(map[string]entry, len(entries))
	for key, v := range entries {
		var text string
		if err := json.Unmarshal(v, &text); err == nil {
			msgs[key] = entry{text: text}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("locales: %s.json: %q is neither a string nor an object of plural forms", lang, key)
		}
		if _, ok := forms["other"]; !ok {
			return nil, fmt.Errorf("locales: %s.json: %q has no \"other\" form", lang, key)
		}
		for f := range forms {
			if !slices.Contains(slices.Collect(maps.Values(formNames)), f) {
				return nil, fmt.Errorf("locales: %s.json: %q has the unknown plural form %q", lang, key, f)
			}
		}
		msgs[key] = entry{forms: forms}
	}
	return msgs, nil
}

// placeholders returns the sorted names of m's placeholders over all its
// forms.
func (m entry) placeholders() []string {
	seen := map[string]bool{}
	for _, s := range m.texts() {
		for _, n := range placeholderNames(s) {
			seen[n] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func (m entry) texts() []string {
	if m.forms == nil {
		return []string{m.text}
	}
	return slices.Collect(maps.Values(m.forms))
}

// placeholderNames returns the names of the {name} placeholders in s, in
// order of appearance.
func placeholderNames(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		if name := s[i+1 : i+j]; validName(name) {
			out = append(out, name)
		}
		s = s[i+j:]
	}
}

func validName(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// compile turns m into an x/text catalog message whose arguments are the
// values of names, in order: "{n}" becomes "%[1]v", a literal "%" "%%".
// A placeholder not among names stays as written.
func (m entry) compile(names []string) catalog.Message {
	if m.forms == nil {
		return catalog.String(format(m.text, names))
	}
	arg := slices.Index(names, pluralArg) + 1
	var cases []any
	// Categories in CLDR order, "other" last, for a stable catalog.
	for _, f := range []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other} {
		if text, ok := m.forms[formNames[f]]; ok {
			cases = append(cases, formNames[f], format(text, names))
		}
	}
	if arg == 0 {
		return catalog.String(format(m.forms["other"], names))
	}
	return plural.Selectf(arg, "%d", cases...)
}

// format writes s as a fmt format string with positional arguments.
func format(s string, names []string) string {
	var b strings.Builder
	for len(s) > 0 {
		switch {
		case s[0] == '%':
			b.WriteString("%%")
			s = s[1:]
			continue
		case s[0] == '{':
			if j := strings.IndexByte(s, '}'); j > 0 {
				if i := slices.Index(names, s[1:j]); i >= 0 {
					b.WriteString("%[" + strconv.Itoa(i+1) + "]v")
					s = s[j+1:]
					continue
				}
			}
		}
		b.WriteByte(s[0])
		s = s[1:]
	}
	return b.String()
}
