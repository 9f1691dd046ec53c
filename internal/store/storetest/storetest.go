package storetest

import (
	"testing"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

type suiteTest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run runs the conformance suite: CRUD and uniqueness of every entity
// (identity providers and their identifiers, users' linked identities
// and passkeys included), cascading deletes, authorization-code redemption, refresh-token
// revocation, garbage collection, pagination, filtered user listings,
// whole-store listings, ACME cache entries, time handling and group ordering. Each subtest gets a fresh store from newStore.
func Run(t *testing.T, newStore func(t *testing.T) skillstore.Database) {
	runAll(t, newStore, []suiteTest{
		{"PoolCRUD", testPoolCRUD},
		{"ClientCRUD", testClientCRUD},
		{"DomainCRUD", testDomainCRUD},
		{"ConfigVersion", testConfigVersion},
		{"UserCRUD", testUserCRUD},
		{"UserUniqueness", testUserUniqueness},
		{"UserUpdateUniqueness", testUserUpdateUniqueness},
		{"GroupCRUD", testGroupCRUD},
		{"IdentityProviderCRUD", testIdentityProviderCRUD},
		{"IdentityProviderIdentifiers", testIdentityProviderIdentifiers},
		{"IdentityProviderCascade", testIdentityProviderCascade},
		{"UserIdentities", testUserIdentities},
		{"LoadFederation", skill(testLoadFederation)},
		{"LoadPasskeys", skill(testLoadPasskeys)},
		{"GroupMembership", testGroupMembership},
		{"CreateUserInGroup", testCreateUserInGroup},
		{"ListGroupsForUserOrder", testListGroupsForUserOrder},
		{"CreateInMissingPool", testCreateInMissingPool},
		{"AuthCodeCRUD", testAuthCodeCRUD},
		{"ReplayedCodeRefusesGrant", testReplayedCodeRefusesGrant},
		{"RefreshTokenCRUD", testRefreshTokenCRUD},
		{"RefreshGrant", testRefreshGrant},
		{"RefreshTokenRevoke", testRefreshTokenRevoke},
		{"SessionCRUD", testSessionCRUD},
		{"WebAuthnCredentials", testWebAuthnCredentials},
		{"WebAuthnCredentialOrder", testWebAuthnCredentialOrder},
		{"WebAuthnPageTokens", testWebAuthnPageTokens},
		{"KeySetCRUD", testKeySetCRUD},
		{"SAMLKeyCRUD", testSAMLKeyCRUD},
		{"LampCRUD", skill(testLampCRUD)},
		{"AlexaGrantCRUD", skill(testAlexaGrantCRUD)},
		{"LampSessionCRUD", skill(testLampSessionCRUD)},
		{"AccessKeyCRUD", testAccessKeyCRUD},
		{"ACMECache", testACMECache},
		{"AuditLog", testAuditLog},
		{"MetricHistory", testMetricHistory},
		{"UserWithoutSRPVerifier", testUserWithoutSRPVerifier},
		{"ConsumeAuthSession", testConsumeAuthSession},
		{"DeletePoolCascade", skill(testDeletePoolCascade)},
		{"DeleteUserCascade", skill(testDeleteUserCascade)},
		{"GarbageCollect", testGarbageCollect},
		{"OutboxCRUD", testOutboxCRUD},
		{"OutboxLease", testOutboxLease},
		{"OutboxRetry", testOutboxRetry},
		{"OutboxGarbageCollect", testOutboxGarbageCollect},
		{"Pagination", skill(testPagination)},
		{"PaginationLimits", testPaginationLimits},
		{"PageTokens", testPageTokens},
		{"FilterUsers", testFilterUsers},
		{"FilterUsersOrder", testFilterUsersOrder},
		{"ListAll", skill(testListAll)},
		{"TimeZones", skill(testTimeZones)},
	})
}

// RunConcurrency runs the cases where many goroutines race on one row:
// single use of authorization codes, revocation of a replayed code's
// grants, refresh-token rotation with a grace
// period, failed-login counters, key rotation by compare-and-swap,
// duplicate sign-ups, concurrent claims of one provider identity and
// concurrent sign-ins with one passkey. Each subtest gets a fresh store from newStore.
func RunConcurrency(t *testing.T, newStore func(t *testing.T) skillstore.Database) {
	runAll(t, newStore, []suiteTest{
		{"AuthCodeSingleUse", testAuthCodeSingleUse},
		{"CodeReplayRevocation", testCodeReplayRevocation},
		{"RefreshRotation", testRefreshRotation},
		{"FailedLoginCounter", testFailedLoginCounter},
		{"KeyRotationCompareAndSwap", testKeyRotationCAS},
		{"CreateUserRace", testCreateUserRace},
		{"IdentityRace", testIdentityRace},
		{"AddUserToGroupRace", testAddUserToGroupRace},
		{"OutboxClaimRace", testOutboxClaimRace},
		{"ConsumeAuthSessionRace", testConsumeAuthSessionRace},
		{"SAMLKeyRace", testSAMLKeyRace},
		{"WebAuthnSignCountRace", testWebAuthnSignCountRace},
	})
}

func runAll(t *testing.T, newStore func(t *testing.T) skillstore.Database, tests []suiteTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			tc.run(t, s)
		})
	}
}

// skill adapts a test of the skill's contract (skillstore.Store) beside
// the core one: the suite's stores come from a factory that returns a
// skillstore.Database, so the assertion always holds.
func skill(test func(*testing.T, skillstore.Database)) func(*testing.T, store.Store) {
	return func(t *testing.T, s store.Store) { test(t, s.(skillstore.Database)) }
}
