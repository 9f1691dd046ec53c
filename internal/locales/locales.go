package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"
)

//go:embed *.json
var files embed.FS

// Languages are the languages linkpool speaks, English (the default)
// first: those of Alexa's sign-in pages and of Cognito's managed login
// (its lang values). A language is served when its catalog file,
// <tag>.json, is present.
var Languages = []string{"en", "de", "fr", "es", "it", "ja", "pt-BR", "hi", "ar", "nl", "id", "ko", "zh-CN", "zh-TW"}

// Catalog is the messages of one language. It is immutable and safe for
// concurrent use.
type Catalog struct {
	tag     language.Tag
	name    string
	dir     string
	msgs    map[string]entry
	printer *message.Printer
	// over holds a pool's own wording of some messages (WithOverrides).
	over map[string]string
}

// entry is one message of a catalog file.
type entry struct {
	// forms holds a plural message's texts by CLDR category; text a
	// plain message.
	text  string
	forms map[string]string
}

// Tag returns the catalog's language.
func (c *Catalog) Tag() language.Tag { return c.tag }

// Lang returns the BCP 47 tag of the catalog ("en", "zh-CN"), for the
// lang attribute of <html>, the language cookie and the mails'
// Content-Language.
func (c *Catalog) Lang() string { return c.name }

// Dir returns the writing direction of the catalog's script, "rtl" or
// "ltr", for the dir attribute of <html>.
func (c *Catalog) Dir() string { return c.dir }

// Has reports whether key is in the catalog.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// Keys returns the catalog's keys in sorted order.
func (c *Catalog) Keys() []string { return slices.Sorted(maps.Keys(c.msgs)) }

// IsPlural reports whether key is a plural message (a JSON object of
// CLDR plural categories).
func (c *Catalog) IsPlural(key string) bool { return c.msgs[key].forms != nil }

// Forms returns the plural categories ("one", "other") key's message
// has, sorted; nil for a plain message.
func (c *Catalog) Forms(key string) []string {
	f := c.msgs[key].forms
	if f == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(f))
}

// Placeholders returns the names of the placeholders of key's message
// ("client" for "{client}"), sorted, over all its plural forms.
func (c *Catalog) Placeholders(key string) []string {
	m, ok := c.msgs[key]
	if !ok {
		return nil
	}
	return m.placeholders()
}

// Text returns key's message as written in the catalog file, without
// its placeholders replaced: the plain text, or the "other" form of a
// plural message.
func (c *Catalog) Text(key string) string {
	m := c.msgs[key]
	if m.forms != nil {
		return m.forms["other"]
	}
	return m.text
}

