package pool

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a pool's own wording of messages (Branding.Messages).
const (
	// MaxBrandingMessages bounds the messages over all languages.
	MaxBrandingMessages = 1000
	// MaxBrandingMessageLen bounds one text, in bytes.
	MaxBrandingMessageLen = 1024
)

// validateMessages checks the shape of the pool's own wording of
// messages: how many, how long, one line of printable UTF-8. Whether the
// languages and keys exist and the placeholders match is checked against
// the catalogs by the admin service (locales.CheckOverrides), which owns
// pool changes; the domain model depends on nothing.
func (b Branding) validateMessages() error {
	n := 0
	for _, lang := range slices.Sorted(maps.Keys(b.Messages)) {
		msgs := b.Messages[lang]
		if lang == "" || len(lang) > 35 {
			return invalid("Branding.Messages", "%q is not a language tag", lang)
		}
		n += len(msgs)
		if n > MaxBrandingMessages {
			return invalid("Branding.Messages", "at most %d messages in all languages", MaxBrandingMessages)
		}
		for _, key := range slices.Sorted(maps.Keys(msgs)) {
			text := msgs[key]
			if key == "" || len(key) > 64 {
				return invalid("Branding.Messages", "%q is not a message key", key)
			}
			if strings.TrimSpace(text) == "" || len(text) > MaxBrandingMessageLen {
				return invalid("Branding.Messages", "the text of %s %q must have 1 to %d bytes", lang, key, MaxBrandingMessageLen)
			}
			if !utf8.ValidString(text) || strings.ContainsFunc(text, unicode.IsControl) {
				return invalid("Branding.Messages", "the text of %s %q must be UTF-8 on one line, without control characters", lang, key)
			}
		}
	}
	return nil
}

// MessageOverrides returns the pool's own wording of messages in the
// language lang (nil when there is none), for locales.Catalog's
// WithOverrides.
func (b Branding) MessageOverrides(lang string) map[string]string {
	return b.Messages[lang]
}
