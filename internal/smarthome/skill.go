package smarthome

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/verify"
)

// Defaults of SkillConfig.
const (
	// DefaultLWATokenURL is Login with Amazon's token endpoint, where the
	// AcceptGrant code is exchanged (docs "Alexa.Authorization Interface").
	DefaultLWATokenURL = "https://api.amazon.com/auth/o2/token"
	// DefaultEventGatewayURL is the North American event gateway; Europe
	// and India use https://api.eu.amazonalexa.com/v3/events, the Far East
	// and Australia https://api.fe.amazonalexa.com/v3/events.
	DefaultEventGatewayURL = "https://api.amazonalexa.com/v3/events"
	// DefaultManufacturer is the manufacturerName in discovery.
	DefaultManufacturer = "SmartLamp"
	// MaxDirectiveSize bounds a directive document.
	MaxDirectiveSize = 64 << 10
	// DefaultEventQueueSize bounds the ChangeReports waiting to be sent.
	DefaultEventQueueSize = 256
	// DefaultEventTimeout bounds sending one ChangeReport, LWA refresh
	// included.
	DefaultEventTimeout = 10 * time.Second
	// SkillEventLeeway is how long after its expiry an access token in a
	// skill event still identifies the grant to revoke (linkpool's
	// default refresh-token validity): only for SkillDisabled, which can
	// do no more than end that one link.
	SkillEventLeeway = 30 * 24 * time.Hour
)

// LWAConfig is the skill's "Alexa Skill Messaging" client (developer
// console, Permissions page), used to exchange AcceptGrant codes and to
// refresh the resulting tokens. It is not the pool's client.
type LWAConfig struct {
	ClientID     string
	ClientSecret string
	// TokenURL defaults to DefaultLWATokenURL.
	TokenURL string
}

// SkillConfig configures a Skill.
type SkillConfig struct {
	Store    skillstore.Store
	Verifier *verify.Verifier
	// CheckIdentity, if set, runs after a token verified: a co-located
	// linkpool confirms the user still exists, is enabled and did not sign
	// out everywhere. An error wrapping verify.ErrInvalid (or
	// verify.ErrRevoked) answers INVALID_AUTHORIZATION_CREDENTIAL; any other
	// error INTERNAL_ERROR.
	CheckIdentity func(ctx context.Context, id verify.Identity) error
	// RevokeGrant, if set, revokes at the authorization server the grant
	// (refresh token) behind a verified access token, when the user
	// disables the skill (skillevent.go). A co-located linkpool sets it;
	// a skill of another issuer cannot revoke (that needs the refresh
	// token, which only Alexa holds) and only forgets the user's LWA
	// tokens.
	RevokeGrant func(ctx context.Context, id verify.Identity) error
	// EventVerifier verifies the access token of skill events (default
	// Verifier). Alexa's last access token has often expired by the time
	// the user disables the skill; a co-located linkpool passes a
	// verifier of the same issuer and clients with SkillEventLeeway, so
	// that such a token still identifies the grant to revoke.
	EventVerifier *verify.Verifier
	// LWA enables AcceptGrant token exchange and ChangeReports. Without a
	// client id, AcceptGrant only records that the user granted and no
	// events are sent; discovery then marks no property as proactively reported.
	LWA LWAConfig
	// EventGatewayURL defaults to DefaultEventGatewayURL.
	EventGatewayURL string
	// Seal and Open protect the LWA tokens at rest (for example with
	// linkpool's master key), binding the context as additional data: the
	// skill passes skillstore.LWATokenContext(owner), and opens values of earlier
	// versions with skillstore.LWATokenSealContext. Set both or neither; with
	// neither, tokens are stored unsealed.
	Seal func(context, plaintext []byte) ([]byte, error)
	Open func(context, sealed []byte) ([]byte, error)
	// ManufacturerName defaults to DefaultManufacturer.
	ManufacturerName string
	// HTTPClient talks to LWA and the event gateway (default: 10s timeout).
	HTTPClient *http.Client
	// EventQueueSize and EventTimeout bound ChangeReport delivery.
	EventQueueSize int
	EventTimeout   time.Duration
	Logger         *slog.Logger
	Now            func() time.Time
}

// Skill is the SmartLamp skill. It is safe for concurrent use.
type Skill struct {
	store        skillstore.Store
	verifier     *verify.Verifier
	check        func(context.Context, verify.Identity) error
	revoke       func(context.Context, verify.Identity) error
	eventVerify  *verify.Verifier
	lwa          *oauth2.Config
	gateway      string
	seal, open   func(context, data []byte) ([]byte, error)
	manufacturer string
	client       *http.Client
	log          *slog.Logger
	now          func() time.Time
	router       *alexa.Router
	events       *reporter
}

