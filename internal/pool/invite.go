package pool

import (
	"strings"
	"unicode/utf8"
)

// Bounds of an invitation template (Cognito's MessageTemplateType).
const (
	MinInviteMessage = 6
	MaxInviteMessage = 20000
	MaxInviteSubject = 140
)

// The placeholders of an invitation template: Cognito's username and
// temporary password ({####}).
const (
	InviteUsernamePlaceholder = "{username}"
	InvitePasswordPlaceholder = "{####}"
)

// InviteTemplate is the pool's own wording of the invitation mail of
// AdminCreateUser (Cognito's AdminCreateUserConfig.InviteMessageTemplate,
// its email members). Empty members leave the localized mail's subject
// and text.
type InviteTemplate struct {
	// EmailSubject replaces the subject.
	EmailSubject string `json:"EmailSubject,omitempty"`
	// EmailMessage replaces the text; it holds both placeholders. A
	// message with HTML tags is sent as HTML.
	EmailMessage string `json:"EmailMessage,omitempty"`
}

// Validate checks the template as Cognito does; the error is a
// *ValidationError with Cognito's member names.
func (t InviteTemplate) Validate() error {
	if t.EmailMessage != "" {
		n := utf8.RuneCountInString(t.EmailMessage)
		if n < MinInviteMessage || n > MaxInviteMessage ||
			!strings.Contains(t.EmailMessage, InviteUsernamePlaceholder) || !strings.Contains(t.EmailMessage, InvitePasswordPlaceholder) {
			return invalid("AdminCreateUserConfig.InviteMessageTemplate.EmailMessage", "must be %d-%d characters and contain both %s and %s",
				MinInviteMessage, MaxInviteMessage, InviteUsernamePlaceholder, InvitePasswordPlaceholder)
		}
	}
	if n := utf8.RuneCountInString(t.EmailSubject); n > MaxInviteSubject || (t.EmailSubject != "" && strings.TrimSpace(t.EmailSubject) == "") {
		return invalid("AdminCreateUserConfig.InviteMessageTemplate.EmailSubject", "must be 1-%d characters", MaxInviteSubject)
	}
	return nil
}
