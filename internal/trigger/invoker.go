package trigger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/tracing"
)

// Defaults of Config.
const (
	// DefaultTimeout is Cognito's limit for a trigger.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxConcurrent is the worker budget: invocations running at
	// once, over all pools and triggers.
	DefaultMaxConcurrent = 64
)

// maxResponse bounds a webhook's answer; Lambda bounds its own (6 MB).
const maxResponse = 1 << 20

// Config configures an Invoker.
type Config struct {
	// Box opens the pools' sealed webhook signing secrets. Needed for
	// webhook targets only.
	Box *seal.Box
	// Timeout limits one invocation; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxConcurrent is the worker budget; 0 means DefaultMaxConcurrent.
	// An invocation finding every slot taken fails at once with
	// UnexpectedLambdaException.
	MaxConcurrent int
	// LambdaEndpoint, when set, replaces the AWS Lambda endpoint of the
	// function's region (a Lambda-compatible server, a VPC endpoint).
	LambdaEndpoint string
	// LoadAWSConfig returns the AWS configuration (credentials from the
	// standard chain: environment, shared files, container or instance
	// roles); nil means config.LoadDefaultConfig. It is called once, at
	// the first Lambda invocation.
	LoadAWSConfig func(context.Context) (aws.Config, error)
	// HTTPClient sends webhook requests; nil means a client of its own
	// that does not follow redirects.
	HTTPClient *http.Client
	// Logger receives one record per invocation; nil means slog.Default.
	Logger *slog.Logger
	// Metrics, when non-nil, receives the invoker's collectors.
	Metrics prometheus.Registerer
	// Now is the clock of webhook timestamps; nil means time.Now.
	Now func() time.Time
}

// Invoker invokes triggers. It is safe for concurrent use; a server has
// one, so the worker budget bounds the whole server.
type Invoker struct {
	cfg     Config
	slots   chan struct{}
	http    *http.Client
	log     *slog.Logger
	metrics *metrics

	lambdaMu     sync.Mutex
	lambdaClient lambdaInvoker
}

// New returns an Invoker.
func New(cfg Config) (*Invoker, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	inv := &Invoker{cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent), http: cfg.HTTPClient, log: cfg.Logger}
	if inv.http == nil {
		inv.http = newHTTPClient(cfg.MaxConcurrent)
	}
	if inv.log == nil {
		inv.log = slog.Default()
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, fmt.Errorf("trigger: metrics: %w", err)
	}
	inv.metrics = m
	return inv, nil
}

// Call is one invocation of a trigger.
type Call struct {
	// Trigger is the LambdaConfig member (pool.Trigger*).
	Trigger string
	// Source is the event's triggerSource (Source*).
	Source string
	// UserName is the event's userName.
	UserName string
	// ClientID is the app client of the request, "" when none.
	ClientID string
	// SDKVersion is callerContext.awsSdkVersion; "" means UnknownSDK.
	SDKVersion string
	// Request and Response are the event's request and response members,
	// marshalled to JSON (nil: an empty object). Response holds the
	// response members with their defaults, as Cognito sends them.
	Request  any
	Response any
}

// Invoke sends the event of c to the pool's target for c.Trigger and
// decodes the response member of the answer into out (a pointer; nil to
// ignore the answer). It returns ErrNotConfigured when the pool has no
// target for the trigger, an *Error when the invocation failed, and
// another error only for events that cannot be marshalled.
func (inv *Invoker) Invoke(ctx context.Context, p *pool.Pool, c Call, out any) (err error) {
	target := p.LambdaConfig.Target(c.Trigger)
	if target == "" {
		return ErrNotConfigured
	}
	body, err := json.Marshal(inv.event(p, c))
	if err != nil {
		return fmt.Errorf("trigger: %s: marshal event: %w", c.Trigger, err)
	}
	kind := pool.TargetKind(target)
	ctx, span := tracing.StartKind(ctx, trace.SpanKindClient, "trigger.invoke",
		attribute.String("linkpool.trigger", c.Trigger), attribute.String("linkpool.trigger.kind", kind), attribute.String(tracing.PoolID, p.ID))
	defer func() { tracing.End(span, err) }()
	select {
	case inv.slots <- struct{}{}:
	default:
		e := unexpected(c.Trigger, OutcomeBudget, reasonBudget, errors.New("worker budget exhausted"))
		inv.record(ctx, p, c, kind, 0, e)
		return e
	}
	inv.metrics.inFlight.Inc()
	start := time.Now()
	payload, ierr := inv.send(ctx, p, c.Trigger, kind, target, body)
	elapsed := time.Since(start)
	inv.metrics.inFlight.Dec()
	<-inv.slots
	inv.metrics.latency.WithLabelValues(c.Trigger, kind).Observe(elapsed.Seconds())
	if ierr == nil {
		ierr = decodeResponse(c.Trigger, payload, out)
	}
	if ierr != nil {
		inv.record(ctx, p, c, kind, elapsed, ierr)
		return ierr
	}
	inv.record(ctx, p, c, kind, elapsed, nil)
	return nil
}

