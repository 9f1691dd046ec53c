package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// preToken is what goes into one token set after the pre token
// generation trigger: the groups and scopes, and each token's claim
// changes. Without a trigger it holds the user's groups and the granted
// scopes and changes nothing.
type preToken struct {
	groups []string
	// roles and preferredRole are cognito:roles and
	// cognito:preferred_role, set only by the trigger's
	// groupOverrideDetails.
	roles         []string
	preferredRole string
	// scopes are the access token's scopes.
	scopes []string
	id     claimChanges
	access claimChanges
}

// claimChanges are a trigger's changes to one token's claims.
type claimChanges struct {
	add      map[string]any
	suppress []string
}

// empty reports whether c changes nothing.
func (c claimChanges) empty() bool { return len(c.add) == 0 && len(c.suppress) == 0 }

// apply suppresses and then adds or overrides claims of m; a claim both
// suppressed and added is left out.
func (c claimChanges) apply(m map[string]any) {
	for name, v := range c.add {
		if !slices.Contains(c.suppress, name) {
			m[name] = v
		}
	}
	for _, name := range c.suppress {
		delete(m, name)
	}
}

// fixedClaims are the claims a pre token generation trigger may not add,
// override or suppress in either token (Cognito's excluded claims); a
// response naming one fails the operation. Groups and roles change
// through groupOverrideDetails, the access token's scopes through
// scopesToAdd and scopesToSuppress.
var fixedClaims = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "aud": true, "auth_time": true, "azp": true,
	"c_hash": true, "client_id": true, "event_id": true, "exp": true, "iat": true,
	"identities": true, "iss": true, "jti": true, "nbf": true, "nonce": true,
	"origin_jti": true, "scope": true, "sub": true, "token_use": true, "username": true,
	"version": true,
}

// fixedClaim reports whether a trigger may not touch claim name: one of
// fixedClaims or any cognito: claim (cognito:username, cognito:groups, …).
func fixedClaim(name string) bool {
	return fixedClaims[name] || strings.HasPrefix(name, "cognito:") || name == ""
}

// unaddableScopes are scopes a trigger may not add: they would open the
// user's own API (aws.cognito.signin.user.admin) or the OpenID flow to a
// token not granted them.
var unaddableScopes = []string{pool.ScopeCognitoAPI, pool.ScopeOpenID}