// NewSkill returns a skill and starts its ChangeReport sender; Close stops it.
func NewSkill(cfg SkillConfig) (*Skill, error) {
	if cfg.Store == nil {
		return nil, errors.New("smarthome: Store is required")
	}
	if cfg.Verifier == nil {
		return nil, errors.New("smarthome: Verifier is required")
	}
	if (cfg.Seal == nil) != (cfg.Open == nil) {
		return nil, errors.New("smarthome: set both Seal and Open, or neither")
	}
	s := &Skill{
		store:        cfg.Store,
		verifier:     cfg.Verifier,
		check:        cfg.CheckIdentity,
		revoke:       cfg.RevokeGrant,
		eventVerify:  cfg.EventVerifier,
		gateway:      cfg.EventGatewayURL,
		seal:         cfg.Seal,
		open:         cfg.Open,
		manufacturer: cfg.ManufacturerName,
		client:       cfg.HTTPClient,
		log:          cfg.Logger,
		now:          cfg.Now,
	}
	if s.gateway == "" {
		s.gateway = DefaultEventGatewayURL
	}
	if s.manufacturer == "" {
		s.manufacturer = DefaultManufacturer
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.eventVerify == nil {
		s.eventVerify = s.verifier
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.LWA.ClientID != "" {
		tokenURL := cfg.LWA.TokenURL
		if tokenURL == "" {
			tokenURL = DefaultLWATokenURL
		}
		// LWA takes the client credentials in the form body (docs
		// "Authenticate a customer to your skill": grant_type, code,
		// client_id, client_secret).
		s.lwa = &oauth2.Config{
			ClientID:     cfg.LWA.ClientID,
			ClientSecret: cfg.LWA.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		}
	}
	queue, timeout := cfg.EventQueueSize, cfg.EventTimeout
	if queue <= 0 {
		queue = DefaultEventQueueSize
	}
	if timeout <= 0 {
		timeout = DefaultEventTimeout
	}
	s.events = newReporter(s, queue, timeout)
	s.router = alexa.NewRouter(s.log)
	s.routes()
	return s, nil
}

func (s *Skill) routes() {
	r := s.router
	r.Handle(alexa.NamespaceDiscovery, "Discover", s.discover)
	r.Handle(alexa.NamespaceAuthorization, "AcceptGrant", s.acceptGrant)
	r.Handle(alexa.NamespaceAlexa, "ReportState", s.reportState)
	r.Handle(alexa.NamespacePowerController, "TurnOn", s.control(turnOn))
	r.Handle(alexa.NamespacePowerController, "TurnOff", s.control(turnOff))
	r.Handle(alexa.NamespaceBrightnessController, "SetBrightness", s.control(setBrightness))
	r.Handle(alexa.NamespaceBrightnessController, "AdjustBrightness", s.control(adjustBrightness))
	r.Handle(alexa.NamespaceColorController, "SetColor", s.control(setColor))
	r.Handle(alexa.NamespaceColorTemperatureController, "SetColorTemperature", s.control(setColorTemperature))
	r.Handle(alexa.NamespaceColorTemperatureController, "IncreaseColorTemperature", s.control(increaseColorTemperature))
	r.Handle(alexa.NamespaceColorTemperatureController, "DecreaseColorTemperature", s.control(decreaseColorTemperature))
}

// eventsEnabled reports whether the skill can send proactive events.
func (s *Skill) eventsEnabled() bool { return s.lwa != nil }

// Invoke handles one directive document and returns the reply document:
// the entry point for AWS Lambda and for in-process callers. The reply to
// a directive is always an Alexa event and the error nil. A skill event
// (AlexaSkillEvent.*, skillevent.go) is acknowledged; the error is then
// set when handling it failed and Alexa should deliver it again.
func (s *Skill) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > MaxDirectiveSize {
		return s.router.Serve(ctx, nil), nil
	}
	if ev, ok := asSkillEvent(payload); ok {
		return s.handleSkillEvent(ctx, ev)
	}
	return s.router.Serve(ctx, payload), nil
}

// LambdaHandler is Invoke in the shape lambda.Start accepts.
func (s *Skill) LambdaHandler() func(context.Context, json.RawMessage) (json.RawMessage, error) {
	return func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
		out, err := s.Invoke(ctx, in)
		return json.RawMessage(out), err
	}
}

// Close stops the ChangeReport sender after the queued reports were sent
// or ctx ends.
func (s *Skill) Close(ctx context.Context) error { return s.events.close(ctx) }
