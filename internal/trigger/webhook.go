package trigger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/tracing"
)

// newHTTPClient returns the webhook client: no redirects (a 3xx is an
// unexpected status), idle connections kept for the worker budget.
func newHTTPClient(maxConcurrent int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxConcurrent
	t.ResponseHeaderTimeout = 0 // the invocation's context limits the wait
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// invokeWebhook POSTs the signed event. A 2xx answer is the event; a
// non-2xx answer with a JSON errorMessage (Lambda's error shape) is the
// function's error; anything else is unexpected.
func (inv *Invoker) invokeWebhook(ctx context.Context, p *pool.Pool, trigger, target string, body []byte) ([]byte, *Error) {
	if inv.cfg.Box == nil || len(p.TriggerSecret) == 0 {
		return nil, unexpected(trigger, OutcomeConfig, reasonConfig, errors.New("no webhook signing secret"))
	}
	secret, err := inv.cfg.Box.Open(p.TriggerSecret, p.TriggerSecretAAD())
	if err != nil {
		return nil, unexpected(trigger, OutcomeConfig, reasonConfig, fmt.Errorf("webhook signing secret: %w", err))
	}
	ts := strconv.FormatInt(inv.cfg.Now().Unix(), 10)
	sig := Sign(secret, ts, body)
	clear(secret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, unexpected(trigger, OutcomeConfig, reasonConfig, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "linkpool-trigger/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sig)
	tracing.Inject(ctx, req.Header)
	resp, err := inv.http.Do(req)
	if err != nil {
		return nil, unexpected(trigger, OutcomeTransport, "RequestFailed", err)
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, unexpected(trigger, OutcomeTransport, "RequestFailed", err)
	}
	if len(payload) > maxResponse {
		return nil, malformed(trigger, fmt.Errorf("answer over %d bytes", maxResponse))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return payload, nil
	}
	if msg := lambdaErrorMessage(payload, ""); msg != "" {
		return nil, functionError(trigger, msg)
	}
	return nil, unexpected(trigger, OutcomeTransport, "HTTP status "+strconv.Itoa(resp.StatusCode),
		fmt.Errorf("webhook answered %s", resp.Status))
}

// causeText is an error for the logs without a URL's query (which may
// carry a token): a *url.Error's operation and cause.
func causeText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}
