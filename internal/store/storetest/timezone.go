package storetest

import (
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// testTimeZones: an instant given in any location, with nanoseconds, comes
// back as the same instant truncated to the microsecond, in UTC; a zero
// time comes back zero.
func testTimeZones(t *testing.T, s skillstore.Database) {
	ctx := t.Context()
	west := time.FixedZone("Y", -(9*3600 + 30*60))
	// Late evening in zone is the next day in UTC: a backend that keeps
	// wall-clock time shifts the date.
	in := time.Date(2026, 7, 1, 23, 59, 59, 999999999, zone)
	w := createWorld(t, ctx, s)

	u := newUser(w.pool, "tz-user", "")
	u.CreatedAt = in
	u.UpdatedAt = in.In(west).Add(1)
	u.LockedUntil = time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC) // before the Unix epoch
	u.PasswordSetAt, u.TokensValidAfter = time.Time{}, time.Time{}
	u.Code.ExpiresAt, u.Code.SentAt = in.Add(time.Hour), time.Time{}
	mustOK(t, s.CreateUser(ctx, u), "CreateUser")
	gotUser, err := s.GetUser(ctx, w.pool.ID, u.Sub)
	mustOK(t, err, "GetUser")

	code := newAuthCode(w.pool.ID, w.client.ID, u.Sub, in.Add(time.Hour))
	code.AuthTime, code.CreatedAt = in.In(west), in
	mustOK(t, s.CreateAuthCode(ctx, code), "CreateAuthCode")
	redeemAt := in.Add(time.Minute + 123)
	gotCode, err := s.ConsumeAuthCode(ctx, code.ID, redeemAt)
	mustOK(t, err, "ConsumeAuthCode")

	rt := newRefreshToken(w.pool.ID, w.client.ID, u.Sub, code.ID)
	rt.AuthTime, rt.CreatedAt, rt.ExpiresAt = in, in.In(west), in.Add(24*time.Hour)
	rt.PrevValidUntil, rt.LastUsedAt = time.Time{}, time.Time{}
	mustOK(t, s.CreateRefreshToken(ctx, rt), "CreateRefreshToken")
	revokeAt := in.Add(2*time.Minute + 777)
	_, err = s.RevokeRefreshTokens(ctx, store.RevokeFilter{PoolID: w.pool.ID, Sub: u.Sub}, revokeAt)
	mustOK(t, err, "RevokeRefreshTokens")
	gotToken, err := s.GetRefreshToken(ctx, rt.ID)
	mustOK(t, err, "GetRefreshToken")

	key := newSigningKey("tz", store.KeyActive)
	key.CreatedAt, key.NotAfter = in.In(west), time.Time{}
	mustOK(t, s.UpdateKeySet(ctx, w.pool.ID, func(ks store.KeySet) (store.KeySet, error) {
		ks.Keys, ks.UpdatedAt = []store.SigningKey{key}, in
		return ks, nil
	}), "UpdateKeySet")
	gotKeys, err := s.GetKeySet(ctx, w.pool.ID)
	mustOK(t, err, "GetKeySet")
	if len(gotKeys.Keys) != 1 {
		t.Fatalf("GetKeySet: %d keys, want 1", len(gotKeys.Keys))
	}

	grant := newAlexaGrant(u.Sub)
	grant.TokenExpiresAt, grant.CreatedAt = time.Time{}, in.In(west)
	mustOK(t, s.PutAlexaGrant(ctx, grant), "PutAlexaGrant")
	gotGrant, err := s.GetAlexaGrant(ctx, u.Sub)
	mustOK(t, err, "GetAlexaGrant")

	tests := []struct {
		name      string
		got, sent time.Time
	}{
		{"User.CreatedAt", gotUser.CreatedAt, u.CreatedAt},
		{"User.UpdatedAt", gotUser.UpdatedAt, u.UpdatedAt},
		{"User.LockedUntil before 1970", gotUser.LockedUntil, u.LockedUntil},
		{"User.PasswordSetAt zero", gotUser.PasswordSetAt, time.Time{}},
		{"User.TokensValidAfter zero", gotUser.TokensValidAfter, time.Time{}},
		{"User.Code.ExpiresAt", gotUser.Code.ExpiresAt, u.Code.ExpiresAt},
		{"User.Code.SentAt zero", gotUser.Code.SentAt, time.Time{}},
		{"AuthCode.AuthTime", gotCode.AuthTime, code.AuthTime},
		{"AuthCode.CreatedAt", gotCode.CreatedAt, code.CreatedAt},
		{"AuthCode.ExpiresAt", gotCode.ExpiresAt, code.ExpiresAt},
		{"AuthCode.RedeemedAt", gotCode.RedeemedAt, redeemAt},
		{"RefreshToken.AuthTime", gotToken.AuthTime, rt.AuthTime},
		{"RefreshToken.CreatedAt", gotToken.CreatedAt, rt.CreatedAt},
		{"RefreshToken.ExpiresAt", gotToken.ExpiresAt, rt.ExpiresAt},
		{"RefreshToken.RevokedAt", gotToken.RevokedAt, revokeAt},
		{"RefreshToken.PrevValidUntil zero", gotToken.PrevValidUntil, time.Time{}},
		{"RefreshToken.LastUsedAt zero", gotToken.LastUsedAt, time.Time{}},
		{"KeySet.UpdatedAt", gotKeys.UpdatedAt, in},
		{"SigningKey.CreatedAt", gotKeys.Keys[0].CreatedAt, key.CreatedAt},
		{"SigningKey.NotAfter zero", gotKeys.Keys[0].NotAfter, time.Time{}},
		{"AlexaGrant.CreatedAt", gotGrant.CreatedAt, grant.CreatedAt},
		{"AlexaGrant.TokenExpiresAt zero", gotGrant.TokenExpiresAt, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sent.IsZero() {
				if !tc.got.IsZero() {
					t.Fatalf("zero time came back as %v", tc.got)
				}
				return
			}
			want := tc.sent.Truncate(time.Microsecond)
			if !tc.got.Equal(want) {
				t.Fatalf("got %v, want %v (sent %v)", tc.got, want.UTC(), tc.sent)
			}
			if tc.got.Location() != time.UTC {
				t.Fatalf("location %q, want UTC", tc.got.Location())
			}
		})
	}
}
