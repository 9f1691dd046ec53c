package cognitoapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/linkpool/linkpool/internal/account"
)

// callerOf is what the pool's triggers learn of a request
// (callerContext, clientMetadata, validationData): the request's
// ClientId, ClientMetadata and ValidationData members, where the action
// has them, and the AWS SDK named in the User-Agent header. A body that
// does not decode gives an empty Caller; the action reports it.
func callerOf(r *http.Request, body []byte) account.Caller {
	var in struct {
		ClientID       string            `json:"ClientId"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
		ValidationData []struct {
			Name  string `json:"Name"`
			Value string `json:"Value"`
		} `json:"ValidationData"`
	}
	_ = json.Unmarshal(body, &in)
	c := account.Caller{ClientID: in.ClientID, ClientMetadata: in.ClientMetadata, SDKVersion: sdkVersion(r.Header.Get("User-Agent"))}
	if len(in.ValidationData) > 0 {
		c.ValidationData = make(map[string]string, len(in.ValidationData))
		for _, a := range in.ValidationData {
			c.ValidationData[a.Name] = a.Value
		}
	}
	return c
}

// sdkVersion turns the AWS SDK of a User-Agent ("aws-sdk-go-v2/1.36.3
// os/linux ...") into Cognito's awsSdkVersion ("aws-sdk-go-v2-1.36.3");
// "" (the invoker's aws-sdk-unknown-unknown) when there is none.
func sdkVersion(ua string) string {
	for f := range strings.FieldsSeq(ua) {
		name, version, ok := strings.Cut(f, "/")
		if ok && strings.HasPrefix(name, "aws-sdk-") && version != "" && len(f) <= 64 {
			return name + "-" + version
		}
	}
	return ""
}
