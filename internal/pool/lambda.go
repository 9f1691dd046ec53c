package pool

import (
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Triggers, by their LambdaConfig member names. Cognito's error messages
// name the trigger so ("PreSignUp failed with error ...").
const (
	TriggerPreSignUp                   = "PreSignUp"
	TriggerCustomMessage               = "CustomMessage"
	TriggerPostConfirmation            = "PostConfirmation"
	TriggerPreAuthentication           = "PreAuthentication"
	TriggerPostAuthentication          = "PostAuthentication"
	TriggerDefineAuthChallenge         = "DefineAuthChallenge"
	TriggerCreateAuthChallenge         = "CreateAuthChallenge"
	TriggerVerifyAuthChallengeResponse = "VerifyAuthChallengeResponse"
	TriggerPreTokenGeneration          = "PreTokenGeneration"
	TriggerUserMigration               = "UserMigration"
)

// Triggers lists every trigger in LambdaConfig's member order.
var Triggers = []string{
	TriggerPreSignUp, TriggerCustomMessage, TriggerPostConfirmation,
	TriggerPreAuthentication, TriggerPostAuthentication, TriggerDefineAuthChallenge,
	TriggerCreateAuthChallenge, TriggerVerifyAuthChallengeResponse,
	TriggerPreTokenGeneration, TriggerUserMigration,
}

// Versions of the pre token generation event
// (PreTokenGenerationConfig.LambdaVersion): V1_0 customises the ID token,
// V2_0 the access token too, V3_0 adds machine-to-machine grants.
const (
	PreTokenV1 = "V1_0"
	PreTokenV2 = "V2_0"
	PreTokenV3 = "V3_0"
)

// Kinds of trigger target (TargetKind).
const (
	TargetLambda  = "lambda"  // an AWS Lambda function ARN
	TargetWebhook = "webhook" // an https URL receiving the event as a signed POST
)

// Length bounds of a target, Cognito's for an ARN.
const (
	MinTargetLen = 20
	MaxTargetLen = 2048
)

// LambdaConfig is a pool's triggers, Cognito's LambdaConfigType. Each
// member is a target: an AWS Lambda function ARN, or an https URL of a
// webhook that receives the same event as a signed POST (http only to a
// loopback host). Empty members are triggers not configured. The webhook
// signing secret is not here but in Pool.TriggerSecret, sealed.
type LambdaConfig struct {
	PreSignUp                   string `json:"PreSignUp,omitempty"`
	CustomMessage               string `json:"CustomMessage,omitempty"`
	PostConfirmation            string `json:"PostConfirmation,omitempty"`
	PreAuthentication           string `json:"PreAuthentication,omitempty"`
	PostAuthentication          string `json:"PostAuthentication,omitempty"`
	DefineAuthChallenge         string `json:"DefineAuthChallenge,omitempty"`
	CreateAuthChallenge         string `json:"CreateAuthChallenge,omitempty"`
	VerifyAuthChallengeResponse string `json:"VerifyAuthChallengeResponse,omitempty"`
	// PreTokenGeneration is the V1_0 target; when PreTokenGenerationConfig
	// is set as well, both name the same target, as Cognito requires.
	PreTokenGeneration       string                   `json:"PreTokenGeneration,omitempty"`
	PreTokenGenerationConfig PreTokenGenerationConfig `json:"PreTokenGenerationConfig,omitzero"`
	UserMigration            string                   `json:"UserMigration,omitempty"`
}

// PreTokenGenerationConfig is Cognito's PreTokenGenerationVersionConfigType.
type PreTokenGenerationConfig struct {
	// LambdaVersion is PreTokenV1, PreTokenV2 or PreTokenV3.
	LambdaVersion string `json:"LambdaVersion,omitempty"`
	LambdaArn     string `json:"LambdaArn,omitempty"`
}

// Target returns the target of a trigger (a Trigger* name), "" when the
// trigger is not configured or the name is unknown.
func (c *LambdaConfig) Target(trigger string) string {
	switch trigger {
	case TriggerPreSignUp:
		return c.PreSignUp
	case TriggerCustomMessage:
		return c.CustomMessage
	case TriggerPostConfirmation:
		return c.PostConfirmation
	case TriggerPreAuthentication:
		return c.PreAuthentication
	case TriggerPostAuthentication:
		return c.PostAuthentication
	case TriggerDefineAuthChallenge:
		return c.DefineAuthChallenge
	case TriggerCreateAuthChallenge:
		return c.CreateAuthChallenge
	case TriggerVerifyAuthChallengeResponse:
		return c.VerifyAuthChallengeResponse
	case TriggerPreTokenGeneration:
		if c.PreTokenGenerationConfig.LambdaArn != "" {
			return c.PreTokenGenerationConfig.LambdaArn
		}
		return c.PreTokenGeneration
	case TriggerUserMigration:
		return c.UserMigration
	}
	return ""
}

// SetTarget sets the target of a trigger (a Trigger* name); "" removes
// it. Pre token generation is kept in both of Cognito's members, the
// version (PreTokenV1, PreTokenV2, PreTokenV3) in
// PreTokenGenerationConfig. An unknown trigger changes nothing.
func (c *LambdaConfig) SetTarget(trigger, target, version string) {
	switch trigger {
	case TriggerPreSignUp:
		c.PreSignUp = target
	case TriggerCustomMessage:
		c.CustomMessage = target
	case TriggerPostConfirmation:
		c.PostConfirmation = target
	case TriggerPreAuthentication:
		c.PreAuthentication = target
	case TriggerPostAuthentication:
		c.PostAuthentication = target
	case TriggerDefineAuthChallenge:
		c.DefineAuthChallenge = target
	case TriggerCreateAuthChallenge:
		c.CreateAuthChallenge = target
	case TriggerVerifyAuthChallengeResponse:
		c.VerifyAuthChallengeResponse = target
	case TriggerPreTokenGeneration:
		c.PreTokenGeneration = target
		c.PreTokenGenerationConfig = PreTokenGenerationConfig{}
		if target != "" {
			c.PreTokenGenerationConfig = PreTokenGenerationConfig{LambdaVersion: version, LambdaArn: target}
		}
	case TriggerUserMigration:
		c.UserMigration = target
	}
}

// PreTokenVersion returns the version of the pre token generation event:
// PreTokenGenerationConfig.LambdaVersion, PreTokenV1 when unset.
func (c *LambdaConfig) PreTokenVersion() string {
	if v := c.PreTokenGenerationConfig.LambdaVersion; v != "" {
		return v
	}
	return PreTokenV1
}

// HasWebhook reports whether any trigger is a webhook, which needs the
// pool's signing secret.
func (c *LambdaConfig) HasWebhook() bool {
	for _, t := range Triggers {
		if TargetKind(c.Target(t)) == TargetWebhook {
			return true
		}
	}
	return false
}

// Validate checks every target and the pre token generation settings. The
// error is a *ValidationError naming the member, for example
// "LambdaConfig.PreSignUp".
func (c *LambdaConfig) Validate() error {
	members := []struct{ name, target string }{
		{TriggerPreSignUp, c.PreSignUp}, {TriggerCustomMessage, c.CustomMessage},
		{TriggerPostConfirmation, c.PostConfirmation}, {TriggerPreAuthentication, c.PreAuthentication},
		{TriggerPostAuthentication, c.PostAuthentication}, {TriggerDefineAuthChallenge, c.DefineAuthChallenge},
		{TriggerCreateAuthChallenge, c.CreateAuthChallenge},
		{TriggerVerifyAuthChallengeResponse, c.VerifyAuthChallengeResponse},
		{TriggerPreTokenGeneration, c.PreTokenGeneration},
		{"PreTokenGenerationConfig.LambdaArn", c.PreTokenGenerationConfig.LambdaArn},
		{TriggerUserMigration, c.UserMigration},
	}
	for _, m := range members {
		if m.target == "" {
			continue
		}
		if err := ValidateTarget(m.target); err != nil {
			return invalid("LambdaConfig."+m.name, "%s", err.Message)
		}
	}
	ptg := c.PreTokenGenerationConfig
	if ptg == (PreTokenGenerationConfig{}) {
		return nil
	}
	switch ptg.LambdaVersion {
	case PreTokenV1, PreTokenV2, PreTokenV3:
	default:
		return invalid("LambdaConfig.PreTokenGenerationConfig.LambdaVersion", "must be V1_0, V2_0 or V3_0, got %q", ptg.LambdaVersion)
	}
	if ptg.LambdaArn == "" {
		return invalid("LambdaConfig.PreTokenGenerationConfig.LambdaArn", "is required with a LambdaVersion")
	}
	if c.PreTokenGeneration != "" && c.PreTokenGeneration != ptg.LambdaArn {
		return invalid("LambdaConfig.PreTokenGeneration", "must equal PreTokenGenerationConfig.LambdaArn when both are set")
	}
	return nil
}

// arnPattern is Cognito's ArnType pattern, anchored.
var arnPattern = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)

