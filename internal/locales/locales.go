package locales

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

//go:embed *.json
var files embed.FS

// Catalog is the messages of one language. It is immutable and safe for
// concurrent use.
type Catalog struct {
	tag  language.Tag
	name string
	msgs map[string]string
}

// Tag returns the catalog's language.
func (c *Catalog) Tag() language.Tag { return c.tag }

// Lang returns the BCP 47 tag of the catalog ("en", "zh-Hans"), for the
// lang attribute of <html> and for the language cookie.
func (c *Catalog) Lang() string { return c.name }

// Has reports whether key is in the catalog.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// Keys returns the catalog's keys in sorted order.
func (c *Catalog) Keys() []string { return slices.Sorted(maps.Keys(c.msgs)) }

// T returns the message for key with placeholders replaced: args are
// name, value pairs, so T("x", "code", "123456") turns "{code}" into
// "123456". A key missing from the catalog yields the key itself, which
// tests catch; it never panics.
func (c *Catalog) T(key string, args ...string) string {
	msg, ok := c.msgs[key]
	if !ok {
		return key
	}
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// The supported languages; the first is the default.
var supported = []struct {
	tag  language.Tag
	file string
}{
	{language.English, "en.json"},
	{language.MustParse("zh-Hans"), "zh-Hans.json"},
}

var (
	catalogs []*Catalog
	matcher  language.Matcher
)

func init() {
	tags := make([]language.Tag, len(supported))
	for i, s := range supported {
		c, err := load(s.file, s.tag)
		if err != nil {
			panic(err) // embedded files: a broken catalog is a build defect
		}
		catalogs = append(catalogs, c)
		tags[i] = s.tag
	}
	matcher = language.NewMatcher(tags)
}

func load(file string, tag language.Tag) (*Catalog, error) {
	b, err := files.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	var msgs map[string]string
	if err := json.Unmarshal(b, &msgs); err != nil {
		return nil, fmt.Errorf("locales: %s: %w", file, err)
	}
	return &Catalog{tag: tag, name: tag.String(), msgs: msgs}, nil
}

// All returns every catalog, the default (English) first.
func All() []*Catalog { return slices.Clone(catalogs) }

// Default returns the English catalog.
func Default() *Catalog { return catalogs[0] }

// Match returns the catalog for the first preference that names a
// supported language. Each preference is a language tag ("zh-CN") or an
// Accept-Language header value ("zh-CN,zh;q=0.9,en;q=0.8"); empty and
// malformed preferences are skipped. Without a match the default is
// returned.
func Match(preferences ...string) *Catalog {
	for _, p := range preferences {
		if c, ok := Find(p); ok {
			return c
		}
	}
	return Default()
}

// Find returns the catalog for one preference (a language tag or an
// Accept-Language value), and false when it names no supported language.
// A language is supported when the matcher is sure of the match (High or
// Exact confidence): zh-CN, zh-SG and zh select Simplified Chinese and
// en-IN English, but zh-TW, zh-HK and zh-Hant, which the matcher pairs
// with Simplified Chinese at Low confidence only, select nothing, so their
// readers get English rather than a script they may not read.
func Find(preference string) (*Catalog, bool) {
	p := strings.TrimSpace(preference)
	if p == "" || len(p) > 256 {
		return nil, false
	}
	tags, _, err := language.ParseAcceptLanguage(p)
	if err != nil || len(tags) == 0 {
		return nil, false
	}
	_, i, conf := matcher.Match(tags...)
	if conf < language.High {
		return nil, false
	}
	return catalogs[i], true
}

// Exact returns the catalog whose Lang is exactly lang, or nil.
func Exact(lang string) *Catalog {
	for _, c := range catalogs {
		if c.name == lang {
			return c
		}
	}
	return nil
}
