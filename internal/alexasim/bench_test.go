package alexasim_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/linkpool/linkpool/internal/alexasim"
)

// BenchmarkDirective measures one checked directive round trip with an
// in-process skill: building the directive, the skill's reply, schema
// validation and the reply checks.
func BenchmarkDirective(b *testing.B) {
	schema := loadSchema(b)
	f := newFakeASB(b)
	res, err := alexasim.LinkAccount(context.Background(), alexasim.LinkOptions{
		Console: f.console(), SignIn: alexasim.FormSignIn{Username: fakeUser, Password: fakePassword},
		Env: alexasim.Env{Skill: stubSkill(), Schema: schema},
	})
	if err != nil {
		b.Fatal(err)
	}
	lk := res.Link
	ctx := context.Background()
	for b.Loop() {
		if _, err := lk.Power(ctx, "lamp-1", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormSignIn measures a form sign-in over loopback HTTP: two
// requests, HTML parsing and the login page checks.
func BenchmarkFormSignIn(b *testing.B) {
	f := newFakeASB(b)
	c := f.console()
	authURL := c.AuthorizationURI + "?" + url.Values{"redirect_uri": {c.RedirectURI()}, "state": {"s"}}.Encode()
	ctx := context.Background()
	for b.Loop() {
		res, err := alexasim.FormSignIn{Username: fakeUser, Password: fakePassword}.SignIn(ctx, alexasim.SignInRequest{AuthURL: authURL, RedirectURI: c.RedirectURI()})
		if err != nil || res.Redirect == nil {
			b.Fatal(err, res.Diagnoses)
		}
	}
}

// BenchmarkSchemaCheck validates one StateReport-sized reply.
func BenchmarkSchemaCheck(b *testing.B) {
	schema := loadSchema(b)
	doc := []byte(`{"event":{"header":{"namespace":"Alexa","name":"StateReport","payloadVersion":"3","messageId":"5f8a426e-01e4-4cc9-8b79-65f8bd0fd8a4","correlationToken":"abc"},"endpoint":{"endpointId":"lamp-1"},"payload":{}},"context":{"properties":[{"namespace":"Alexa.PowerController","name":"powerState","value":"ON","timeOfSample":"2026-11-25T18:30:30.450Z","uncertaintyInMilliseconds":0},{"namespace":"Alexa.BrightnessController","name":"brightness","value":40,"timeOfSample":"2026-11-25T18:30:30.450Z","uncertaintyInMilliseconds":0}]}}`)
	for b.Loop() {
		if st, d := schema.Check(doc); st != alexasim.SchemaValid {
			b.Fatal(d)
		}
	}
}
