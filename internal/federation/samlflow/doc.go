// Package samlflow is the service provider of federated sign-in at SAML
// 2.0 identity providers, built on github.com/crewjam/saml. Begin builds
// the AuthnRequest (HTTP-Redirect binding); Finish validates the
// Response the identity provider posts back (HTTP-POST binding) and
// returns the signed-in user; Metadata renders the pool's SP metadata
// for the identity provider's administrator. The federation service
// keeps Pending bound to the browser and maps Result to a pool user.
//
// What Finish checks, at the time it is given (crewjam/saml's
// ServiceProvider.ParseXMLResponse and this package's own checks):
//   - the assertion carries its own valid XML signature by a key of the
//     identity provider's metadata; a signed Response around an unsigned
//     assertion is refused (crewjam/saml accepts it: see
//     TestCrewjamAcceptsUnsignedAssertion), and so is a Response with
//     more than one assertion; an encrypted assertion is decrypted with
//     the pool's key (Config.Key) and what it decrypts to must carry its
//     own valid signature just the same; a Response signature, when
//     present, must be valid too; SHA-1 signatures are refused;
//   - an assertion encrypted with a CBC cipher is decrypted only inside
//     a Response with a valid signature (crewjam/saml's
//     RequireSignedResponseForCBC: no decryption oracle); AES-GCM needs
//     none;
//   - EncryptedResponses=true: the assertion must be encrypted
//     (ErrUnencryptedAssertion). With it off an encrypted assertion is
//     still accepted when the pool's key is given, as identity providers
//     encrypt whenever the SP metadata lists a certificate;
//   - Issuer = the entity id of the metadata; audience = Config.EntityID;
//     Destination and the bearer confirmation's Recipient =
//     Config.ACSURL;
//   - IssueInstant within crewjam/saml's MaxIssueDelay (90 s), NotBefore
//     and NotOnOrAfter with its MaxClockSkew (180 s);
//   - InResponseTo = Pending.RequestID. An empty Pending.RequestID is an
//     IdP-initiated sign-in: accepted only with IDPInit=true, and then
//     only for a Response without InResponseTo;
//   - the NameID is 1 to pool.MaxSubjectLen (128) bytes without control
//     characters (pool.ValidateSubject), as Cognito's usernames are;
//   - a status other than Success ends the sign-in with upstream.Denied
//     and the status as Code, when it is a SAML 2.0 status URI
//     (urn:oasis:names:tc:SAML:2.0:status:<letters>), else "unknown":
//     crewjam/saml reports the status before it checks any signature, so
//     it may be anyone's text.
//
// Replays are the caller's to refuse. Finish accepts the same Response
// again for as long as it is valid; it returns the assertion's ID
// (Result.AssertionID) and the moment crewjam/saml would stop accepting
// it (Result.NotOnOrAfter). Before it signs anyone in, the caller
// records the ID with store.ConsumeAuthSession, qualified by pool and
// provider (for example "saml/<poolId>/<ProviderName>/<AssertionID>"),
// kept until NotOnOrAfter, and refuses the sign-in when that fails with
// store.ErrConflict (a replay; any other store error is a server error,
// not a refusal). RelayState is the caller's too: Finish does not read it.
//
// Errors are *upstream.Error: Denied (status not Success), Invalid (the
// checks above, malformed input, settings this package does not
// support), Unavailable (metadata unreachable, slow, too large or not
// SAML metadata). Descriptions never contain the Response; the wrapped
// error is crewjam/saml's classification sentinel (saml.ErrExpired,
// saml.ErrAudienceMismatch, ...) or ErrUnsignedAssertion /
// ErrUnencryptedAssertion /
// ErrUnsupported, never the library's error, which holds the Response.
//
// The pool's SAML key pair (Config.Key and Certificate, kept by
// internal/admin: SAMLCertificate) signs AuthnRequests when
// RequestSigningAlgorithm is rsa-sha256 (the HTTP-Redirect binding's
// SigAlg and Signature parameters, RSA-SHA256) and decrypts encrypted
// assertions; Metadata then lists its certificate for signing and for
// encryption, and AuthnRequestsSigned follows RequestSigningAlgorithm.
// Without the key pair, EncryptedResponses=true and
// RequestSigningAlgorithm are refused by Begin and Finish with
// ErrUnsupported, as is an encrypted assertion; any
// RequestSigningAlgorithm but rsa-sha256 is refused too. The
// HTTP-Artifact and HTTP-POST-SimpleSign bindings are not offered;
// IDPSignout is ignored.
//
// Metadata comes from MetadataFile (parsed on each use) or MetadataURL,
// fetched within upstream.CallTimeout and MaxMetadataSize and cached for
// MetadataTTL in at most MaxCachedMetadata entries; when a refresh fails
// the cached copy serves for up to MetadataMaxStale more, retried at
// most once per MetadataRetry; without a copy every sign-in tries again.
//
// Files:
//   - samlflow.go: the API (Config, Pending, Result, Client, New, Begin,
//     Finish, Metadata).
//   - begin.go: the AuthnRequest and the settings that need the key pair.
//   - finish.go: the Response: form decoding, the shape checks, the
//     signed-assertion rule, claims.
//   - idpmetadata.go: identity provider metadata, fetched and cached.
//   - sp.go: the crewjam/saml ServiceProvider of one sign-in.
//   - spmetadata.go: the pool's SP metadata (with the key pair's
//     certificate).
//   - errors.go: the typed errors and crewjam/saml's classes mapped to
//     descriptions.
package samlflow
