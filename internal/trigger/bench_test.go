package trigger_test

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/trigger"
)

// BenchmarkWebhookInvoke: one pre sign-up invocation of a webhook on
// loopback, signing and verifying included.
func BenchmarkWebhookInvoke(b *testing.B) {
	e := newEnv(b, nil)
	wh := newWebhook(b, answer(func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		ev.Response.AutoConfirmUser = true
		return ev, nil
	}))
	p := e.newPool(pool.LambdaConfig{PreSignUp: wh.URL + "/pre-sign-up"})
	call := preSignUpCall()
	b.ReportAllocs()
	for b.Loop() {
		var out preSignUpResponse
		if err := e.inv.Invoke(ctxBg, p, call, &out); err != nil || !out.AutoConfirmUser {
			b.Fatalf("Invoke: %v %+v", err, out)
		}
	}
}

// BenchmarkLambdaInvoke: one pre sign-up invocation of a Lambda function
// through the SDK (SigV4 signing included) against the loopback Invoke
// server.
func BenchmarkLambdaInvoke(b *testing.B) {
	ls := apptest.NewLambdaServer(b)
	e := newEnv(b, func(c *trigger.Config) { c.LambdaEndpoint = ls.Server.URL })
	ls.Handle("pre-sign-up", func(ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		ev.Response.AutoConfirmUser = true
		return ev, nil
	})
	p := e.newPool(pool.LambdaConfig{PreSignUp: preSignUpARN})
	call := preSignUpCall()
	b.ReportAllocs()
	for b.Loop() {
		var out preSignUpResponse
		if err := e.inv.Invoke(ctxBg, p, call, &out); err != nil || !out.AutoConfirmUser {
			b.Fatalf("Invoke: %v %+v", err, out)
		}
	}
}
