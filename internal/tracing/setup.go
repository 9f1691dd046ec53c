package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config configures Setup.
type Config struct {
	// Endpoint is the base URL of an OTLP/HTTP collector, such as
	// "http://127.0.0.1:4318"; spans are sent to its /v1/traces. Empty
	// means the standard OTEL_EXPORTER_OTLP_ENDPOINT and
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT variables, and tracing stays off
	// when neither is set.
	Endpoint string
	// ServiceName and Version are the service.name and service.version
	// of the spans' resource; OTEL_SERVICE_NAME and
	// OTEL_RESOURCE_ATTRIBUTES override them.
	ServiceName string
	Version     string
}

// Enabled reports whether Setup turns tracing on for endpoint: when it or
// one of the standard endpoint variables is set, and OTEL_SDK_DISABLED is
// not "true".
func Enabled(endpoint string) bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	return endpoint != "" || os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup turns tracing on when Enabled(cfg.Endpoint): spans are batched
// and exported over OTLP/HTTP, sampled as OTEL_TRACES_SAMPLER says
// (parent-based, always on by default), and the W3C trace context is the
// propagation format. It returns the function that flushes the spans not
// yet exported and turns tracing off; while tracing stays off it returns a
// function that does nothing. A malformed endpoint is an error.
func Setup(ctx context.Context, cfg Config) (shutdown func(context.Context) error, err error) {
	if !Enabled(cfg.Endpoint) {
		return func(context.Context) error { return nil }, nil
	}
	var opts []otlptracehttp.Option
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("OTLP endpoint %q must be an http(s) URL such as http://127.0.0.1:4318, without credentials or query", redact(cfg.Endpoint))
		}
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", cfg.ServiceName), attribute.String("service.version", cfg.Version)),
		resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	provider.Store(tp)
	restore := Use(tp)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagator)
	return func(ctx context.Context) error {
		restore()
		provider.CompareAndSwap(tp, nil)
		return tp.Shutdown(ctx)
	}, nil
}

// provider is the provider Setup made, for Flush.
var provider atomic.Pointer[sdktrace.TracerProvider]

// Flush exports the spans Setup's provider still holds, waiting until ctx
// ends at most: for a process that may be frozen between two calls, such
// as an AWS Lambda function after each invocation. It does nothing while
// tracing is off.
func Flush(ctx context.Context) error {
	if tp := provider.Load(); tp != nil {
		return tp.ForceFlush(ctx)
	}
	return nil
}

// redact hides the user information of a URL that could not be used, so
// that an error never shows a password.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User("xxxxx")
		return u.String()
	}
	if strings.Contains(raw, "@") {
		return "(unparsable URL)"
	}
	return raw
}
