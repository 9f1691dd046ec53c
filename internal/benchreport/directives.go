package benchreport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
)

// DirectiveLoad is a run of one directive against a skill endpoint, as
// Alexa sends it: over HTTP, with the user's access token.
type DirectiveLoad struct {
	// URL of the skill's HTTP endpoint.
	URL string
	// Token is the linked user's access token; Endpoint the lamp's
	// endpoint id.
	Token, Endpoint string
	// Namespace and Name of the directive; Want the name of the event that
	// answers it (StateReport for ReportState, Response for a control).
	Namespace, Name, Want string
	Concurrency           int
	Duration              time.Duration
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
}

// Achieved is a measured rate of one workload.
type Achieved struct {
	Count     int           // operations started and finished
	OK        int           // successful operations
	PerSecond float64       // successful operations per second
	P99       time.Duration // of successful operations
}

// Failed is the number of operations that did not succeed.
func (a Achieved) Failed() int { return a.Count - a.OK }

// RunDirectives sends the directive from l.Concurrency workers for
// l.Duration, each a new message id, and counts the replies that are the
// event l.Want from HTTP 200.
func RunDirectives(ctx context.Context, l DirectiveLoad) (Achieved, error) {
	if l.Concurrency <= 0 || l.Duration <= 0 {
		return Achieved{}, errors.New("benchreport: directives: concurrency and duration must be positive")
	}
	c := l.Client
	if c == nil {
		c = http.DefaultClient
	}
	// One request first: a skill that refuses it is a setup error, not a
	// measurement.
	if err := l.send(ctx, c); err != nil {
		return Achieved{}, fmt.Errorf("benchreport: %s.%s: %w", l.Namespace, l.Name, err)
	}
	runCtx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	count := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range l.Concurrency {
		wg.Go(func() {
			var lat []time.Duration
			n := 0
			for runCtx.Err() == nil {
				t0 := time.Now()
				err := l.send(runCtx, c)
				if runCtx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				n++
				if err == nil {
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			all, count = append(all, lat...), count+n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Achieved{}, err
	}
	slices.Sort(all)
	a := Achieved{Count: count, OK: len(all), PerSecond: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		a.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return a, nil
}

// send posts one directive and checks the reply's status and event name.
func (l DirectiveLoad) send(ctx context.Context, c *http.Client) error {
	var payload json.RawMessage = []byte("{}")
	d := alexa.DirectiveEnvelope{Directive: &alexa.Directive{
		Header: alexa.Header{
			Namespace: l.Namespace, Name: l.Name, PayloadVersion: alexa.PayloadVersion,
			MessageID: alexa.NewMessageID(), CorrelationToken: "benchreport-" + alexa.NewMessageID(),
		},
		Endpoint: &alexa.DirectiveEndpoint{
			Scope:      &alexa.Scope{Type: "BearerToken", Token: l.Token},
			EndpointID: l.Endpoint,
		},
		Payload: payload,
	}}
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var reply struct {
		Event struct {
			Header alexa.Header `json:"header"`
		} `json:"event"`
	}
	if err := json.Unmarshal(out, &reply); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	if h := reply.Event.Header; h.Name != l.Want {
		return fmt.Errorf("reply %s.%s, want %s", h.Namespace, h.Name, l.Want)
	}
	return nil
}
