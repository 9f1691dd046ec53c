package alexasim

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// ErrUnlinked is wrapped by errors of links Alexa has unlinked: the user
// must link again.
var ErrUnlinked = errors.New("alexasim: the account is not linked")

// Expired reports whether the access token has expired by the recorded
// expiry (expires_in from the token response, or the console's default).
func (l *Link) Expired() bool { return !l.Env.now().Before(l.Tokens.ExpiresAt) }

// RefreshDue reports whether a directive would refresh the access token
// first: it has expired, or expires within Env.RefreshBefore.
func (l *Link) RefreshDue() bool {
	return !l.Env.now().Before(l.Tokens.ExpiresAt.Add(-max(l.Env.RefreshBefore, 0)))
}

// Refresh refreshes the access token now, the way Alexa does when it
// expired ("Use access tokens": Alexa calls the access token URI with the
// refresh token): grant_type=refresh_token with the console's client
// authentication (RFC 6749 §6). A rotated refresh token replaces the old
// one; without one in the response the old one is kept.
//
// invalid_grant unlinks the link (REFRESH_INVALID_GRANT_UNLINK), as Alexa
// deletes the tokens then. HTTP 5xx, timeouts and connection failures are
// retried with backoff (TRANSIENT_RETRY) and never unlink; when every
// attempt failed the error is REFRESH_FAILED and the link stays linked.
func (l *Link) Refresh(ctx context.Context) (Diagnoses, error) {
	if !l.IsLinked() {
		return Diagnoses{l.unlinkedDiagnosis()}, &DiagnosedError{Op: "refresh", Diagnoses: Diagnoses{l.unlinkedDiagnosis()}, unlinked: true}
	}
	ds, _, err := l.refreshWith(ctx, l.Tokens.RefreshToken, true)
	return ds, err
}

// refreshWith refreshes with token. When apply is false the response is
// checked but the link is left alone (the checklist's retry of a
// rotated token). It returns the tokens obtained.
func (l *Link) refreshWith(ctx context.Context, token string, apply bool) (Diagnoses, Tokens, error) {
	env := &l.Env
	var ds Diagnoses
	for attempt := 1; ; attempt++ {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
		tr := tokenRequest(ctx, env, &l.Console, form, true)
		if tr.status == 200 && tr.tokens.AccessToken != "" {
			ds = append(ds, tr.diags...)
			if apply {
				old := l.Tokens.RefreshToken
				if tr.tokens.RefreshToken == "" {
					tr.tokens.RefreshToken = old
				} else if tr.tokens.RefreshToken != old {
					l.PreviousRefreshToken = old
				}
				l.setTokens(tr.tokens, env.now())
				l.refreshIDToken = tr.idToken
			}
			return ds, tr.tokens, nil
		}
		if tr.errorCode == "invalid_grant" {
			d := newDiagnosis(CodeRefreshInvalidGrantUnlink, "the access token URI answered invalid_grant to the refresh token; Alexa deletes the tokens and the user must link again")
			ds = append(ds, d)
			if apply {
				l.unlink(d.Code, d.Detail)
			}
			return ds, Tokens{}, &DiagnosedError{Op: "refresh", Diagnoses: ds, unlinked: apply}
		}
		if tr.transient && attempt < env.attempts() {
			detail := "the refresh failed"
			if len(tr.diags) > 0 {
				detail = tr.diags[0].Code + ": " + tr.diags[0].Detail
			}
			ds = append(ds, newDiagnosis(CodeTransientRetry, fmt.Sprintf("refresh attempt %d: %s; retrying, the link stays linked", attempt, detail)))
			if err := env.backoff(ctx, attempt); err != nil {
				return ds, Tokens{}, err
			}
			continue
		}
		ds = append(ds, tr.diags...)
		ds = append(ds, newDiagnosis(CodeRefreshFailed, fmt.Sprintf("the access token could not be refreshed after %d attempt(s); the link stays linked and Alexa tries again later", attempt)))
		return ds, Tokens{}, &DiagnosedError{Op: "refresh", Diagnoses: ds}
	}
}

// fresh refreshes the access token when it is due (RefreshDue).
func (l *Link) fresh(ctx context.Context) (Diagnoses, error) {
	if !l.IsLinked() {
		d := l.unlinkedDiagnosis()
		return Diagnoses{d}, &DiagnosedError{Op: "directive", Diagnoses: Diagnoses{d}, unlinked: true}
	}
	if !l.RefreshDue() {
		return nil, nil
	}
	return l.Refresh(ctx)
}

// unlink deletes the tokens and records why, as Alexa does on
// invalid_grant, credential errors and skill disablement.
func (l *Link) unlink(code, reason string) {
	l.Tokens = Tokens{}
	l.PreviousRefreshToken = ""
	l.Status = Status{State: Unlinked, Code: code, Reason: reason, At: l.Env.now()}
}

// Unlink plays the user disabling the skill in the Alexa app: Alexa
// deletes the tokens (Account linking FAQ). Alexa does not call the
// authorization server; a skill should revoke its own grants when it gets
// the skill-disabled event.
func (l *Link) Unlink(ctx context.Context) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	l.unlink("DISABLED_BY_USER", "the user disabled the skill in the Alexa app")
	return nil
}

func (l *Link) unlinkedDiagnosis() Diagnosis {
	reason := l.Status.Reason
	if l.Status.Code != "" {
		reason = l.Status.Code + ": " + reason
	}
	if reason == "" {
		reason = "never linked"
	}
	return newDiagnosis(CodeLinkUnlinked, fmt.Sprintf("link %q is unlinked (%s); run alexa link again", l.Name, reason))
}
