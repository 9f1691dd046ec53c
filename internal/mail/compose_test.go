package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
)

func TestCompose(t *testing.T) {
	tests := []struct {
		name        string
		content     mail.Content
		wantSubject string
		wantText    []string
		wantHTML    []string
		notText     []string
	}{
		{
			name:        "sign-up code in English",
			content:     mail.Content{Kind: mail.SignUpCode, To: "a@example.com", Lang: "en-US", PoolName: "SmartLamp", Code: "042917", ValidFor: 24 * time.Hour},
			wantSubject: "Your SmartLamp verification code",
			wantText:    []string{"042917", "confirm your SmartLamp account", "expires in 1 day"},
			wantHTML:    []string{`<html lang="en" dir="ltr">`, "042917", "expires in 1 day"},
		},
		{
			name:        "sign-up code in Chinese",
			content:     mail.Content{Kind: mail.SignUpCode, To: "a@example.com", Lang: "zh-CN,zh;q=0.9", PoolName: "SmartLamp", Code: "042917", ValidFor: 24 * time.Hour},
			wantSubject: "您的 SmartLamp 验证码",
			wantText:    []string{"042917", "请使用以下验证码确认您的 SmartLamp 账户", "1 天"},
			wantHTML:    []string{`<html lang="zh-CN" dir="ltr">`, "042917"},
		},
		{
			name:        "reset code",
			content:     mail.Content{Kind: mail.ResetCode, To: "a@example.com", PoolName: "SmartLamp", Code: "918273", ValidFor: time.Hour},
			wantSubject: "Reset your SmartLamp password",
			wantText:    []string{"918273", "reset your SmartLamp password", "expires in 1 hour", "Your password has not changed"},
			wantHTML:    []string{"918273"},
		},
		{
			name:        "reset code in Chinese",
			content:     mail.Content{Kind: mail.ResetCode, To: "a@example.com", Lang: "zh-CN", PoolName: "SmartLamp", Code: "918273", ValidFor: 90 * time.Minute},
			wantSubject: "重置您的 SmartLamp 密码",
			wantText:    []string{"918273", "90 分钟"},
		},
		{
			name:        "email verification code",
			content:     mail.Content{Kind: mail.VerifyCode, To: "a@example.com", PoolName: "SmartLamp", Code: "552301", ValidFor: 24 * time.Hour},
			wantSubject: "Your SmartLamp verification code",
			wantText:    []string{"552301", "verify the email address of your SmartLamp account", "expires in 1 day"},
			wantHTML:    []string{"552301"},
			notText:     []string{"sign up"},
		},
		{
			name:        "email verification code in Chinese",
			content:     mail.Content{Kind: mail.VerifyCode, To: "a@example.com", Lang: "zh-CN", PoolName: "SmartLamp", Code: "552301", ValidFor: 24 * time.Hour},
			wantSubject: "您的 SmartLamp 验证码",
			wantText:    []string{"552301", "电子邮件地址"},
		},
		{
			name:        "second-factor code",
			content:     mail.Content{Kind: mail.MFACode, To: "a@example.com", PoolName: "SmartLamp", Code: "40817263", ValidFor: 5 * time.Minute},
			wantSubject: "Your SmartLamp sign-in code",
			wantText:    []string{"40817263", "finish signing in to SmartLamp", "expires in 5 minutes", "change your password"},
			wantHTML:    []string{"40817263", "expires in 5 minutes"},
		},
		{
			name:        "second-factor code in Chinese",
			content:     mail.Content{Kind: mail.MFACode, To: "a@example.com", Lang: "zh-CN", PoolName: "SmartLamp", Code: "40817263", ValidFor: 5 * time.Minute},
			wantSubject: "您的 SmartLamp 登录验证码",
			wantText:    []string{"40817263", "完成登录 SmartLamp", "5 分钟"},
		},
		{
			name:        "sign-in code",
			content:     mail.Content{Kind: mail.SignInCode, To: "a@example.com", PoolName: "SmartLamp", Code: "00000917", ValidFor: 5 * time.Minute},
			wantSubject: "Your SmartLamp sign-in code",
			wantText:    []string{"00000917", "Use this code to sign in to SmartLamp", "expires in 5 minutes"},
			wantHTML:    []string{"00000917"},
			notText:     []string{"password"},
		},
		{
			name:        "sign-in code in Chinese",
			content:     mail.Content{Kind: mail.SignInCode, To: "a@example.com", Lang: "zh-CN", PoolName: "SmartLamp", Code: "00000917", ValidFor: 5 * time.Minute},
			wantSubject: "您的 SmartLamp 登录验证码",
			wantText:    []string{"00000917", "请使用以下验证码登录 SmartLamp"},
		},
		{
			name: "pool's own subject and message",
			content: mail.Content{Kind: mail.MFACode, To: "a@example.com", Lang: "zh-CN", PoolName: "SmartLamp", Code: "12345678", ValidFor: 5 * time.Minute,
				Subject: "Lamp\r\ncode", Message: "Your lamp code: 12345678 is <b>not</b> {pool}"},
			wantSubject: "Lamp code",
			wantText:    []string{"Your lamp code: 12345678 is <b>not</b>"},
		},
		{
			name:        "sign-up attempt",
			content:     mail.Content{Kind: mail.SignUpAttempt, To: "a@example.com", PoolName: "SmartLamp"},
			wantSubject: "Someone tried to sign up to SmartLamp with your address",
			wantText:    []string{"already belongs to your account"},
			notText:     []string{"code"},
		},
		{
			name:        "unsupported language falls back to English",
			content:     mail.Content{Kind: mail.SignUpAttempt, To: "a@example.com", Lang: "ru", PoolName: "P"},
			wantSubject: "Someone tried to sign up to P with your address",
		},
		{
			name:        "Hong Kong selects traditional Chinese",
			content:     mail.Content{Kind: mail.SignUpAttempt, To: "a@example.com", Lang: "zh-HK", PoolName: "P"},
			wantSubject: "有人嘗試使用您的電子郵件地址註冊 P",
		},
		{
			name:        "pool name is escaped in HTML",
			content:     mail.Content{Kind: mail.SignUpAttempt, To: "a@example.com", PoolName: "<b>x</b>"},
			wantSubject: "Someone tried to sign up to <b>x</b> with your address",
			wantHTML:    []string{"&lt;b&gt;x&lt;/b&gt;"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.content.Message != "" {
				tt.content.Message = strings.Replace(tt.content.Message, tt.content.Code, mail.CodePlaceholder, 1)
			}
			m, err := mail.Compose(tt.content)
			if err != nil {
				t.Fatalf("Compose: %v", err)
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", m.Subject, tt.wantSubject)
			}
			if m.To != tt.content.To {
				t.Errorf("to = %q", m.To)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			for _, w := range tt.notText {
				if strings.Contains(m.Text, w) {
					t.Errorf("text contains %q:\n%s", w, m.Text)
				}
			}
			for _, w := range tt.wantHTML {
				if !strings.Contains(m.HTML, w) {
					t.Errorf("html lacks %q:\n%s", w, m.HTML)
				}
			}
			if tt.content.Message != "" {
				if m.HTML != "" || m.Text != strings.ReplaceAll(tt.content.Message, mail.CodePlaceholder, tt.content.Code) {
					t.Errorf("pool's message: text %q, html %q", m.Text, m.HTML)
				}
				return
			}
			if strings.Contains(m.Text, "{") || strings.Contains(m.HTML, "{pool}") {
				t.Errorf("unreplaced placeholder:\n%s", m.Text)
			}
		})
	}
}

func TestComposeRejects(t *testing.T) {
	tests := []struct {
		name    string
		content mail.Content
	}{
		{name: "unknown kind", content: mail.Content{Kind: "invite", To: "a@example.com"}},
		{name: "code mail without code", content: mail.Content{Kind: mail.SignUpCode, To: "a@example.com"}},
		{name: "reset mail without code", content: mail.Content{Kind: mail.ResetCode, To: "a@example.com"}},
		{name: "second-factor mail without code", content: mail.Content{Kind: mail.MFACode, To: "a@example.com", Message: "code {####}"}},
		{name: "sign-in mail without code", content: mail.Content{Kind: mail.SignInCode, To: "a@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := mail.Compose(tt.content); !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("Compose = %v, want ErrInvalidMessage", err)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	en, zh := locales.Exact("en"), locales.Exact("zh-CN")
	tests := []struct {
		name string
		cat  *locales.Catalog
		d    time.Duration
		want string
	}{
		{name: "one day", cat: en, d: 24 * time.Hour, want: "1 day"},
		{name: "days", cat: en, d: 72 * time.Hour, want: "3 days"},
		{name: "hours", cat: en, d: 36 * time.Hour, want: "36 hours"},
		{name: "one hour", cat: en, d: time.Hour, want: "1 hour"},
		{name: "minutes", cat: en, d: 90 * time.Minute, want: "90 minutes"},
		{name: "under a minute", cat: en, d: time.Second, want: "1 minute"},
		{name: "chinese hours", cat: zh, d: 2 * time.Hour, want: "2 小时"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mail.Duration(tt.cat, tt.d); got != tt.want {
				t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	s := mail.NewLog(log)
	if !strings.Contains(buf.String(), "development sender") {
		t.Fatalf("no warning at construction: %s", buf.String())
	}
	buf.Reset()
	m, err := mail.Compose(mail.Content{Kind: mail.SignUpCode, To: "a@example.com", PoolName: "P", Code: "314159", ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log line is not JSON: %v: %s", err, buf.String())
	}
	if rec["msg"] != "mail" || rec["to"] != "a@example.com" || rec["subject"] != m.Subject {
		t.Errorf("log record = %v", rec)
	}
	if text, _ := rec["text"].(string); !strings.Contains(text, "314159") {
		t.Errorf("logged text lacks the code: %q", text)
	}
	if err := s.Send(context.Background(), mail.Message{To: "x\ny", Text: "t"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("Send(bad recipient) = %v, want ErrInvalidMessage", err)
	}
}

// TestLogSenderWithholdsPasswords: the development sender logs an
// invitation without its text, which holds the temporary password, be
// it the catalog's or a pool's own message.
func TestLogSenderWithholdsPasswords(t *testing.T) {
	var buf bytes.Buffer
	s := mail.NewLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	for _, c := range []mail.Content{
		{Kind: mail.Invitation, To: "a@example.com", PoolName: "P", Username: "ann", Code: "Tmp-Secret-9x", ValidFor: 7 * 24 * time.Hour},
		{Kind: mail.Invitation, To: "a@example.com", PoolName: "P", Username: "ann", Code: "Tmp-Secret-9x", ValidFor: time.Hour, Message: "ann, your password: {####}"},
	} {
		m, err := mail.Compose(c)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Confidential || !strings.Contains(m.Text, "Tmp-Secret-9x") {
			t.Fatalf("invitation %+v is not confidential or lacks the password", m)
		}
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(buf.String(), "Tmp-Secret-9x") || strings.Count(buf.String(), `"msg":"mail"`) != 2 {
		t.Errorf("log = %s", buf.String())
	}
	m, err := mail.Compose(mail.Content{Kind: mail.Invitation, To: "a@example.com", Username: "ann", Code: "<b>&Tmp9", HTMLMessage: "<p>{####}</p>"})
	if err != nil || m.HTML != "<p>&lt;b&gt;&amp;Tmp9</p>" || strings.TrimSpace(m.Text) != "<b>&Tmp9" {
		t.Errorf("a password with HTML's characters in an HTML message: %q %q %v", m.HTML, m.Text, err)
	}
	if _, err := mail.Compose(mail.Content{Kind: mail.Invitation, To: "a@example.com", Code: "x"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("an invitation without a username: %v", err)
	}
}

// TestComposeOverSMTP sends a composed Chinese mail through a real SMTP
// server and checks what arrives.
func TestComposeOverSMTP(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS, User: "u", Password: "p"})
	s, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.Compose(mail.Content{Kind: mail.ResetCode, To: "李雷 <lilei@example.com>", Lang: "zh-CN", PoolName: "SmartLamp", Code: "777123", ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r, ok := srv.Last()
	if !ok {
		t.Fatal("nothing received")
	}
	if r.Subject != "重置您的 SmartLamp 密码" || !strings.Contains(r.Text, "777123") || !strings.Contains(r.HTML, "777123") {
		t.Errorf("received subject %q text %q", r.Subject, r.Text)
	}
	if len(r.RcptTo) != 1 || r.RcptTo[0] != "lilei@example.com" {
		t.Errorf("recipients = %v", r.RcptTo)
	}
}

// TestMailsInEveryLanguage sends every mail in every catalog's language
// through a real SMTP server and checks what arrives: the
// Content-Language, the localized subject (RFC 2047 encoded when it is
// not ASCII), the code, and the HTML part's language and direction.
func TestMailsInEveryLanguage(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{Security: smtptest.StartTLS, User: "u", Password: "p"})
	s, err := mail.NewSMTP(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []mail.Kind{mail.SignUpCode, mail.ResetCode, mail.VerifyCode, mail.SignUpAttempt, mail.MFACode, mail.SignInCode, mail.Invitation}
	for _, cat := range locales.All() {
		for _, kind := range kinds {
			m, err := mail.Compose(mail.Content{Kind: kind, To: "a@example.com", Lang: cat.Lang(), PoolName: "SmartLamp", Code: "604218", ValidFor: 15 * time.Minute, Username: "lamp.owner"})
			if err != nil {
				t.Fatalf("%s %s: %v", cat.Lang(), kind, err)
			}
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("%s %s: Send: %v", cat.Lang(), kind, err)
			}
			r, ok := srv.Last()
			if !ok {
				t.Fatal("nothing received")
			}
			name := cat.Lang() + " " + string(kind)
			if got := r.Header.Get("Content-Language"); got != cat.Lang() {
				t.Errorf("%s: Content-Language %q, want %q", name, got, cat.Lang())
			}
			if r.Subject != m.Subject || !strings.Contains(r.Subject, "SmartLamp") || (cat.Lang() != "en" && r.Subject == mustCompose(t, kind, "en").Subject) {
				t.Errorf("%s: subject %q, want the %s one %q", name, r.Subject, cat.Lang(), m.Subject)
			}
			raw := rawHeader(r.Raw, "Subject")
			if !isASCII(raw) || (!isASCII(r.Subject) && !strings.HasPrefix(raw, "=?utf-8?")) {
				t.Errorf("%s: Subject header %q is not RFC 2047 encoded", name, raw)
			}
			if kind != mail.SignUpAttempt && (!strings.Contains(r.Text, "604218") || !strings.Contains(r.HTML, "604218")) {
				t.Errorf("%s: the code is missing", name)
			}
			if kind == mail.Invitation {
				checkInvitation(t, name, cat, r)
			}
			if want := `<html lang="` + cat.Lang() + `" dir="` + cat.Dir() + `">`; !strings.Contains(r.HTML, want) {
				t.Errorf("%s: the HTML part lacks %s", name, want)
			}
		}
	}
	if got := len(srv.Messages()); got != len(kinds)*len(locales.All()) {
		t.Errorf("%d mails arrived, want %d", got, len(kinds)*len(locales.All()))
	}
}

func mustCompose(t *testing.T, kind mail.Kind, lang string) mail.Message {
	t.Helper()
	m, err := mail.Compose(mail.Content{Kind: kind, To: "a@example.com", Lang: lang, PoolName: "SmartLamp", Code: "604218", ValidFor: 15 * time.Minute, Username: "lamp.owner"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkInvitation checks an invitation as it arrived: the username and
// the temporary password in both parts, the password's lifetime in the
// language's words, and the body in the language, not in English.
func checkInvitation(t *testing.T, name string, cat *locales.Catalog, r smtptest.Received) {
	t.Helper()
	for part, body := range map[string]string{"text": r.Text, "html": r.HTML} {
		if !strings.Contains(body, "lamp.owner") {
			t.Errorf("%s: the %s part lacks the username", name, part)
		}
		if want := mail.Duration(cat, 15*time.Minute); !strings.Contains(body, want) {
			t.Errorf("%s: the %s part lacks the lifetime %q", name, part, want)
		}
	}
	if intro := cat.T("mail.invitation.intro", "pool", "SmartLamp"); !strings.Contains(r.Text, intro) {
		t.Errorf("%s: the text lacks %q", name, intro)
	}
	if en := locales.Match("en").T("mail.invitation.intro", "pool", "SmartLamp"); cat.Lang() != "en" && strings.Contains(r.Text, en) {
		t.Errorf("%s: the text is in English", name)
	}
}

// rawHeader returns the value of a header as it was sent, unfolded.
func rawHeader(raw []byte, name string) string {
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	var out string
	found := false
	for _, line := range strings.Split(head, "\r\n") {
		switch {
		case found && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			out += line
		case found:
			return out
		case strings.HasPrefix(strings.ToLower(line), strings.ToLower(name)+":"):
			found, out = true, strings.TrimSpace(line[len(name)+1:])
		}
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestContentLanguageOnlyForCatalogText(t *testing.T) {
	m, err := mail.Compose(mail.Content{Kind: mail.MFACode, To: "a@example.com", Lang: "zh-CN", PoolName: "SmartLamp", Code: "12345678", ValidFor: 5 * time.Minute, Message: "Code {####}"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Lang != "" {
		t.Errorf("a pool's own message got Content-Language %q", m.Lang)
	}
	bad := mail.Message{To: "a@example.com", Text: "x", Lang: "en\r\nBcc: x@example.com"}
	if err := bad.Validate(); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("Validate(header injection in Lang) = %v", err)
	}
}

// TestComposeWithPoolMessages: a pool's own wording replaces the
// catalog's subject and body text in its language.
func TestComposeWithPoolMessages(t *testing.T) {
	msgs := map[string]map[string]string{"en": {"mail.reset_code.subject": "{pool}: your reset code", "mail.code_expires": "Valid for {duration}."}}
	m, err := mail.Compose(mail.Content{Kind: mail.ResetCode, To: "a@example.com", Lang: "en", PoolName: "SmartLamp", Code: "918273", ValidFor: 90 * time.Minute, Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "SmartLamp: your reset code" || !strings.Contains(m.Text, "Valid for 90 minutes.") || !strings.Contains(m.HTML, "Valid for 90 minutes.") || m.Lang != "en" {
		t.Errorf("subject %q, lang %q, text:\n%s", m.Subject, m.Lang, m.Text)
	}
	zh := mustComposeWith(t, mail.ResetCode, "zh-CN", msgs)
	if zh.Subject != "重置您的 SmartLamp 密码" {
		t.Errorf("the English override reached the Chinese mail: %q", zh.Subject)
	}
}

func mustComposeWith(t *testing.T, kind mail.Kind, lang string, msgs map[string]map[string]string) mail.Message {
	t.Helper()
	m, err := mail.Compose(mail.Content{Kind: kind, To: "a@example.com", Lang: lang, PoolName: "SmartLamp", Code: "604218", ValidFor: 15 * time.Minute, Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
