package alexasim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/linkpool/linkpool/internal/tracing"
)

// Skill is a Smart Home skill endpoint: it takes one directive document
// and returns the reply document. HTTPSkill and LambdaSkill implement it.
type Skill interface {
	// Invoke sends one directive. An error wrapping ErrTransient is a
	// failure worth retrying (HTTP 5xx, a dropped connection).
	Invoke(ctx context.Context, directive []byte) ([]byte, error)
	// String names the endpoint for reports.
	String() string
}

// ErrTransient marks failures that Alexa retries rather than treating as
// an answer: HTTP 5xx from a token endpoint or skill, refused or dropped
// connections.
var ErrTransient = errors.New("transient failure")

// MaxReplySize bounds a skill reply or token response read by the
// simulator.
const MaxReplySize = 1 << 20

// HTTPSkill posts directives as JSON to an HTTPS endpoint (for example
// linkpool's POST /alexa/smart-home, or an API Gateway in front of a
// Lambda function) and reads the reply from a 200 response.
type HTTPSkill struct {
	URL    string
	Client *http.Client
}

// Invoke posts the directive. Non-200 answers are errors; 5xx and
// transport failures wrap ErrTransient.
func (s *HTTPSkill) Invoke(ctx context.Context, directive []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(directive))
	if err != nil {
		return nil, fmt.Errorf("skill endpoint %s: %w", s.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	tracing.Inject(ctx, req.Header)
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("skill endpoint %s: %w: %w", s.URL, ErrTransient, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplySize+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("skill endpoint %s: %w: reading the reply: %w", s.URL, ErrTransient, err)
	}
	if len(body) > MaxReplySize {
		return nil, &SkillHTTPError{Status: resp.StatusCode, Detail: "reply larger than 1 MiB"}
	}
	if resp.StatusCode != http.StatusOK {
		e := &SkillHTTPError{Status: resp.StatusCode, Detail: snippet(body)}
		if resp.StatusCode >= 500 {
			return nil, fmt.Errorf("%w: %w", ErrTransient, e)
		}
		return nil, e
	}
	return body, nil
}

func (s *HTTPSkill) String() string { return s.URL }

// SkillHTTPError is a non-200 answer of an HTTP skill endpoint.
type SkillHTTPError struct {
	Status int
	Detail string
}

func (e *SkillHTTPError) Error() string {
	return fmt.Sprintf("skill endpoint answered HTTP %d: %s", e.Status, e.Detail)
}

// LambdaSkill is an in-process Lambda handler such as
// (*smarthome.Skill).Invoke: the directive in, the reply out. A returned
// error is what Lambda reports as a function error.
type LambdaSkill func(ctx context.Context, directive []byte) ([]byte, error)

// Invoke calls the handler.
func (f LambdaSkill) Invoke(ctx context.Context, directive []byte) ([]byte, error) {
	return f(ctx, directive)
}

func (f LambdaSkill) String() string { return "in-process Lambda handler" }

// snippet returns a printable prefix of a body for diagnoses.
func snippet(b []byte) string {
	const max = 160
	s := string(bytes.TrimSpace(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
