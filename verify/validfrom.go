package verify

import "time"

// CheckValidFrom applies Verify's rule for when a token becomes usable: it
// returns an error matching ErrNotYetValid if iat, or nbf unless it is the
// zero time (no nbf claim), lies more than leeway after now. Verify calls
// it with Config.Leeway; a server that checks its own access tokens calls
// it with DefaultLeeway, so that it and a default Verifier accept the same
// tokens.
func CheckValidFrom(now, iat, nbf time.Time, leeway time.Duration) error {
	if iat.After(now.Add(leeway)) {
		return fail(ErrNotYetValid, "issued in the future")
	}
	if !nbf.IsZero() && nbf.After(now.Add(leeway)) {
		return fail(ErrNotYetValid, "nbf is in the future")
	}
	return nil
}
