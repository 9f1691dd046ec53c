package account

import (
	"context"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// usernamePlaceholder stands for the username in a custom message
// (Cognito's usernameParameter).
const usernamePlaceholder = mail.UsernamePlaceholder

// Cognito's bounds of a custom message's answer.
const (
	maxCustomEmailMessage = 20000
	maxCustomEmailSubject = 140
)

// customMessage runs the custom message trigger of source for the mail c
// to u. The request carries the placeholders {####} (codeParameter) and
// {username} (usernameParameter); the answer's emailSubject replaces the
// subject and its emailMessage the text, with the placeholders filled
// in. As Cognito requires, a message must hold the code placeholder:
// one without it (or over 20,000 characters) is ignored and the pool's
// own message is sent, and so is an empty one. A message with HTML tags
// is sent as HTML with a text part derived from it; one without, as
// text. A failed trigger is the operation's error and nothing is mailed.
func (s *Service) customMessage(ctx context.Context, p pool.Pool, u pool.User, source string, c *mail.Content) error {
	if source == "" {
		return nil
	}
	req := trigger.CustomMessageRequest{
		UserAttributes:    trigger.UserAttributes(u),
		CodeParameter:     mail.CodePlaceholder,
		UsernameParameter: usernamePlaceholder,
		ClientMetadata:    CallerFrom(ctx).ClientMetadata,
	}
	var resp trigger.CustomMessageResponse
	ran, err := s.invoke(ctx, p, pool.TriggerCustomMessage, source, u.Username, req, trigger.CustomMessageResponse{}, &resp)
	if err != nil || !ran {
		return err
	}
	msg := resp.EmailMessage
	switch {
	case msg == "":
	case !strings.Contains(msg, mail.CodePlaceholder) || utf8.RuneCountInString(msg) > maxCustomEmailMessage:
		s.log.InfoContext(ctx, "account: custom message ignored: no code placeholder or too long", "pool", p.ID, "source", source)
		return nil
	case looksLikeHTML(msg):
		// Cognito sends messages as HTML: the username is escaped into
		// it, and the text part is derived.
		c.HTMLMessage = strings.ReplaceAll(msg, usernamePlaceholder, html.EscapeString(u.Username))
	default:
		c.Message = strings.ReplaceAll(msg, usernamePlaceholder, u.Username)
	}
	if subj := resp.EmailSubject; subj != "" && utf8.RuneCountInString(subj) <= maxCustomEmailSubject {
		c.Subject = strings.ReplaceAll(subj, usernamePlaceholder, u.Username)
	}
	return nil
}

// looksLikeHTML reports whether a message has an HTML tag: a "<"
// followed by a letter, "/" or "!" and, later, a ">".
func looksLikeHTML(s string) bool {
	last := strings.LastIndexByte(s, '>')
	for i := 0; i+1 < last; i++ {
		if s[i] != '<' {
			continue
		}
		if c := s[i+1]; c|0x20 >= 'a' && c|0x20 <= 'z' || c == '/' || c == '!' {
			return true
		}
	}
	return false
}
