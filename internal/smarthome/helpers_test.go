package smarthome_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/smarthome"
	"github.com/linkpool/linkpool/internal/smarthome/alexa"
	"github.com/linkpool/linkpool/internal/smarthome/lamp"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/smarthome/smarthometest"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// openStore opens a real SQLite store in a file of the test's temp dir.
func openStore(t testing.TB, path string) skillstore.Database {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "smartlamp.db")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// env is a skill on a real SQLite store with a loopback issuer.
type env struct {
	st     skillstore.Database
	dbPath string
	iss    *smarthometest.Issuer
	skill  *smarthome.Skill
	logs   *apptest.Log
}

func newEnv(t testing.TB, mod func(*smarthome.SkillConfig)) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "smartlamp.db")
	e := &env{st: openStore(t, path), dbPath: path, iss: smarthometest.NewIssuer(t), logs: &apptest.Log{}}
	cfg := smarthome.SkillConfig{
		Store:    e.st,
		Verifier: e.iss.Verifier(t),
		Logger:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	skill, err := smarthome.NewSkill(cfg)
	if err != nil {
		t.Fatalf("NewSkill: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = skill.Close(ctx)
	})
	e.skill = skill
	return e
}

// addLamp stores a fresh lamp with a chosen id for owner.
func (e *env) addLamp(t testing.TB, owner, id string) skillstore.Lamp {
	t.Helper()
	l := lamp.New(owner, id, "Lamp "+id, time.Now())
	if err := e.st.CreateLamp(context.Background(), l); err != nil {
		t.Fatalf("CreateLamp: %v", err)
	}
	got, err := e.st.GetLamp(context.Background(), owner, id)
	if err != nil {
		t.Fatalf("GetLamp: %v", err)
	}
	return got
}

// event is the parts of a reply the tests look at.
type event struct {
	Event struct {
		Header   alexa.Header    `json:"header"`
		Endpoint *alexa.Endpoint `json:"endpoint"`
		Payload  json.RawMessage `json:"payload"`
	} `json:"event"`
	Context *struct {
		Properties []struct {
			Namespace string          `json:"namespace"`
			Name      string          `json:"name"`
			Value     json.RawMessage `json:"value"`
		} `json:"properties"`
	} `json:"context"`
}

func (ev event) errorType() string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(ev.Event.Payload, &p)
	return p.Type
}

// prop returns the value of a context property, nil when absent.
func (ev event) prop(name string) json.RawMessage {
	if ev.Context == nil {
		return nil
	}
	for _, p := range ev.Context.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

// invoke runs raw through the skill, checks the reply against the schema
// and the token against the logs, and decodes it.
func (e *env) invoke(t testing.TB, raw string) event {
	t.Helper()
	out, err := e.skill.Invoke(context.Background(), []byte(raw))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	smarthometest.Validate(t, out)
	var ev event
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatalf("reply is not JSON: %v", err)
	}
	return ev
}

// directive builds a controller directive document.
func directive(ns, name, endpointID, token string, payload any) string {
	p, _ := json.Marshal(payload)
	if payload == nil {
		p = []byte("{}")
	}
	d := map[string]any{"directive": map[string]any{
		"header": map[string]any{"namespace": ns, "name": name, "payloadVersion": "3",
			"messageId": alexa.NewMessageID(), "correlationToken": "corr-" + name},
		"endpoint": map[string]any{"scope": map[string]any{"type": "BearerToken", "token": token},
			"endpointId": endpointID, "cookie": map[string]string{}},
		"payload": json.RawMessage(p),
	}}
	b, _ := json.Marshal(d)
	return string(b)
}

func discoverDirective(token string) string {
	return `{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover","payloadVersion":"3","messageId":"` +
		alexa.NewMessageID() + `"},"payload":{"scope":{"type":"BearerToken","token":"` + token + `"}}}}`
}

func acceptGrantDirective(code, token string) string {
	return `{"directive":{"header":{"namespace":"Alexa.Authorization","name":"AcceptGrant","payloadVersion":"3","messageId":"` +
		alexa.NewMessageID() + `"},"payload":{"grant":{"type":"OAuth2.AuthorizationCode","code":"` + code +
		`"},"grantee":{"type":"BearerToken","token":"` + token + `"}}}}`
}

func checkNoSecret(t testing.TB, where, text string, secrets ...string) {
	t.Helper()
	if err := apptest.FindSecret(text, secrets...); err != nil {
		t.Errorf("%s: %v", where, err)
	}
}

// lampT shortens skillstore.Lamp in update callbacks.
type lampT = skillstore.Lamp

func (e *env) now() time.Time { return time.Now() }

func (e *env) skillLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
