// Command smartlamp-lambda is the SmartLamp Alexa Smart Home skill as an
// AWS Lambda function for the provided.al2023 runtime. Build it as
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/smartlamp-lambda
//
// and bind the function to the skill with an "Alexa Smart Home" trigger.
// Configuration comes from the environment (see config.go): the pool's
// issuer and client ids, the PostgreSQL database shared with linkpool,
// the master key that seals the LWA tokens, and the skill's settings
// (smarthome.Options: required scopes, the Login with Amazon messaging
// client, the event gateway) under the SMARTLAMP_* names that
// docs/operations.md maps to the flags of `linkpool serve`.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	handler, _, err := setup(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("smartlamp-lambda: configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler)
}
