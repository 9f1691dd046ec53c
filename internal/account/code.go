package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
)

// CodeDelivery says where a code was sent, as Cognito's
// CodeDeliveryDetailsType: the destination is masked.
type CodeDelivery struct {
	Destination    string // "t***@e***.com"
	DeliveryMedium string // "EMAIL"
	AttributeName  string // "email"
}

// maxCodeLen is the longest confirmation code accepted (Cognito's
// ConfirmationCode constraint).
const maxCodeLen = 2048

// newCode returns six decimal digits from crypto/rand.
func newCode() string { return randomDigits(6) }

// randomDigits returns n (at most 18) decimal digits from crypto/rand.
func randomDigits(n int) string {
	v, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
	if err != nil {
		panic("account: crypto/rand failed: " + err.Error()) // never happens (Go 1.24+)
	}
	return fmt.Sprintf("%0*d", n, v.Int64())
}

// codeHash is HMAC-SHA256 keyed with Config.CodeKey over the code, its
// user and purpose. A six-digit code has only a million values, so a plain
// hash in the database would give the code away to anyone who reads it;
// without the key (derived from the master key, which is never in the
// database) the stored value says nothing about the code. Binding the user
// and purpose makes a stored value useless for another user or flow.
func (s *Service) codeHash(sub, purpose, code string) string {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte("linkpool/account/code\x00" + purpose + "\x00" + sub + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// codeDay is how long the per-user code counts run before they start
// afresh.
const codeDay = 24 * time.Hour

// dayState returns a copy of the code state cur (u.Code,
// u.MFA.EmailCode; nil: none yet) whose day counts are current at now:
// counts older than codeDay start afresh.
func dayState(cur *pool.PendingCode, now time.Time) pool.PendingCode {
	var c pool.PendingCode
	if cur != nil {
		c = *cur
	}
	if c.DayStart.IsZero() || !now.Before(c.DayStart.Add(codeDay)) {
		c.DayStart, c.DaySent, c.DayMisses = now, 0, 0
	}
	return c
}

// issueCode makes code the pending code of purpose for u and counts it
// against the daily cap; past the cap it changes nothing and answers
// LimitExceededException.
func (s *Service) issueCode(u *pool.User, purpose, code string, now time.Time, ttl time.Duration) error {
	c, err := s.countCode(u, now)
	if err != nil {
		return err
	}
	c.Purpose, c.Hash, c.ExpiresAt, c.Attempts, c.SentAt = purpose, s.codeHash(u.Sub, purpose, code), now.Add(ttl), 0, now
	u.Code = &c
	return nil
}

// countCode returns u's code state, current at now, with one more mail
// counted against the daily cap; past the cap it answers
// LimitExceededException. u is not changed.
func (s *Service) countCode(u *pool.User, now time.Time) (pool.PendingCode, error) {
	return s.countSend(u.Code, now)
}

// countSend is countCode for the code state cur.
func (s *Service) countSend(cur *pool.PendingCode, now time.Time) (pool.PendingCode, error) {
	c := dayState(cur, now)
	if c.DaySent >= s.maxCodes {
		return c, newErr(LimitExceededException, msgLimitExceeded)
	}
	c.DaySent++
	return c, nil
}

// clearCode ends u's pending code, keeping the day counts.
func clearCode(u *pool.User) { u.Code = spent(u.Code) }

// spent returns the code state c without its code: the day counts only,
// nil when there are none.
func spent(c *pool.PendingCode) *pool.PendingCode {
	if c == nil || c.DaySent == 0 && c.DayMisses == 0 {
		return nil
	}
	return &pool.PendingCode{DayStart: c.DayStart, DaySent: c.DaySent, DayMisses: c.DayMisses}
}

// checkCodeInput rejects codes that cannot be right before anything is
// looked up.
func checkCodeInput(code string) error {
	if code == "" {
		return invalidParam("code", "Confirmation code is required.")
	}
	if utf8.RuneCountInString(code) > maxCodeLen || strings.ContainsAny(code, " \t\r\n") {
		return invalidParam("code", "Confirmation code must be at most 2048 characters without spaces.")
	}
	return nil
}

// verifyCode checks code against u's pending code of purpose and updates
// u: a match consumes the code; a miss counts an attempt, and the
// MaxCodeAttempts-th miss voids it. Misses also count against the daily
// cap, past which no code is checked at all (LimitExceededException). It
// returns nil on a match, otherwise an error, a keep error when the
// attempt is to be stored with the verdict.
func (s *Service) verifyCode(u *pool.User, purpose, code string, now time.Time) error {
	return s.checkCode(&u.Code, u.Sub, purpose, code, now)
}

// checkCode is verifyCode for the code state in *slot (u.Code,
// u.MFA.EmailCode) of user sub.
func (s *Service) checkCode(slot **pool.PendingCode, sub, purpose, code string, now time.Time) error {
	c := dayState(*slot, now)
	if c.DayMisses >= s.maxMisses {
		return newErr(LimitExceededException, msgLimitExceeded)
	}
	if !c.Active(purpose) {
		return newErr(ExpiredCodeException, msgExpiredCode)
	}
	if !now.Before(c.ExpiresAt) || c.Attempts >= MaxCodeAttempts {
		*slot = spent(&c)
		return &keep{newErr(ExpiredCodeException, msgExpiredCode)}
	}
	want := []byte(c.Hash)
	got := []byte(s.codeHash(sub, purpose, code))
	if subtle.ConstantTimeCompare(want, got) == 1 {
		*slot = spent(&c)
		return nil
	}
	c.Attempts++
	c.DayMisses++
	*slot = &c
	if c.Attempts >= MaxCodeAttempts {
		*slot = spent(&c)
		return &keep{newErr(TooManyFailedAttemptsException, msgTooManyAttempts)}
	}
	return &keep{newErr(CodeMismatchException, msgCodeMismatch)}
}

// throttled reports whether a code of purpose was mailed to u less than
// the interval ago.
func (s *Service) throttled(u *pool.User, purpose string, now time.Time) bool {
	return u.Code.Active(purpose) && now.Before(u.Code.SentAt.Add(s.interval))
}

// sendCode mails code to the user's email address in the user's locale.
// The app's mailer (mail.Outbox) only stores the mail for delivery, so the
// answer does not wait for the relay, nor take longer than for an unknown
// user by more than that one write; a CodeDeliveryFailureException then
// means that the outbox did not take it (the database refused the
// write), and a failed delivery is logged by the outbox.
//
// source is the custom message trigger's source for this mail
// (CustomMessage_SignUp, ...): the pool's custom message trigger, when
// it has one, may replace the subject and text (see customMessage), and
// its failure is the operation's error.
func (s *Service) sendCode(ctx context.Context, p pool.Pool, u pool.User, kind mail.Kind, source, code string, ttl time.Duration) (*CodeDelivery, error) {
	return s.sendMail(ctx, p, u, source, mail.Content{Kind: kind, Code: code, ValidFor: ttl})
}

// sendMail is sendCode for content c, to which it adds the address,
// sender, language and pool name.
func (s *Service) sendMail(ctx context.Context, p pool.Pool, u pool.User, source string, c mail.Content) (*CodeDelivery, error) {
	m, err := s.composeMail(ctx, p, u, source, c)
	if err != nil {
		return nil, err
	}
	return s.deliver(ctx, p, u, c.Kind, m)
}

// composeMail runs the custom message trigger of source on c and renders
// it to the user's email address, with the pool's sender, the user's
// language and the pool's name and wording. A failed trigger is
// returned as it is; a mail that cannot be rendered is a
// CodeDeliveryFailureException.
func (s *Service) composeMail(ctx context.Context, p pool.Pool, u pool.User, source string, c mail.Content) (mail.Message, error) {
	if err := s.customMessage(ctx, p, u, source, &c); err != nil {
		return mail.Message{}, err
	}
	c.To, c.From, c.Lang, c.PoolName, c.Messages = u.Email(), p.EmailFrom, u.Attributes[attrLocale], p.Name, p.Branding.Messages
	m, err := mail.Compose(c)
	if err != nil {
		return mail.Message{}, s.deliveryFailed(ctx, p, u, c.Kind, err)
	}
	return m, nil
}

// deliver hands m, a mail of kind to u, to the mailer.
func (s *Service) deliver(ctx context.Context, p pool.Pool, u pool.User, kind mail.Kind, m mail.Message) (*CodeDelivery, error) {
	if err := s.mailer.Send(ctx, m); err != nil {
		return nil, s.deliveryFailed(ctx, p, u, kind, err)
	}
	return emailDelivery(m.To), nil
}

// deliveryFailed logs a mail that could not be rendered or sent and
// returns the CodeDeliveryFailureException that reports it.
func (s *Service) deliveryFailed(ctx context.Context, p pool.Pool, u pool.User, kind mail.Kind, err error) error {
	// err never contains the code or password: Compose and Send report
	// addresses and transport failures only.
	s.log.ErrorContext(ctx, "account: mail delivery failed", "pool", p.ID, "sub", u.Sub, "kind", string(kind), "error", err)
	return &Error{Type: CodeDeliveryFailureException, Message: "Unable to deliver the verification code.", Cause: err}
}

// decoyCode does for an unknown user the work that issuing a code does
// for a known one, and stores and sends nothing: a write transaction on
// a user that does not exist, and the rendering of the mail. Timing then
// does not tell whether the account exists.
func (s *Service) decoyCode(ctx context.Context, p pool.Pool, kind mail.Kind, ttl time.Duration) {
	_ = s.store.UpdateUser(ctx, p.ID, pool.NewSub(), func(u pool.User) (pool.User, error) {
		return u, errors.New("account: decoy") // never called: the sub is fresh
	})
	_, _ = mail.Compose(mail.Content{Kind: kind, To: "decoy@example.invalid", PoolName: p.Name, Code: newCode(), ValidFor: ttl, Messages: p.Branding.Messages})
}

func emailDelivery(to string) *CodeDelivery {
	return &CodeDelivery{Destination: MaskEmail(to), DeliveryMedium: "EMAIL", AttributeName: pool.AttrEmail}
}

// MaskEmail masks an address the way Cognito's CodeDeliveryDetails do:
// "tom@example.com" becomes "t***@e***.com".
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "***"
	}
	local, domain := addr[:at], addr[at+1:]
	tld := ""
	if dot := strings.LastIndexByte(domain, '.'); dot > 0 {
		tld = domain[dot:]
	}
	return firstRune(local) + "***@" + firstRune(domain) + "***" + tld
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}
