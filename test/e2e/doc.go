// Package e2e holds linkpool's end-to-end tests; it has no code of its
// own. They run the whole system as an operator and Amazon would: the
// linkpool CLI sets up a pool (`init alexa`), the server, the hosted pages
// and the SmartLamp skill listen on loopback ports over a real SQLite
// database, verification codes arrive over a real SMTP conversation, and
// the Alexa simulator (internal/alexasim) links accounts, sends Smart Home
// directives and watches tokens expire and links break. In the Alexa labs
// the server, the skill and the simulator share one test clock, so a token
// that expires for Alexa has expired at the server and the skill too.
// Browser tests
// drive real headless Chromium at a phone-sized viewport in every
// language of internal/locales, check the login page rules of
// "Requirements for account linking" (no dialogs or pop-ups, errors shown
// on the page), basic accessibility (labels, the page language, WCAG 2.x
// contrast) and rendering (the direction, no text wider than its box or
// the phone, no character drawn as a missing-glyph box), and save
// screenshots under artifacts/screenshots (or
// $LINKPOOL_ARTIFACTS_DIR/screenshots), named
// <flow>-<language>-<page>.png, which CI keeps as artifacts.
//
// Chromium is looked for at /usr/bin/chromium. Without it the browser
// tests skip, except under CI=true, where they fail.
package e2e
