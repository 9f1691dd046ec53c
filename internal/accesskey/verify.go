package accesskey

import (
	"net/http"
	"time"
)

// Authenticate verifies the SigV4 signature of r, whose body the caller
// has read into body, at the service's clock. See Verify.
func (s *Service) Authenticate(r *http.Request, body []byte) (Key, error) {
	return s.Verify(r, body, s.now())
}

// Verify checks that r is signed with AWS Signature Version 4 for the
// service cognito-idp (any region) by a known access key, at now, and
// returns that key. A refused request fails with an *Error carrying AWS's
// exception name and status; any other error is a failure of the store or
// the master key, to answer with a 5xx.
func (s *Service) Verify(r *http.Request, body []byte, now time.Time) (Key, error) {
	sr, err := checkRequest(r, now)
	if err != nil {
		return Key{}, err
	}
	payload, err := payloadHash(r, body)
	if err != nil {
		return Key{}, err
	}
	c, err := s.lookup(r.Context(), sr.auth.KeyID, now)
	if err != nil {
		return Key{}, err
	}
	if err := verifyWithKey(r, sr, payload, s.signingKey(c, sr.auth)); err != nil {
		return Key{}, err
	}
	s.touch(r.Context(), c, now)
	k := keyOf(c.key)
	k.Region = sr.auth.Region
	return k, nil
}
