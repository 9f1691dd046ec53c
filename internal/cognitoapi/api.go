package cognitoapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/admin"
	"github.com/linkpool/linkpool/internal/confcache"
	"github.com/linkpool/linkpool/internal/oauth"
	"github.com/linkpool/linkpool/internal/passkey"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/tracing"
	"github.com/linkpool/linkpool/internal/trigger"
	"github.com/linkpool/linkpool/internal/web"
)

// TargetPrefix is the X-Amz-Target prefix of the cognito-idp service;
// the action name follows it.
const TargetPrefix = "AWSCognitoIdentityProviderService."

// ContentType is the media type of requests and answers (AWS JSON 1.1).
const ContentType = "application/x-amz-json-1.1"

// DefaultMaxBodyBytes is the default Config.MaxBodyBytes.
const DefaultMaxBodyBytes = 1 << 20

// Principal is the authenticated caller of a signed request.
type Principal interface {
	// Authorize allows or refuses an action on a pool (poolID is empty
	// when the request names none); write tells whether the action
	// changes anything. A refusal is an *Error, normally an
	// AccessDeniedException.
	Authorize(action, poolID string, write bool) error
}

// Config holds the API's dependencies.
type Config struct {
	Store    store.Store
	Accounts *account.Service
	// Admin serves the pool, client, domain and group actions.
	Admin *admin.Service
	// Passkeys serves the WebAuthn actions and the WEB_AUTHN challenge;
	// nil answers them as not enabled.
	Passkeys *passkey.Service
	Log      *slog.Logger
	// Authenticate verifies a request that needs AWS Signature Version 4
	// and returns its caller. body is the request body the signature
	// covers. A refusal is an *Error (UnrecognizedClientException,
	// InvalidSignatureException, MissingAuthenticationTokenException,
	// ...); any other error is an internal failure, answered 500. Nil
	// refuses every such request: the API is never open.
	Authenticate func(r *http.Request, body []byte) (Principal, error)
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// SignUpLimit and ForgotPasswordLimit bound the unsigned sign-up
	// (SignUp, ConfirmSignUp, ResendConfirmationCode) and password-reset
	// (ForgotPassword, ConfirmForgotPassword) calls per client address
	// (web.ClientKey). internal/app passes the hosted pages' limiters, so
	// that an address has one budget across the pages and the API. Nil
	// means no limit.
	SignUpLimit         *web.Limiter
	ForgotPasswordLimit *web.Limiter
	// SignInLimit and SignInUserLimit bound InitiateAuth USER_PASSWORD_AUTH
	// per client address and per address and username (failed sign-ins
	// only), with the hosted sign-in page's limiters. Nil means no limit.
	SignInLimit     *web.Limiter
	SignInUserLimit *web.Limiter
	// OAuth mints and refreshes the tokens of InitiateAuth, and Issuer
	// returns a pool's issuer URL (server.Server.Issuer). Without them
	// InitiateAuth answers 500.
	OAuth  *oauth.Service
	Issuer func(poolID string) string
	// Triggers invokes the custom authentication triggers of CUSTOM_AUTH;
	// nil refuses that flow as not configured.
	Triggers *trigger.Invoker
	// Box seals the challenge sessions of the sign-in flows (Session,
	// SECRET_BLOCK) with the master key; without it every challenge is
	// answered 500.
	Box *seal.Box
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Cache holds the pools and clients the actions look up and the
	// pools' CORS origins (internal/confcache); nil means a cache of the
	// API's own over Store, polled for the life of the process.
	Cache *confcache.Cache
}

// API serves the Cognito JSON API. It is an http.Handler for POST / and
// for OPTIONS /, the CORS preflight of the unsigned actions (cors.go).
type API struct {
	cfg   Config
	cache *confcache.Cache
	// origins are the CORS origins of each pool by id, and their union
	// under the key "" (cors.go).
	origins *confcache.Table[[]string]
}

// New returns an API.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &API{cfg: cfg, cache: cfg.Cache}
	if a.cache == nil {
		a.cache = confcache.New(confcache.Config{Store: cfg.Store, Log: cfg.Log})
	}
	a.origins = confcache.NewTable(a.cache, a.loadOrigins)
	return a
}

// getPool and getClient are store.GetPool and GetClient through the
// configuration cache, with its errors (store.ErrNotFound when absent).
func (a *API) getPool(ctx context.Context, id string) (pool.Pool, error) {
	p, found, err := a.cache.Pools.Get(ctx, id)
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return p, err
}

func (a *API) getClient(ctx context.Context, id string) (pool.Client, error) {
	c, found, err := a.cache.Clients.Get(ctx, id)
	if err == nil && !found {
		err = store.ErrNotFound
	}
	return c, err
}

func (a *API) now() time.Time { return a.cfg.Now() }

// call is one request being served.
type call struct {
	api    *API
	ctx    context.Context
	action string
	body   []byte
	// sigv4: the action needs a signature, and the caller was
	// authorized for the pool id authorized only.
	sigv4 bool
	// authorized is the pool id the caller was authorized for.
	authorized string
	// authorization is the request's Authorization header (its
	// credential scope names the region of new pools).
	authorization string
	// host is the host the request was sent to (the passkeys' relying
	// party when the pool names none).
	host string
}

