// Package trigger invokes a pool's triggers: it sends a Cognito trigger
// event to the target configured in the pool's LambdaConfig and decodes
// the target's response.
//
// A target is an AWS Lambda function, invoked with the Lambda Invoke API
// (RequestResponse) and credentials from the standard AWS chain, or a
// webhook: the same JSON event as the body of an HTTPS POST, signed with
// the pool's secret (X-Linkpool-Timestamp and X-Linkpool-Signature; see
// Sign and Verify). The event is exactly Cognito's: version,
// triggerSource, region, userPoolId, userName, callerContext, request and
// response, so a function written for Cognito with aws-lambda-go's events
// types runs unchanged.
//
// Every invocation has Cognito's 5-second limit and takes a slot of a
// bounded worker budget; when every slot is taken the invocation fails at
// once instead of waiting, so slow triggers cannot hold the whole server.
// Failures are *Error values carrying Cognito's exception and message:
// UserLambdaValidationException when the function (or webhook) reported
// an error, UnexpectedLambdaException when it could not be reached, timed
// out or was over budget, InvalidLambdaResponseException when its answer
// was not an event. The invoker records a latency histogram and an error
// counter per trigger and target kind, and logs the trigger source and
// outcome, never the event.
//
// Each trigger's request and response members have types here in
// Cognito's shape (PreSignUpRequest, PreTokenResponseV2, ...).
//
// What each trigger means to a flow (when it fires, what its response
// changes) belongs to the services that call Invoke.
package trigger
