package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
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
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("account: crypto/rand failed: " + err.Error()) // never happens (Go 1.24+)
	}
	return fmt.Sprintf("%06d", n.Int64())
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

// pendingCode returns a fresh pending code of purpose for u.
func (s *Service) pendingCode(sub, purpose, code string, now time.Time, ttl time.Duration) *pool.PendingCode {
	return &pool.PendingCode{Purpose: purpose, Hash: s.codeHash(sub, purpose, code), ExpiresAt: now.Add(ttl), SentAt: now}
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
// MaxCodeAttempts-th miss voids it. It returns nil on a match, otherwise
// a keep error, so that the attempt is stored with the verdict.
func (s *Service) verifyCode(u *pool.User, purpose, code string, now time.Time) error {
	pc := u.Code
	if pc == nil || pc.Purpose != purpose {
		return newErr(ExpiredCodeException, msgExpiredCode)
	}
	if !now.Before(pc.ExpiresAt) || pc.Attempts >= MaxCodeAttempts {
		u.Code = nil
		return &keep{newErr(ExpiredCodeException, msgExpiredCode)}
	}
	want := []byte(pc.Hash)
	got := []byte(s.codeHash(u.Sub, purpose, code))
	if subtle.ConstantTimeCompare(want, got) == 1 {
		u.Code = nil
		return nil
	}
	c := *pc
	c.Attempts++
	u.Code = &c
	if c.Attempts >= MaxCodeAttempts {
		u.Code = nil
		return &keep{newErr(TooManyFailedAttemptsException, msgTooManyAttempts)}
	}
	return &keep{newErr(CodeMismatchException, msgCodeMismatch)}
}

// throttled reports whether a code of purpose was mailed to u less than
// the interval ago.
func (s *Service) throttled(u *pool.User, purpose string, now time.Time) bool {
	return u.Code != nil && u.Code.Purpose == purpose && now.Before(u.Code.SentAt.Add(s.interval))
}

// sendCode mails code to the user's email address in the user's locale.
func (s *Service) sendCode(ctx context.Context, p pool.Pool, u pool.User, kind mail.Kind, code string, ttl time.Duration) (*CodeDelivery, error) {
	to := u.Email()
	m, err := mail.Compose(mail.Content{
		Kind: kind, To: to, From: p.EmailFrom, Lang: u.Attributes[attrLocale],
		PoolName: p.Name, Code: code, ValidFor: ttl,
	})
	if err == nil {
		err = s.mailer.Send(ctx, m)
	}
	if err != nil {
		// err never contains the code: Compose and Send report addresses
		// and transport failures only.
		s.log.ErrorContext(ctx, "account: mail delivery failed", "pool", p.ID, "sub", u.Sub, "kind", string(kind), "error", err)
		return nil, &Error{Type: CodeDeliveryFailureException, Message: "Unable to deliver the verification code.", Cause: err}
	}
	return emailDelivery(to), nil
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
