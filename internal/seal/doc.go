// Package seal protects secrets at rest: signing private keys, app client
// secrets and third-party tokens are sealed with a master key that lives
// outside the database, so a stolen database alone yields no usable secret.
//
// A Box seals with AES-256-GCM (NIST SP 800-38D) under a fresh random
// 96-bit nonce per value. The caller passes a context string that is bound
// to the ciphertext as additional authenticated data, for example
// "client-secret/"+clientID: a sealed value copied into another row fails
// to open there.
//
// Sealed format: one version byte (currently 1), the 12-byte nonce, then
// the GCM ciphertext and 16-byte tag. The version byte leaves room for a
// future master-key rotation in which several keys open old values.
package seal
