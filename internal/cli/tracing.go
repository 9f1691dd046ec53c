package cli

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/linkpool/linkpool/internal/tracing"
)

// registerOTel registers --otel-endpoint, shared by the commands that
// serve requests.
func registerOTel(fs *flag.FlagSet, endpoint *string) {
	fs.StringVar(endpoint, "otel-endpoint", "", "base URL of an OTLP/HTTP collector to send traces to, e.g. http://127.0.0.1:4318 (spans go to <url>/v1/traces); empty uses OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, and tracing is off when none is set")
}

// startTracing turns tracing on for the service when an endpoint is
// configured (internal/tracing) and returns the function that flushes the
// spans still buffered, within a few seconds, and turns it off.
func startTracing(ctx context.Context, log *slog.Logger, endpoint, service string) (stop func(), err error) {
	shutdown, err := tracing.Setup(ctx, tracing.Config{Endpoint: endpoint, ServiceName: service, Version: Version})
	if err != nil {
		return nil, usagef("--otel-endpoint: %v", err)
	}
	if !tracing.On() {
		return func() {}, nil
	}
	log.Info("tracing on: exporting spans over OTLP/HTTP", "service", service)
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			log.Warn("tracing: flushing spans failed", "error", err)
		}
	}, nil
}
