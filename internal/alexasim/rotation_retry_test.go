package alexasim_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// overtakingProxy stands between the simulator and the access token URI.
// Once armed, it answers the next refresh with 502 without passing it on,
// so that Alexa retries; it passes the retry on and, after the retry's
// response, delivers the first request too: the original of a retried
// refresh arriving late.
type overtakingProxy struct {
	upstream string

	mu      sync.Mutex
	armed   bool
	delayed *http.Request
	body    []byte
}

func (p *overtakingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	refresh := bytes.Contains(body, []byte("grant_type=refresh_token"))
	if refresh && p.armed {
		p.armed, p.delayed, p.body = false, r.Clone(context.Background()), body
		p.mu.Unlock()
		http.Error(w, "upstream timed out", http.StatusBadGateway)
		return
	}
	delayed, delayedBody := p.delayed, p.body
	p.delayed = nil
	p.mu.Unlock()

	resp, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if delayed != nil {
		if late, err := p.forward(delayed, delayedBody); err == nil {
			late.Body.Close()
		}
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(reply)
}

func (p *overtakingProxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(r.Method, p.upstream+r.URL.Path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return http.DefaultClient.Do(req)
}

// TestRotatedRefreshRetryOvertakenByOriginalKeepsLink: with rotation on,
// Alexa retries a refresh that failed in transit and keeps the token the
// retry returns; the original request reaches the server afterwards. The
// link must survive: the next refresh, an hour later, works.
func TestRotatedRefreshRetryOvertakenByOriginalKeepsLink(t *testing.T) {
	l := newLab(t, labOptions{rotation: true})
	ctx := context.Background()
	proxy := &overtakingProxy{upstream: l.srv.URL}
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	c := l.console(alexasim.RegionNA, alexasim.SchemeHTTPBasic, false)
	c.AccessTokenURI = ps.URL + "/" + l.pool.ID + "/oauth2/token"
	lk := l.link(t, c, l.httpSkill())
	linked := lk.Tokens.RefreshToken

	proxy.mu.Lock()
	proxy.armed = true
	proxy.mu.Unlock()
	l.clock.Advance(61 * time.Minute)
	rep, err := lk.Power(ctx, lk.Endpoints[0].ID, true)
	if err != nil {
		t.Fatalf("refresh with a retry: %v %s", err, codes(rep.Diagnoses))
	}
	if !rep.Diagnoses.Has(alexasim.CodeTransientRetry) || lk.Tokens.RefreshToken == linked {
		t.Fatalf("the refresh was not retried and rotated: %s", codes(rep.Diagnoses))
	}
	proxy.mu.Lock()
	late := proxy.delayed == nil && proxy.body != nil
	proxy.mu.Unlock()
	if !late {
		t.Fatal("the original request was not delivered after the retry")
	}

	for i := range 3 {
		l.clock.Advance(61 * time.Minute)
		rep, err = lk.Power(ctx, lk.Endpoints[0].ID, i%2 == 0)
		if err != nil || lk.Status.State != alexasim.Linked {
			t.Fatalf("refresh %d after the overtaken retry: %v %s, status %+v", i+1, err, codes(rep.Diagnoses), lk.Status)
		}
	}
}