// TargetKind returns TargetLambda for an ARN, TargetWebhook for an http or
// https URL and "" for anything else. It does not validate the target.
func TargetKind(target string) string {
	switch {
	case strings.HasPrefix(target, "arn:"):
		return TargetLambda
	case strings.HasPrefix(strings.ToLower(target), "https://"), strings.HasPrefix(strings.ToLower(target), "http://"):
		return TargetWebhook
	}
	return ""
}

// ValidateTarget checks a trigger target: an AWS Lambda function ARN
// matching Cognito's ARN pattern (arn:aws:lambda:us-east-1:123456789012:
// function:name, an optional version or alias after it), or an https URL
// without user information or fragment; http is allowed only for a
// loopback host (localhost, 127.0.0.0/8, ::1), for development. The
// error's Field is empty; callers name the member.
func ValidateTarget(target string) *ValidationError {
	if len(target) < MinTargetLen || len(target) > MaxTargetLen {
		return invalid("", "must be %d to %d characters", MinTargetLen, MaxTargetLen)
	}
	switch TargetKind(target) {
	case TargetLambda:
		if !arnPattern.MatchString(target) {
			return invalid("", "%q is not an ARN", target)
		}
		parts := strings.SplitN(target, ":", 7)
		if len(parts) < 7 || parts[2] != "lambda" || parts[3] == "" || parts[5] != "function" {
			return invalid("", "%q is not a Lambda function ARN like arn:aws:lambda:us-east-1:123456789012:function:name", target)
		}
		return nil
	case TargetWebhook:
		return validateWebhookURL(target)
	}
	return invalid("", "must be a Lambda function ARN or an https webhook URL")
}

func validateWebhookURL(raw string) *ValidationError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return invalid("", "%q is not a URL", raw)
	}
	if u.User != nil {
		return invalid("", "a webhook URL must not hold user information")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return invalid("", "a webhook URL must not have a fragment")
	}
	host := u.Hostname()
	if host == "" {
		return invalid("", "%q has no host", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && IsLoopbackHost(host) {
		return nil
	}
	return invalid("", "a webhook URL must be https (http only to localhost or a loopback address)")
}

// IsLoopbackHost reports whether host (no port, no brackets) is
// "localhost" or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TriggerSecretAAD binds the sealed webhook signing secret to its pool,
// so sealed values cannot be swapped between pools.
func (p *Pool) TriggerSecretAAD() []byte { return []byte("trigger-secret/" + p.ID) }

// NewTriggerSecret returns a new webhook signing secret: 32 random bytes,
// base64url without padding (43 characters).
func NewTriggerSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
