package samlflow_test

import (
	"encoding/base64"
	"encoding/xml"
)

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }
