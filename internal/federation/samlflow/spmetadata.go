package samlflow

import (
	"encoding/xml"
	"time"
)

// spMetadata renders the SP metadata of cfg: entity id, the ACS URL with
// the HTTP-POST binding, signed assertions wanted, no keys (requests are
// not signed, assertions not encrypted).
func spMetadata(cfg Config) ([]byte, error) {
	sp, err := serviceProvider(cfg, nil, time.Now())
	if err != nil {
		return nil, err
	}
	out, err := xml.MarshalIndent(sp.Metadata(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}
