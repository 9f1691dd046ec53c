package cognitoapi

import (
	"encoding/json"

	"github.com/linkpool/linkpool/internal/pool"
)

// lambdaConfigType is Cognito's LambdaConfigType in CreateUserPool and
// UpdateUserPool: the triggers' targets, each a Lambda function ARN or,
// where Cognito takes only ARNs, a webhook URL (docs/triggers.md). The
// custom sender triggers and their KMS key are Cognito members linkpool
// does not have; a request setting them is refused.
type lambdaConfigType struct {
	pool.LambdaConfig
	CustomSMSSender   json.RawMessage `json:"CustomSMSSender"`
	CustomEmailSender json.RawMessage `json:"CustomEmailSender"`
	KMSKeyID          *string         `json:"KMSKeyID"`
}

// check refuses the members linkpool does not have; the targets are
// checked by pool.Validate (a refused one is named, LambdaConfig.<Member>).
func (l *lambdaConfigType) check(v *validation) {
	if l == nil {
		return
	}
	for _, m := range []struct {
		field string
		set   bool
	}{
		{"lambdaConfig.customSMSSender", len(l.CustomSMSSender) > 0 && string(l.CustomSMSSender) != "null"},
		{"lambdaConfig.customEmailSender", len(l.CustomEmailSender) > 0 && string(l.CustomEmailSender) != "null"},
		{"lambdaConfig.kMSKeyID", l.KMSKeyID != nil},
	} {
		if m.set {
			v.add(m.field, nil, false, "linkpool has no custom sender triggers; leave it out")
		}
	}
}

// config returns the pool's LambdaConfig, empty when the request left the
// member out (Cognito's UpdateUserPool removes the triggers then too).
func (l *lambdaConfigType) config() pool.LambdaConfig {
	if l == nil {
		return pool.LambdaConfig{}
	}
	return l.LambdaConfig
}