// ServeHTTP answers one API request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := web.RequestID(ctx)
	if id == "" {
		id = uuid.NewString()
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("x-amzn-RequestId", id)
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodOptions {
		a.preflight(w, r)
		return
	}

	name, act, err := a.resolve(r)
	if err == nil {
		tracing.SetAttr(ctx, "rpc.method", name)
	}
	defer func() {
		// A bug answers like any internal failure: JSON, no details.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.fail(w, r, id, name, fmt.Errorf("panic: %v", v))
		}
	}()
	if err != nil {
		a.fail(w, r, id, name, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			err = &Error{Status: http.StatusRequestEntityTooLarge, Type: RequestEntityTooLargeException, Message: fmt.Sprintf("Request body larger than %d bytes.", a.cfg.MaxBodyBytes)}
		} else {
			err = NewError(SerializationException, "Could not read the request body.")
		}
		a.fail(w, r, id, name, err)
		return
	}
	c := &call{api: a, ctx: account.WithCaller(ctx, callerOf(r, body)), action: name, body: body, authorization: r.Header.Get("Authorization"), host: r.Host}
	if !act.SigV4 {
		if err := c.allowOrigin(w, r); err != nil {
			a.fail(w, r, id, name, err)
			return
		}
	}
	out, err := c.run(r, act)
	if err != nil {
		a.fail(w, r, id, name, err)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		a.fail(w, r, id, name, fmt.Errorf("encode answer: %w", err))
		return
	}
	_, _ = w.Write(b)
}

// resolve checks the framing and finds the action of X-Amz-Target.
func (a *API) resolve(r *http.Request) (string, Action, error) {
	if r.Method != http.MethodPost {
		return "", Action{}, &Error{Status: http.StatusMethodNotAllowed, Type: UnknownOperationException, Message: "Only POST is supported."}
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		return "", Action{}, NewError(UnknownOperationException, "Missing X-Amz-Target header.")
	}
	name, ok := strings.CutPrefix(target, TargetPrefix)
	act, known := Actions[name]
	if !ok || !known {
		return "", Action{}, NewError(UnknownOperationException, "Unknown operation "+quoteTarget(target)+".")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != ContentType && mt != "application/x-amz-json-1.0") {
		return name, Action{}, NewError(SerializationException, "Content-Type must be "+ContentType+".")
	}
	return name, act, nil
}

// quoteTarget bounds and quotes a client's X-Amz-Target for a message.
func quoteTarget(t string) string {
	if len(t) > 128 {
		t = t[:128]
	}
	return fmt.Sprintf("%q", t)
}

// run authenticates, authorizes and runs the action.
func (c *call) run(r *http.Request, act Action) (any, error) {
	c.sigv4 = act.SigV4
	if act.SigV4 {
		if c.api.cfg.Authenticate == nil {
			if r.Header.Get("Authorization") != "" {
				return nil, NewError(UnrecognizedClientException, "The security token included in the request is invalid.")
			}
			return nil, NewError(MissingAuthenticationTokenException, "Missing Authentication Token")
		}
		p, err := c.api.cfg.Authenticate(r, c.body)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errors.New("authenticator returned no principal")
		}
		poolID, err := c.poolField(act.PoolField)
		if err != nil {
			return nil, err
		}
		if err := p.Authorize(c.action, poolID, act.Write); err != nil {
			return nil, err
		}
		c.authorized = poolID
	}
	return act.Run(c)
}

// poolField returns the string in the request's member field, "" when
// field is empty or the member is absent or not a string.
func (c *call) poolField(field string) (string, error) {
	var m map[string]json.RawMessage
	if err := c.decode(&m); err != nil {
		return "", err
	}
	if field == "" {
		return "", nil
	}
	var s string
	if raw, ok := m[field]; ok && json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	return "", nil
}

// decode parses the request body into v. An empty body is {}; members v
// does not have are ignored, as AWS ignores them.
func (c *call) decode(v any) error {
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return NewError(SerializationException, "The request body must be a JSON object.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return NewError(SerializationException, fmt.Sprintf("Unexpected JSON type for %s.", te.Field))
		}
		return NewError(SerializationException, "The request body is not valid JSON.")
	}
	return nil
}

// pool returns the pool the caller was authorized for.
func (c *call) pool(id string) (pool.Pool, error) {
	if c.sigv4 && id != c.authorized {
		return pool.Pool{}, fmt.Errorf("cognitoapi: %s: pool %q used, %q authorized", c.action, id, c.authorized)
	}
	p, err := c.api.getPool(c.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return pool.Pool{}, NewError(ResourceNotFoundException, "User pool "+id+" does not exist.")
	}
	if err != nil {
		return pool.Pool{}, fmt.Errorf("cognitoapi: get pool: %w", err)
	}
	tracing.SetAttr(c.ctx, tracing.PoolID, p.ID)
	return p, nil
}

// fail renders err: its AWS name as "__type" and x-amzn-ErrorType, its
// message, its status. Internal failures are logged and answered 500
// without details.
func (a *API) fail(w http.ResponseWriter, r *http.Request, id, action string, err error) {
	e, internal := wireError(err)
	if internal && web.Gone(r, a.cfg.Log, "cognito api "+action, err) {
		return
	}
	if internal {
		a.cfg.Log.ErrorContext(r.Context(), "cognito api: internal error", "action", action, "error", err)
	} else {
		a.cfg.Log.InfoContext(r.Context(), "cognito api: refused", "action", action, "type", e.Type)
	}
	tracing.SetAttr(r.Context(), tracing.Outcome, e.Type)
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Type, e.Message})
	_, _ = w.Write(b)
}
