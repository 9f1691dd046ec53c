package pool

import (
	"maps"
	"slices"

	"github.com/linkpool/linkpool/internal/locales"
)

// validateMessages checks the pool's own wording of messages: known
// languages and keys, the placeholders of each message, and the limits
// of locales.
func (b Branding) validateMessages() error {
	n := 0
	for _, lang := range slices.Sorted(maps.Keys(b.Messages)) {
		msgs := b.Messages[lang]
		n += len(msgs)
		if n > locales.MaxOverrides {
			return invalid("Branding.Messages", "at most %d messages in all languages", locales.MaxOverrides)
		}
		for _, key := range slices.Sorted(maps.Keys(msgs)) {
			if err := locales.CheckOverride(lang, key, msgs[key]); err != nil {
				return invalid("Branding.Messages", "%v", err)
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