// PluralCategories returns the CLDR plural categories whole numbers take
// in the catalog's language ("one" and "other" in English, "other" alone
// in Japanese, all six in Arabic), which every plural message of the
// catalog must have.
func (c *Catalog) PluralCategories() []string {
	seen := map[string]bool{}
	for n := 0; n < 1000; n++ {
		seen[formNames[plural.Cardinal.MatchPlural(c.tag, n, 0, 0, 0, 0)]] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// T returns the message for key with placeholders replaced: args are
// name, value pairs, so T("x", "code", "123456") turns "{code}" into
// "123456". Numbers (int values) are written in the language's digits
// and grouping; a plural message picks its form by the argument n, an
// int or a decimal string. A placeholder without an argument stays as
// it is, and a key missing from the catalog yields the key itself, which
// tests catch; it never panics.
func (c *Catalog) T(key string, args ...any) string {
	if text, ok := c.over[key]; ok {
		return c.replace(text, args)
	}
	m, ok := c.msgs[key]
	if !ok {
		return key
	}
	names := argNames[key]
	if len(names) == 0 {
		return c.printer.Sprintf(key)
	}
	vals := make([]any, len(names))
	for i, n := range names {
		vals[i] = "{" + n + "}"
	}
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		if j := slices.Index(names, name); j >= 0 {
			vals[j] = c.isolate(args[i+1])
			if s, ok := args[i+1].(string); ok && name == pluralArg && m.forms != nil {
				if n, err := strconv.Atoi(s); err == nil {
					vals[j] = n
				}
			}
		}
	}
	return c.printer.Sprintf(key, vals...)
}

// replace fills the named placeholders of a pool's own text.
func (c *Catalog) replace(text string, args []any) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		pairs = append(pairs, "{"+name+"}", c.printer.Sprint(c.isolate(args[i+1])))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// isolate wraps a text value inserted into a right-to-left message in
// Unicode's first-strong isolate (U+2068 ... U+2069), so that an address,
// a client id or a name written left to right keeps its own order and
// does not pull the message's punctuation into it (Unicode bidi
// algorithm, UAX #9). Other values are returned as they are.
func (c *Catalog) isolate(v any) any {
	if s, ok := v.(string); ok && c.dir == "rtl" && s != "" {
		return "\u2068" + s + "\u2069"
	}
	return v
}

// WithOverrides returns the catalog with some messages replaced by a
// pool's own wording (key to plain text with the same placeholders, see
// CheckOverride). Keys the catalog lacks are ignored. Without overrides
// it returns c itself.
func (c *Catalog) WithOverrides(over map[string]string) *Catalog {
	if len(over) == 0 {
		return c
	}
	o := *c
	o.over = make(map[string]string, len(over))
	for k, v := range over {
		if c.Has(k) {
			o.over[k] = v
		}
	}
	return &o
}

// pluralArg is the argument a plural message selects its form by.
const pluralArg = "n"

// formNames are the JSON names of the CLDR plural categories.
var formNames = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

var (
	catalogs []*Catalog
	matcher  language.Matcher
	// argNames holds, by key, the placeholder names of the English
	// message in the order of the x/text message's arguments.
	argNames map[string][]string
)

func init() {
	cs, err := loadAll(files, Languages)
	if err != nil {
		panic(err) // embedded files: a broken catalog is a build defect
	}
	catalogs = cs
	argNames = make(map[string][]string, len(cs[0].msgs))
	for key, m := range cs[0].msgs {
		argNames[key] = m.placeholders()
	}
	matcher = newMatcher(cs)
	loadConsole()
}

// newMatcher returns the language matcher of catalogs, in their order.
func newMatcher(cs []*Catalog) language.Matcher {
	tags := make([]language.Tag, len(cs))
	for i, c := range cs {
		tags[i] = c.tag
	}
	return language.NewMatcher(tags)
}

// loadAll reads the catalog files of the languages langs present in
// fsys, English first, and builds one x/text catalog of them all.
func loadAll(fsys fs.FS, langs []string) ([]*Catalog, error) {
	var out []*Catalog
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, lang := range langs {
		raw, err := fs.ReadFile(fsys, lang+".json")
		if lang != "en" && err != nil {
			continue // not translated yet
		}
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		msgs, err := parse(lang, raw)
		if err != nil {
			return nil, err
		}
		tag := language.MustParse(lang)
		c := &Catalog{tag: tag, name: lang, dir: direction(tag), msgs: msgs}
		var ref map[string]entry
		if len(out) > 0 {
			ref = out[0].msgs
		} else {
			ref = msgs
		}
		for key, m := range msgs {
			names := ref[key].placeholders()
			if err := b.Set(tag, key, m.compile(names)); err != nil {
				return nil, fmt.Errorf("locales: %s: %q: %w", lang, key, err)
			}
		}
		c.printer = message.NewPrinter(tag, message.Catalog(b))
		out = append(out, c)
	}
	return out, nil
}

// rtlScripts are the ISO 15924 scripts written right to left that a
// language's default script may be.
var rtlScripts = []string{"Adlm", "Arab", "Hebr", "Mand", "Mend", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa", "Yezi"}

// direction returns the writing direction of tag's script.
func direction(tag language.Tag) string {
	s, _ := tag.Script() // the likely script when tag names none
	if slices.Contains(rtlScripts, s.String()) {
		return "rtl"
	}
	return "ltr"
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
// Exact confidence): regional variants select their language (en-IN and
// en-GB English, es-MX and es-US Spanish, fr-CA French, pt-PT Brazilian
// Portuguese), zh-CN, zh-SG and zh-Hans select Simplified Chinese and
// zh-TW, zh-HK and zh-Hant Traditional Chinese, while a language the
// matcher pairs with a supported one at Low confidence only selects
// nothing, so its readers get English rather than a language they may
// not read.
func Find(preference string) (*Catalog, bool) {
	return find(matcher, catalogs, preference)
}

// find is Find among cs with their matcher m.
func find(m language.Matcher, cs []*Catalog, preference string) (*Catalog, bool) {
	p := strings.TrimSpace(preference)
	if p == "" || len(p) > 256 {
		return nil, false
	}
	tags, _, err := language.ParseAcceptLanguage(p)
	if err != nil || len(tags) == 0 {
		return nil, false
	}
	_, i, conf := m.Match(tags...)
	if conf < language.High {
		return nil, false
	}
	return cs[i], true
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

// MaxOverrideLen bounds one text of a pool's own wording
// (WithOverrides), in bytes.
const MaxOverrideLen = 1024

// CheckOverrides checks a pool's own wording of messages, language to
// key to text, with CheckOverride, in a stable order.
func CheckOverrides(msgs map[string]map[string]string) error {
	for _, lang := range slices.Sorted(maps.Keys(msgs)) {
		for _, key := range slices.Sorted(maps.Keys(msgs[lang])) {
			if err := CheckOverride(lang, key, msgs[lang][key]); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckOverride reports why text cannot replace the message key in the
// catalog lang, or nil: the language must be one of the catalogs, the key
// one of its messages, the text non-empty, at most MaxOverrideLen bytes of
// printable UTF-8 on one line, with exactly the placeholders of the
// English message.
func CheckOverride(lang, key, text string) error {
	c := Exact(lang)
	if c == nil {
		return fmt.Errorf("%q is not a language of the catalogs (%s)", lang, strings.Join(langs(), ", "))
	}
	if !c.Has(key) {
		return fmt.Errorf("%q is not a message key (the keys are those of internal/locales/en.json)", key)
	}
	if strings.TrimSpace(text) == "" || len(text) > MaxOverrideLen {
		return fmt.Errorf("the text of %s %q must have 1 to %d bytes", lang, key, MaxOverrideLen)
	}
	if !utf8.ValidString(text) || strings.ContainsFunc(text, unicode.IsControl) {
		return fmt.Errorf("the text of %s %q must be UTF-8 on one line, without control characters", lang, key)
	}
	got, want := (entry{text: text}).placeholders(), Default().Placeholders(key)
	if !slices.Equal(got, want) {
		return fmt.Errorf("the text of %s %q has the placeholders %v; the message has %v", lang, key, braced(got), braced(want))
	}
	return nil
}

func langs() []string {
	out := make([]string, len(catalogs))
	for i, c := range catalogs {
		out[i] = c.name
	}
	return out
}

func braced(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{" + n + "}"
	}
	return out
}

// Date writes the day of t in the catalog's numeric date pattern (the
// message date.numeric: "2026-12-04" in English, "04.12.2026" in German,
// "٠٤‏/١٢‏/٢٠٢٦" in Arabic), in the language's digits.
func (c *Catalog) Date(t time.Time) string {
	y, m, d := t.Date()
	return c.T("date.numeric",
		"year", number.Decimal(y, number.NoSeparator()),
		"month", number.Decimal(int(m), number.MinIntegerDigits(2)),
		"day", number.Decimal(d, number.MinIntegerDigits(2)))
}
