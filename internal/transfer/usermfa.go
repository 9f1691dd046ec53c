package transfer

import (
	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// userMFA checks the sealed values of u's multi-factor state, as the
// validator does the SRP verifier: the TOTP secrets (the verified
// device's and a pending one's) must open with the export's master key
// bound to the user's pool and sub (account.TOTPSecretAAD), and with v.to
// set they are sealed again with it. A pending passkey registration,
// whose state is the passkey service's own and lives minutes, is
// dropped on a move to a new master key, under which it would not open:
// the user starts the registration again. On failure it names what did
// not open.
func (v *validator) userMFA(u *pool.User) (string, error) {
	m := &u.MFA
	aad := account.TOTPSecretAAD(u.PoolID, u.Sub)
	for _, d := range []struct {
		what string
		dev  **pool.TOTPDevice
	}{{"the TOTP secret", &m.TOTP}, {"the pending TOTP secret", &m.PendingTOTP}} {
		if *d.dev == nil || len((*d.dev).Secret) == 0 {
			continue
		}
		secret, err := v.reseal((*d.dev).Secret, aad)
		if err != nil {
			return d.what, err
		}
		if v.to != nil {
			dev := **d.dev
			dev.Secret = secret
			*d.dev = &dev
		}
	}
	if v.to != nil {
		m.WebAuthnRegistration = nil
	}
	return "", nil
}
