package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

type lambdaInvoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// lambda returns the Lambda client, made at the first call.
func (inv *Invoker) lambda(ctx context.Context) (lambdaInvoker, error) {
	inv.lambdaMu.Lock()
	defer inv.lambdaMu.Unlock()
	if inv.lambdaClient != nil {
		return inv.lambdaClient, nil
	}
	load := inv.cfg.LoadAWSConfig
	if load == nil {
		load = func(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }
	}
	awsCfg, err := load(ctx)
	if err != nil {
		return nil, err
	}
	inv.lambdaClient = lambda.NewFromConfig(awsCfg, func(o *lambda.Options) {
		if inv.cfg.LambdaEndpoint != "" {
			o.BaseEndpoint = aws.String(inv.cfg.LambdaEndpoint)
		}
		// A trigger runs at most once per operation: a retry could
		// repeat its side effects (a welcome mail, a migrated user).
		o.Retryer = aws.NopRetryer{}
	})
	return inv.lambdaClient, nil
}

// invokeLambda calls Invoke (RequestResponse) in the function's region.
func (inv *Invoker) invokeLambda(ctx context.Context, trigger, arn string, body []byte) ([]byte, *Error) {
	client, err := inv.lambda(ctx)
	if err != nil {
		return nil, unexpected(trigger, OutcomeConfig, reasonConfig, err)
	}
	out, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(arn),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        body,
	}, func(o *lambda.Options) { o.Region = arnRegion(arn) })
	if err != nil {
		reason := "ServiceException"
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() != "" {
			reason = apiErr.ErrorCode()
		}
		return nil, unexpected(trigger, OutcomeTransport, reason, err)
	}
	if out.FunctionError != nil {
		return nil, functionError(trigger, lambdaErrorMessage(out.Payload, *out.FunctionError))
	}
	return out.Payload, nil
}

// lambdaErrorMessage is the errorMessage of a function error's payload,
// fallback when it has none (a webhook's error answer has the same shape).
func lambdaErrorMessage(payload []byte, fallback string) string {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &e) == nil && strings.TrimSpace(e.ErrorMessage) != "" {
		return e.ErrorMessage
	}
	return fallback
}

// arnRegion is the region of arn:partition:lambda:region:account:...
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}
