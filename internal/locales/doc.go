// Package locales holds the message catalogs of everything linkpool shows
// to end users: the hosted sign-in pages (internal/hostedui) and the mails
// sent to them (internal/mail). One catalog per language, embedded as flat
// JSON objects of key to message, is the single source of user-visible
// strings; both catalogs carry exactly the same keys.
//
// A language is chosen with Match from the preferences of a request in
// order (the lang query parameter, the language cookie, then the
// Accept-Language header) using golang.org/x/text/language's matcher, so
// "zh-CN", "zh-SG" and "zh-Hans" all select Simplified Chinese. Only a
// match of High or Exact confidence counts: Traditional Chinese ("zh-TW",
// "zh-HK", "zh-Hant"), which the matcher pairs with Simplified Chinese at
// Low confidence, and every unlisted language fall back to English. Mail
// (internal/mail) chooses its language with the same Match. Cognito's
// managed login selects its language with the same lang parameter and
// remembers it in a cookie (Cognito developer guide, "Managed login
// localization"); the classic hosted UI could not be translated at all.
//
// Messages may contain named placeholders such as "{code}", which T
// replaces with the given values. Values are inserted as they are; HTML
// escaping is the job of html/template at the point of output.
package locales
