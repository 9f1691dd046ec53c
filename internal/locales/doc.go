// Package locales holds the message catalogs of everything linkpool shows
// to end users: the hosted sign-in pages (internal/hostedui) and the mails
// sent to them (internal/mail). One catalog per language of Languages,
// embedded as <tag>.json, is the single source of user-visible strings;
// every catalog carries exactly the keys of en.json.
//
// A catalog file is a JSON object of key to message. A message is a
// string with named placeholders such as "{code}", or, when it depends on
// a number, an object of the language's CLDR plural categories
// ({"one": "{n} minute", "other": "{n} minutes"}; Japanese has "other"
// only, Arabic all six) that selects its form by the placeholder {n}.
// The messages are loaded into a golang.org/x/text/message catalog, and
// T formats them with the language's message.Printer: plural forms are
// chosen by x/text's CLDR rules and numbers are written in the
// language's digits and grouping. Values are inserted as they are; HTML
// escaping is the job of html/template at the point of output.
//
// A language is chosen with Match from the preferences of a request in
// order (the lang query parameter, the language cookie, then the
// Accept-Language header) using golang.org/x/text/language's matcher.
// Only a match of High or Exact confidence counts, so regional variants
// select their language (en-GB and en-IN English, es-MX and es-US
// Spanish, fr-CA French), zh-CN, zh-SG and zh-Hans Simplified Chinese,
// zh-TW, zh-HK and zh-Hant Traditional Chinese, and pt-PT Brazilian
// Portuguese (closer to its readers than English), while every unlisted
// language falls back to English. Cognito's managed-login lang values
// (de, en, es, fr, id, it, ja, ko, pt-BR, zh-CN, zh-TW) are catalog tags
// themselves.
//
// Dir gives the writing direction of a catalog's script (rtl for Arabic),
// and WithOverrides a catalog with a pool's own wording of some messages.
package locales
