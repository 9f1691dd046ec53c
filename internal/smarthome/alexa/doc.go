// Package alexa holds the messages of the Alexa Smart Home Skill API v3
// and a router that turns one directive into exactly one reply.
//
// Directives (Alexa to skill) are parsed into Directive; replies and
// proactive events (skill to Alexa) are Message values built with the
// constructors here, so that every message the skill sends validates
// against Amazon's "Alexa Smart Home message schema" (JSON Schema
// draft-04, alexa-samples/alexa-smarthome validation_schemas): payload
// version "3", UUIDv4 message ids, timeOfSample with at most millisecond
// precision in UTC, correlation tokens echoed.
//
// SkillEvent is the envelope of Alexa skill events (SkillDisabled), which
// arrive at the same endpoint as directives.
//
// Router dispatches on (namespace, name). It never fails: malformed or
// unknown directives become an ErrorResponse of type INVALID_DIRECTIVE, a
// handler's *Error becomes the matching ErrorResponse and anything else,
// including a panic, becomes INTERNAL_ERROR. Reference: Alexa Smart Home
// docs "Alexa.ErrorResponse Interface", "Alexa.Response", "Alexa.Discovery
// Interface", "Alexa.Authorization Interface" and "Send Events".
package alexa
