// Package account implements the user-account flows of a pool, without
// HTTP: self sign-up and its confirmation code, sign-in with lockout,
// forgotten-password reset, the new-password challenge of users created
// by an administrator (on the hosted page: CompleteNewPassword; in the
// Cognito API, whose session proved the temporary password:
// RespondNewPassword), SRP sign-in, and the administrative operations of
// the CLI. The
// hosted pages (internal/hostedui), the command line and the Cognito JSON
// API all call the same Service, so every surface applies the same rules.
//
// ListUsers owns the Cognito ListUsers Filter for every surface:
// ParseUserFilter reads its grammar (filter.go) and ListUsers reads the
// matching users page by page from an index of the store (list.go,
// store.UserFilter), so its cost follows the page, not the pool.
//
// Linked identities (federation_link.go): AdminLinkProviderForUser links
// a provider identity (provider name and its subject, Cognito_Subject) to
// an existing user, pool.User.Identities, which the store keeps unique;
// a source that has signed in already (it has a user of its own) is not
// merged, as in Cognito, and a user holds at most MaxLinkedIdentities.
// AdminDisableProviderForUser unlinks a linked identity, and disables and
// signs out a user the provider created.
//
// Federated sign-in (federated.go): SignInFederated is the user side of
// internal/federation's round trip. The user linked to the provider's
// subject is refused when disabled, else has its mapped attributes
// refreshed (a linked local user keeps its email address and its
// verification); a first sign-in creates "<ProviderName>_<subject>",
// status EXTERNAL_PROVIDER, without password, email_verified "false"
// unless the provider maps it, in the group "<poolId>_<ProviderName>".
// Attributes are checked one by one and a bad one is dropped, never
// failing the sign-in; a failed creation leaves no user, and concurrent
// first sign-ins end on one user. Such a user has no password: password
// and SRP sign-in answer "Incorrect username or password.",
// ForgotPassword and AdminResetUserPassword "User password cannot be
// reset in the current state.", AdminSetUserPassword an
// InvalidParameterException.
//
// Multi-factor sign-in (mfa.go, mfa_totp.go, mfa_email.go,
// mfa_prefs.go): NextStep decides what a sign-in does after its first
// factor. Authenticator apps (AssociateSoftwareToken,
// VerifySoftwareToken, VerifyTOTP) keep an RFC 6238 key sealed with
// Config.Box, bound to the pool and user, and record the time step of
// the last accepted code so that each code works once; codes by email
// (SendEmailOTP, VerifyEmailOTP) are eight digits, valid EmailOTPTTL,
// stored like the other one-time codes in a slot of their own
// (UserMFA.EmailCode) with their own daily caps. Wrong codes of either
// factor count in the password lockout; every check runs inside the
// store's transaction, so two instances given one code accept it once.
// SetMFAPreference and ResetMFA manage the user's factors.
//
// Invitations (invite.go): AdminCreateUser mails a user with an email
// address the username and the temporary password, in the pool's
// InviteMessageTemplate, the custom message trigger's
// (CustomMessage_AdminCreateUser) or the localized wording, unless
// MessageSuppress; MessageResend mails an existing user a new temporary
// password. The mail is rendered, and the trigger run, before anything
// is stored, so a failed trigger changes nothing.
//
// Triggers (trigger*.go): with Config.Triggers, the flows invoke the
// pool's pre sign-up, post confirmation, pre and post authentication,
// custom message and user migration triggers at Cognito's moments, with
// the request's client and metadata that the adapter put in the context
// (WithCaller). A trigger's failure is an *Error with Cognito's exception
// (UserLambdaValidationException, UnexpectedLambdaException,
// InvalidLambdaResponseException); pre sign-up runs before anything is
// stored, post confirmation after the confirmation is (which stays, as in
// Cognito), and a user migration failure answers as an unknown user.
//
// Operations follow the Cognito API of the same name (SignUp,
// ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
// ConfirmForgotPassword, AdminCreateUser, AdminSetUserPassword, ...),
// including the self-service of a signed-in user, whom the caller has
// authorized by an access token (UpdateUserAttributes,
// DeleteUserAttributes, GetUserAttributeVerificationCode,
// VerifyUserAttribute, ChangePassword, DeleteUser). Every flow that sets
// a password derives what is stored from it in one place
// (preparePassword and newPassword.set, password.go).
// Failures are *Error values whose Type is the Cognito exception name and
// whose Message is Cognito's wording, so a Cognito-compatible API renders
// them unchanged. Any other error is a storage or hashing failure: callers
// must answer it as an internal error and never as a verdict on the
// user's credentials.
//
// Security decisions, several stricter than Cognito:
//
//   - Passwords are argon2id hashes (internal/password). Sign-in for an
//     unknown user spends the same hashing work (Hasher.VerifyDummy), so
//     timing does not reveal which users exist.
//   - Every password also has an SRP verifier (internal/srp) for
//     Cognito's USER_SRP_AUTH, derived by one helper (preparePassword)
//     wherever a password is set, and on the first successful password
//     sign-in of a user who has none (created before verifiers were kept,
//     or imported). A verifier is one SHA-256 from the password, so it is
//     stored sealed with the master key (Config.Box), bound to the user,
//     next to its salt. StartSRP and AuthenticateSRP serve the two steps;
//     a user without a verifier is refused with a NotAuthorizedException
//     that says to sign in once with the password, or, concealed, gets
//     the challenge of an unknown user.
//   - Passwords and SRP proofs go through one sign-in path (signIn,
//     verify with a credential), so lockout, account states and the
//     unknown-user work are the same for both.
//   - Failed sign-ins are counted on the user record in the store, so a
//     lockout (pool.LockoutPolicy) holds across every server instance.
//     The password is checked before the account state is revealed:
//     "User is disabled.", "User is not confirmed." and the new-password
//     challenge are only reported to someone who knows the password.
//     Each instance also counts its failed sign-ins by reason
//     (unknown_user, wrong_password, wrong_code, locked_out) in
//     linkpool_sign_in_failures_total and the lockouts it caused in
//     linkpool_lockouts_total (metrics.go, Config.Metrics).
//   - One-time codes are six digits from crypto/rand, stored only as an
//     HMAC-SHA256 keyed from the master key and bound to the user and the
//     purpose, compared in constant time, valid for SignUpCodeTTL or
//     ResetCodeTTL, and void after MaxCodeAttempts wrong guesses. A new
//     code can be mailed to a user at most once per CodeInterval.
//   - Per user and per 24 hours, at most MaxCodesPerDay codes are mailed
//     and at most MaxCodeMissesPerDay wrong codes are checked, whatever
//     the purpose; past either cap the answer is LimitExceededException
//     and even the right code is refused. The counts live on the user
//     record in the store, so the caps hold across instances.
//   - ConfirmForgotPassword hashes the new password (and derives its
//     verifier) whether or not the user exists, so that an unknown user
//     costs the same work as a known one. ForgotPassword and ResendConfirmationCode run, for an unknown
//     user, the write transaction and mail rendering that issuing a code
//     costs, and the server's mailer (mail.Outbox) only stores the mail
//     for delivery, so the answer does not wait for the mail relay.
//   - Self sign-up may not set email_verified or phone_number_verified,
//     nor may UpdateUserAttributes unless the app client's
//     WriteAttributes lists them. A code that verifies an email address
//     (GetUserAttributeVerificationCode, or UpdateUserAttributes with a
//     new address) is bound to that address: it does not verify another
//     address that replaced it.
//   - ChangePassword checks the previous password with the sign-in's
//     lockout (a locked-out user gets Cognito's LimitExceededException)
//     and, as Cognito, signs no session out.
//   - An unconfirmed sign-up whose code has expired no longer blocks its
//     username or address: a new sign-up replaces it. Cognito keeps such
//     accounts forever, so anyone can squat an address by signing up with
//     it and never confirming.
//   - Conceal (and SignUpInput.ConcealExisting) hide whether an account
//     exists, for the hosted pages and for app clients with
//     PreventUserExistenceErrors ENABLED. A concealed sign-up stores
//     nothing; the browser that made it holds a SignUpTicket, with which
//     AuthenticateSignedUp answers a sign-in with the signed-up name and
//     password as for a fresh, unconfirmed user without touching the
//     owner's account (no failed sign-in is counted, the owner's password
//     is not checked). A sign-in without the ticket is an ordinary one:
//     it fails for a taken name, which therefore stays discoverable, as
//     it is through Cognito's SignUp.
package account