// preTokenGeneration runs the pool's pre token generation trigger, if it
// has one, for the tokens of u (nil for a client-credentials token, which
// only a V3_0 trigger sees) with the user's groups and g's scopes. A
// failure of the trigger, or a response changing a claim it may not, is
// returned as an *Error whose cause is the *trigger.Error (see
// triggerError); no token may then be issued.
func (s *Service) preTokenGeneration(ctx context.Context, t web.Target, c pool.Client, u *pool.User, groups []string, g grantContext) (*preToken, error) {
	pt := &preToken{groups: groups, scopes: g.scopes}
	lc := &t.Pool.LambdaConfig
	if s.triggers == nil || lc.Target(pool.TriggerPreTokenGeneration) == "" {
		return pt, nil
	}
	version := lc.PreTokenVersion()
	if u == nil && version != pool.PreTokenV3 {
		return pt, nil
	}
	req := trigger.PreTokenRequest{
		UserAttributes:     userAttributes(u),
		GroupConfiguration: trigger.GroupConfiguration{GroupsToOverride: nonNil(groups), IAMRolesToOverride: []string{}},
		ClientMetadata:     g.clientMetadata,
	}
	// The JSON API's requests carry their AWS SDK (callerContext).
	call := trigger.Call{Trigger: pool.TriggerPreTokenGeneration, Source: g.source, ClientID: c.ID,
		SDKVersion: account.CallerFrom(ctx).SDKVersion, Request: &req}
	if call.Source == "" {
		call.Source = trigger.SourceTokenHostedAuth
	}
	if u != nil {
		call.UserName = u.Username
	}
	var err error
	if version == pool.PreTokenV1 {
		var out trigger.PreTokenResponseV1
		call.Response = trigger.PreTokenResponseV1{}
		if err = s.triggers.Invoke(ctx, &t.Pool, call, &out); err == nil {
			err = pt.applyV1(out)
		}
	} else {
		req.Scopes = nonNil(g.scopes)
		var out trigger.PreTokenResponseV2
		call.Response = trigger.PreTokenResponseV2{}
		if err = s.triggers.Invoke(ctx, &t.Pool, call, &out); err == nil {
			err = pt.applyV2(out, u == nil)
		}
	}
	if errors.Is(err, trigger.ErrNotConfigured) {
		return pt, nil
	}
	if err != nil {
		return nil, triggerError(err)
	}
	return pt, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// applyV1 reads a version 1 response: ID token claims (strings) and the
// groups of both tokens.
func (pt *preToken) applyV1(r trigger.PreTokenResponseV1) error {
	d := r.ClaimsOverrideDetails
	if d == nil {
		return nil
	}
	add := make(map[string]any, len(d.ClaimsToAddOrOverride))
	for k, v := range d.ClaimsToAddOrOverride {
		add[k] = v
	}
	var err error
	if pt.id, err = changes(add, d.ClaimsToSuppress); err != nil {
		return err
	}
	pt.groupOverride(d.GroupOverrideDetails)
	return nil
}

// applyV2 reads a version 2 or 3 response: claims of both tokens, the
// access token's scopes and the groups. For a client-credentials token
// (m2m) only the access token's changes apply.
func (pt *preToken) applyV2(r trigger.PreTokenResponseV2, m2m bool) error {
	d := r.ClaimsAndScopeOverrideDetails
	if d == nil {
		return nil
	}
	var err error
	if d.IDTokenGeneration != nil && !m2m {
		if pt.id, err = changes(d.IDTokenGeneration.ClaimsToAddOrOverride, d.IDTokenGeneration.ClaimsToSuppress); err != nil {
			return err
		}
	}
	if a := d.AccessTokenGeneration; a != nil {
		if pt.access, err = changes(a.ClaimsToAddOrOverride, a.ClaimsToSuppress); err != nil {
			return err
		}
		if pt.scopes, err = overrideScopes(pt.scopes, a.ScopesToAdd, a.ScopesToSuppress); err != nil {
			return err
		}
	}
	if !m2m {
		pt.groupOverride(d.GroupOverrideDetails)
	}
	return nil
}

// groupOverride applies groupOverrideDetails: groupsToOverride replaces
// the groups (an empty list removes cognito:groups), iamRolesToOverride
// and preferredRole set cognito:roles and cognito:preferred_role.
func (pt *preToken) groupOverride(g *trigger.GroupConfiguration) {
	if g == nil {
		return
	}
	if g.GroupsToOverride != nil {
		pt.groups = g.GroupsToOverride
	}
	pt.roles = g.IAMRolesToOverride
	if g.PreferredRole != nil {
		pt.preferredRole = *g.PreferredRole
	}
}

// changes checks a token's claim changes against fixedClaims.
func changes(add map[string]any, suppress []string) (claimChanges, error) {
	for name := range add {
		if fixedClaim(name) {
			return claimChanges{}, refusedClaim(name)
		}
	}
	for _, name := range suppress {
		if fixedClaim(name) {
			return claimChanges{}, refusedClaim(name)
		}
	}
	return claimChanges{add: add, suppress: suppress}, nil
}

// overrideScopes returns scopes without the suppressed ones and with the
// added ones, in order and without repeats.
func overrideScopes(scopes, add, suppress []string) ([]string, error) {
	for _, sc := range append(slices.Clone(add), suppress...) {
		if sc == "" || strings.ContainsAny(sc, " \t\r\n\"\\") {
			return nil, refused(fmt.Sprintf("invalid scope %q", sc))
		}
	}
	for _, sc := range add {
		if slices.Contains(unaddableScopes, sc) {
			return nil, refused("scope " + sc + " cannot be added")
		}
	}
	out := make([]string, 0, len(scopes)+len(add))
	for _, sc := range append(slices.Clone(scopes), add...) {
		if !slices.Contains(suppress, sc) && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

func refusedClaim(name string) *trigger.Error {
	return refused(fmt.Sprintf("claim %q cannot be added, overridden or suppressed", name))
}

// refused is a response the trigger sent in the right shape but with a
// change Cognito does not allow.
func refused(why string) *trigger.Error {
	return &trigger.Error{Code: trigger.InvalidLambdaResponseException, Trigger: pool.TriggerPreTokenGeneration,
		Outcome: trigger.OutcomeMalformed, Message: "Invalid lambda response: " + why + "."}
}

// triggerError renders a failed pre token generation as the token
// endpoint answers it, keeping the *trigger.Error as the cause for the
// Cognito API. It is never invalid_grant, which makes relying parties
// (Alexa) drop the grant: a trigger that could not be invoked or timed
// out is temporarily_unavailable (503, try again), and a function error
// or a refused response is server_error (500) with the trigger's message.
func triggerError(err error) *Error {
	var te *trigger.Error
	if !errors.As(err, &te) {
		return serverError(err)
	}
	if te.Code == trigger.UnexpectedLambdaException {
		return &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusServiceUnavailable, Description: te.Message, Cause: te}
	}
	return &Error{Code: ErrServerError, Status: http.StatusInternalServerError, Description: te.Message, Cause: te}
}

// userAttributes are the event's userAttributes: none without a user
// (client credentials).
func userAttributes(u *pool.User) map[string]string {
	if u == nil {
		return map[string]string{}
	}
	return trigger.UserAttributes(*u)
}
