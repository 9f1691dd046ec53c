// Package mail delivers the mails linkpool sends to users: sign-up
// verification codes, password-reset codes, the notice that someone
// tried to sign up with an address that already has an account, and the
// invitation with the temporary password of a user an administrator
// created.
//
// Sender is the one interface, with two delivering implementations: SMTP,
// which submits mail to a relay (STARTTLS when the server offers it, or
// implicit TLS for smtps:// URLs, RFC 8314), and Log, the development
// sender that writes each message, one-time codes included, to the
// structured log instead of delivering it.
//
// Outbox is a Sender in front of another: Send only stores the message,
// sealed with the master key, in the store's outbox, and workers deliver
// it afterwards, trying again with backoff after transient failures.
// Every instance's workers claim due messages with a lease, so a message
// survives the crash of the instance that accepted it; delivery is at
// least once. Close drains what this instance sent. The server sends all
// mail through one, so that no answer waits for the relay or reveals by
// its time whether it mailed anyone.
//
// Compose renders a message from the embedded templates in the user's
// language. Every string comes from the shared catalogs of
// internal/locales, the same catalogs the hosted pages use.
package mail