// send invokes the target under the time limit and classifies a failure
// the target did not report itself.
func (inv *Invoker) send(ctx context.Context, p *pool.Pool, trigger, kind, target string, body []byte) ([]byte, *Error) {
	tctx, cancel := context.WithTimeout(ctx, inv.cfg.Timeout)
	defer cancel()
	var (
		payload []byte
		err     *Error
	)
	switch kind {
	case pool.TargetLambda:
		payload, err = inv.invokeLambda(tctx, trigger, target, body)
	case pool.TargetWebhook:
		payload, err = inv.invokeWebhook(tctx, p, trigger, target, body)
	default:
		return nil, unexpected(trigger, OutcomeConfig, reasonConfig, fmt.Errorf("target is neither an ARN nor a URL"))
	}
	if err != nil && err.Outcome == OutcomeTransport && tctx.Err() != nil {
		if ctx.Err() != nil {
			return nil, unexpected(trigger, OutcomeCanceled, reasonTimeout, err.Err)
		}
		return nil, unexpected(trigger, OutcomeTimeout, reasonTimeout, err.Err)
	}
	return payload, err
}

func (inv *Invoker) event(p *pool.Pool, c Call) Event {
	sdk := c.SDKVersion
	if sdk == "" {
		sdk = UnknownSDK
	}
	req, resp := c.Request, c.Response
	if req == nil {
		req = struct{}{}
	}
	if resp == nil {
		resp = struct{}{}
	}
	return Event{
		Version: eventVersion(p, c.Trigger), TriggerSource: c.Source, Region: p.Region(),
		UserPoolID: p.ID, UserName: c.UserName,
		CallerContext: CallerContext{AWSSDKVersion: sdk, ClientID: c.ClientID},
		Request:       req, Response: resp,
	}
}

// eventVersion is "1", but for pre token generation the configured
// LambdaVersion's number ("2" for V2_0, "3" for V3_0).
func eventVersion(p *pool.Pool, trigger string) string {
	if trigger == pool.TriggerPreTokenGeneration {
		switch p.LambdaConfig.PreTokenVersion() {
		case pool.PreTokenV2:
			return "2"
		case pool.PreTokenV3:
			return "3"
		}
	}
	return "1"
}

// decodeResponse reads the answer, which must be a JSON object with a
// response member, and decodes that member into out.
func decodeResponse(trigger string, payload []byte, out any) *Error {
	var ev struct {
		Response json.RawMessage `json:"response"`
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return malformed(trigger, errors.New("answer is not a JSON object"))
	}
	if err := json.Unmarshal(trimmed, &ev); err != nil {
		return malformed(trigger, err)
	}
	if ev.Response == nil {
		return malformed(trigger, errors.New("answer has no response member"))
	}
	if out == nil || bytes.Equal(ev.Response, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(ev.Response, out); err != nil {
		return malformed(trigger, err)
	}
	return nil
}

// record logs the invocation and counts a failure.
func (inv *Invoker) record(ctx context.Context, p *pool.Pool, c Call, kind string, elapsed time.Duration, e *Error) {
	attrs := []slog.Attr{
		slog.String("pool", p.ID), slog.String("trigger", c.Trigger), slog.String("source", c.Source),
		slog.String("kind", kind), slog.Duration("duration", elapsed),
	}
	if e == nil {
		inv.log.LogAttrs(ctx, slog.LevelDebug, "trigger invoked", append(attrs, slog.String("outcome", OutcomeOK))...)
		return
	}
	inv.metrics.errors.WithLabelValues(c.Trigger, kind, e.Outcome).Inc()
	attrs = append(attrs, slog.String("outcome", e.Outcome), slog.String("code", e.Code))
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", causeText(e.Err)))
	}
	level := slog.LevelWarn
	if e.Outcome == OutcomeFunctionError {
		level = slog.LevelInfo // the function's verdict, not a fault
	}
	inv.log.LogAttrs(ctx, level, "trigger failed", attrs...)
}
