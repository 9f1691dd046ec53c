package locales

import (
	"embed"
	"io/fs"
	"slices"

	"golang.org/x/text/language"
)

// The operator console (internal/console) has catalogs of its own, in
// console/<tag>.json: its words are for the operators of a deployment,
// not for the end users every hosted-page language serves, so it speaks
// ConsoleLanguages only, English first, and every console catalog has
// exactly the keys of console/en.json. Its keys start with "console."
// and never clash with the hosted pages' keys; T, Date and the other
// Catalog methods work on them alike.

//go:embed console/*.json
var consoleFiles embed.FS

// ConsoleLanguages are the languages of the console's catalogs.
var ConsoleLanguages = []string{"en", "zh-CN"}

var (
	consoleCatalogs []*Catalog
	consoleMatcher  language.Matcher
)

// loadConsole loads the console's catalogs and adds the placeholder names
// of their keys to argNames.
func loadConsole() {
	sub, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		panic(err)
	}
	cs, err := loadAll(sub, ConsoleLanguages)
	if err != nil {
		panic(err) // embedded files: a broken catalog is a build defect
	}
	for key, m := range cs[0].msgs {
		if _, clash := argNames[key]; clash {
			panic("locales: console key " + key + " is also a hosted-page key")
		}
		argNames[key] = m.placeholders()
	}
	consoleCatalogs = cs
	consoleMatcher = newMatcher(cs)
}

// ConsoleAll returns the console's catalogs, English first.
func ConsoleAll() []*Catalog { return slices.Clone(consoleCatalogs) }

// ConsoleMatch returns the console catalog for the first preference
// (a language tag or an Accept-Language value, as for Match) that names
// one of ConsoleLanguages, and English without a match.
func ConsoleMatch(preferences ...string) *Catalog {
	for _, p := range preferences {
		if c, ok := find(consoleMatcher, consoleCatalogs, p); ok {
			return c
		}
	}
	return consoleCatalogs[0]
}
