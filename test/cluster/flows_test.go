package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/linkpool/linkpool/internal/loadtest"
	"github.com/linkpool/linkpool/internal/mail/smtptest"
)

// password is every test user's password; it meets Cognito's default
// policy.
const password = "Cluster-pw-42!"

// target is an Alexa client of a pool, reached through base (the proxy).
func target(base string, s alexaSetup) *loadtest.Target {
	return &loadtest.Target{
		Base: base + "/" + s.PoolID, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		RedirectURI: s.RedirectURLs[0], Transport: loadtest.NewTransport(32),
	}
}

var mailCode = regexp.MustCompile(`\b\d{6}\b`)

// waitCode waits for the confirmation code mailed to addr.
func waitCode(ctx context.Context, mails *smtptest.Server, addr string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		for _, m := range slices.Backward(mails.Messages()) {
			if slices.Contains(m.RcptTo, addr) {
				if c := mailCode.FindString(m.Text); c != "" {
					return c, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no code mailed to %s: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// signUp runs the whole journey of a new user: sign-up form, the code
// from the mail, confirmation (which signs the user in), and the code
// exchange. With mails nil the pool must confirm sign-ups itself. It
// returns the tokens of the new link.
func signUp(ctx context.Context, tg *loadtest.Target, mails *smtptest.Server, name, from string) (loadtest.Tokens, error) {
	b := tg.Browser(from)
	p, a, err := b.SignUp(ctx, name, name+"@example.com", password)
	if err != nil {
		return loadtest.Tokens{}, err
	}
	if p.Location == "" {
		if mails == nil {
			return loadtest.Tokens{}, errors.New("the pool asks for a confirmation code")
		}
		code, err := waitCode(ctx, mails, name+"@example.com")
		if err != nil {
			return loadtest.Tokens{}, err
		}
		if p, err = b.Submit(ctx, p, map[string]string{"code": code}); err != nil {
			return loadtest.Tokens{}, err
		}
	}
	code, err := a.Code(tg, p, "confirm")
	if err != nil {
		return loadtest.Tokens{}, err
	}
	return tg.Exchange(ctx, code, a.Verifier, from)
}

// signIn links an existing user again through a fresh browser.
func signIn(ctx context.Context, tg *loadtest.Target, name, from string) (loadtest.Tokens, error) {
	code, verifier, err := tg.Browser(from).SignIn(ctx, name, password)
	if err != nil {
		return loadtest.Tokens{}, err
	}
	return tg.Exchange(ctx, code, verifier, from)
}

// address returns a client address for user n, as the proxy reports it.
func address(n int) string { return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255) }

// isTokenError reports whether err is a token endpoint error with code.
func isTokenError(err error, code string) bool {
	var te *loadtest.TokenError
	return errors.As(err, &te) && te.Code == code
}

// badGateway reports whether err is the proxy's 502: the instance died
// while the request was in flight, and nobody knows whether it was done.
func badGateway(err error) bool {
	var te *loadtest.TokenError
	var pe *loadtest.PageError
	return (errors.As(err, &te) && te.Status == 502) || (errors.As(err, &pe) && pe.Status == 502)
}
