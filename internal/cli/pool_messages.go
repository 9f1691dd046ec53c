package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// messageOverride is one --message value: the pool's own wording of the
// message key in the language lang; an empty text removes it.
type messageOverride struct{ lang, key, text string }

// messageList collects --message values, lang:key=text. Unlike
// stringList it keeps commas, which texts have.
type messageList []messageOverride

func (l *messageList) String() string {
	parts := make([]string, len(*l))
	for i, m := range *l {
		parts[i] = m.lang + ":" + m.key + "=" + m.text
	}
	return strings.Join(parts, " ")
}

func (l *messageList) Set(v string) error {
	lang, rest, ok := strings.Cut(v, ":")
	key, text, ok2 := strings.Cut(rest, "=")
	if !ok || !ok2 || lang == "" || key == "" {
		return usagef("--message %q: want lang:key=text, like de:login.submit=Anmelden", v)
	}
	*l = append(*l, messageOverride{lang: strings.TrimSpace(lang), key: strings.TrimSpace(key), text: text})
	return nil
}

// applyTo returns msgs with the overrides set (or removed, for an empty
// text), without changing msgs. Validation is left to pool.Validate.
func (l messageList) applyTo(msgs map[string]map[string]string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(msgs))
	for lang, m := range msgs {
		out[lang] = maps.Clone(m)
	}
	for _, o := range l {
		if o.text == "" {
			delete(out[o.lang], o.key)
			if len(out[o.lang]) == 0 {
				delete(out, o.lang)
			}
			continue
		}
		if out[o.lang] == nil {
			out[o.lang] = map[string]string{}
		}
		out[o.lang][o.key] = o.text
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// messagesSummary renders a pool's own wording for pool show: how many
// messages in which languages.
func messagesSummary(msgs map[string]map[string]string) string {
	if len(msgs) == 0 {
		return "-"
	}
	var parts []string
	for _, lang := range slices.Sorted(maps.Keys(msgs)) {
		parts = append(parts, fmt.Sprintf("%s: %d", lang, len(msgs[lang])))
	}
	return strings.Join(parts, ", ")
}
