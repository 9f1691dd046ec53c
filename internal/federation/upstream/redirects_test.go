package upstream_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/linkpool/linkpool/internal/federation/upstream"
)

func TestLimitRedirects(t *testing.T) {
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	one := []*http.Request{req("https://idp.example.com/a")}
	for u, ok := range map[string]bool{
		"https://idp.example.com/b":  true,
		"http://127.0.0.1:8080/b":    true,
		"http://localhost/b":         true,
		"http://idp.example.com/b":   false,
		"http://10.0.0.1/b":          false,
		"ftp://idp.example.com/b":    false,
		"https://user@idp.example/b": false,
	} {
		if err := upstream.LimitRedirects(req(u), one); (err == nil) != ok {
			t.Errorf("LimitRedirects(%s) = %v, want allowed %v", u, err, ok)
		}
	}
	many := make([]*http.Request, upstream.MaxRedirects)
	if err := upstream.LimitRedirects(req("https://idp.example.com/b"), many); err == nil {
		t.Errorf("redirect number %d followed", upstream.MaxRedirects+1)
	}
	if err := upstream.RefuseRedirects(req("https://idp.example.com/b"), one); !errors.Is(err, http.ErrUseLastResponse) {
		t.Errorf("RefuseRedirects = %v, want http.ErrUseLastResponse", err)
	}
}

func TestWithRedirects(t *testing.T) {
	own := upstream.WithRedirects(nil, upstream.RefuseRedirects)
	if own.Timeout != upstream.CallTimeout || own.CheckRedirect == nil {
		t.Errorf("WithRedirects(nil) = %+v: want CallTimeout and the policy", own)
	}
	caller := &http.Client{Timeout: 42}
	c := upstream.WithRedirects(caller, upstream.LimitRedirects)
	if c == caller || caller.CheckRedirect != nil || c.Timeout != 42 || c.CheckRedirect == nil {
		t.Errorf("WithRedirects changed the caller's client or lost its settings")
	}
}
