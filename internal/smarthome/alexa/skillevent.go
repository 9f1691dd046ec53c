package alexa

// SkillDisabled is the request type of the skill event Alexa sends when a
// user disables the skill ("Use Skill Events": Skill Disabled Event).
// Alexa has deleted the user's tokens by then; the skill should end the
// link on its side too.
const SkillDisabled = "AlexaSkillEvent.SkillDisabled"

// SkillEvent is an Alexa skill event: the custom-skill request envelope
// that skill events use (not a Smart Home directive), sent to the same
// endpoint. context.System.user.accessToken is the user's last access
// token, when the account is linked.
type SkillEvent struct {
	Version string `json:"version"`
	Context struct {
		System struct {
			Application struct {
				ApplicationID string `json:"applicationId"`
			} `json:"application"`
			User struct {
				UserID      string `json:"userId"`
				AccessToken string `json:"accessToken,omitempty"`
			} `json:"user"`
			APIEndpoint string `json:"apiEndpoint,omitempty"`
		} `json:"System"`
	} `json:"context"`
	Request struct {
		Type                string `json:"type"`
		RequestID           string `json:"requestId"`
		Timestamp           string `json:"timestamp"`
		EventCreationTime   string `json:"eventCreationTime,omitempty"`
		EventPublishingTime string `json:"eventPublishingTime,omitempty"`
		Body                struct {
			// UserInformationPersistenceStatus is PERSISTED when the
			// user's data stays with Alexa (the next enablement has the
			// same userId), NOT_PERSISTED after an account-wide deletion.
			UserInformationPersistenceStatus string `json:"userInformationPersistenceStatus,omitempty"`
		} `json:"body"`
	} `json:"request"`
}

// SkillEventAck is the reply to a skill event: Alexa only needs the
// delivery acknowledged (a 200 answer, or a Lambda invocation without a
// function error) and redelivers unacknowledged events for up to an hour;
// there is nothing to say to the user.
var SkillEventAck = []byte(`{"version":"1.0","response":{}}`)
