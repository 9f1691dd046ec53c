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
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/linkpool/linkpool/internal/tracing"
)

// version is the service.version of the function's spans; set it with
// -ldflags "-X main.version=...".
var version = "dev"

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	handler, _, err := setup(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("smartlamp-lambda: configuration", "error", err.Error())
		os.Exit(1)
	}
	// Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces
	// endpoint) is set; the spans of each invocation are exported before
	// it returns, since the function may be frozen until the next one.
	if _, err := tracing.Setup(context.Background(), tracing.Config{ServiceName: "smartlamp", Version: version}); err != nil {
		log.Error("smartlamp-lambda: tracing", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
		out, err := handler(ctx, in)
		_ = tracing.Flush(ctx)
		return out, err
	})
}
