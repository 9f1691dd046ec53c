package transfer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/linkpool/linkpool/internal/locales"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/token"
)

// record is one decoded, checked record, ready to be written.
type record struct {
	line int64
	typ  string
	v    any // pool.Pool, pool.Domain, pool.Client, pool.IdentityProvider, store.KeySet, store.SAMLKey, pool.User, pool.Group, memberRecord, store.RefreshToken, pool.WebAuthnCredential, skillstore.Lamp, skillstore.AlexaGrant, store.AuditRecord
}

// validator decodes records and checks what can be checked without a
// store: each record's shape, that it follows the records it refers to,
// that sealed values open with the master key, and the end record's
// counts. It keeps the ids of pools, clients, identity providers (and
// their identifiers), key sets and groups, never of users, so memory does
// not grow with the user count: an identity that two users of a pool
// claim is refused by the store's index when the import writes it.
type validator struct {
	box *seal.Box // opens the export's sealed values
	// to, when set, seals them again for the target: a move to a new
	// master key.
	to          *seal.Box
	pools       map[string]bool
	clients     map[string]bool
	idps        map[string]bool // pool id + "\x00" + provider name
	identifiers map[string]bool // pool id + "\x00" + IdP identifier
	keySets     map[string]bool
	samlKeys    map[string]bool // pools whose SAML key was read
	groups      map[string]bool // pool id + "\x00" + group name
	counts      Counts
	ended       bool
}

func newValidator(box *seal.Box) *validator {
	return &validator{box: box, pools: map[string]bool{}, clients: map[string]bool{}, idps: map[string]bool{},
		identifiers: map[string]bool{}, keySets: map[string]bool{}, samlKeys: map[string]bool{}, groups: map[string]bool{}}
}

// check decodes and checks the record on line. The end record yields a
// record of type typeEnd.
func (v *validator) check(line int64, raw []byte) (record, error) {
	fail := func(format string, args ...any) (record, error) {
		return record{}, &FormatError{Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	if v.ended {
		return fail("data after the end record")
	}
	env, split := splitEnvelope(raw)
	if !split {
		if err := decodeStrict(line, "record", raw, &env); err != nil {
			return record{}, err
		}
	}
	rec, err := v.checkData(line, env)
	if err != nil && split {
		// A line split without decoding gets the decoder's verdict on
		// the whole line first, as any other line does.
		var full envelope
		if derr := decodeStrict(line, "record", raw, &full); derr != nil {
			return record{}, derr
		}
	}
	return rec, err
}

// checkData checks the record env of line.
func (v *validator) checkData(line int64, env envelope) (record, error) {
	fail := func(format string, args ...any) (record, error) {
		return record{}, &FormatError{Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fail("%s record without data", env.Type)
	}
	rec := record{line: line, typ: env.Type}
	needPool := func(id string) error {
		if !v.pools[id] {
			return &FormatError{Line: line, Reason: fmt.Sprintf("%s refers to pool %q, which does not precede it", env.Type, id)}
		}
		return nil
	}
	var err error
	switch env.Type {
	case typePool:
		var r poolRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if !pool.ValidPoolID(r.ID) {
			return fail("pool id %q is not a pool id", r.ID)
		}
		if v.pools[r.ID] {
			return fail("pool %s appears twice", r.ID)
		}
		v.pools[r.ID] = true
		p := pool.Pool(r)
		// The admin service's checks of every pool it writes.
		if verr := p.Validate(); verr != nil {
			return fail("pool %s: %v", p.ID, verr)
		}
		if verr := locales.CheckOverrides(p.Branding.Messages); verr != nil {
			return fail("pool %s: Branding.Messages: %v", p.ID, verr)
		}
		if len(p.TriggerSecret) > 0 {
			var oerr error
			if p.TriggerSecret, oerr = v.reseal(p.TriggerSecret, p.TriggerSecretAAD()); oerr != nil {
				return record{}, &SealError{Line: line, What: "the trigger secret of pool " + p.ID, Err: oerr}
			}
		}
		rec.v = p
	case typeDomain:
		var r domainRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if r.Domain == "" {
			return fail("domain without a name")
		}
		err = needPool(r.PoolID)
		rec.v = pool.Domain(r)
	case typeClient:
		r := clientRecord{IDTokenOnRefresh: true} // absent in older exports
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		if r.ID == "" || v.clients[r.ID] {
			return fail("client id %q is empty or appears twice", r.ID)
		}
		v.clients[r.ID] = true
		c := pool.Client(r)
		if c.HasSecret() {
			var oerr error
			if c.SealedSecret, oerr = v.reseal(c.SealedSecret, c.SecretAAD()); oerr != nil {
				return record{}, &SealError{Line: line, What: "the secret of client " + c.ID, Err: oerr}
			}
		}
		rec.v = c
	case typeIdp:
		var r identityProviderRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		p := pool.IdentityProvider(r)
		if verr := p.Validate(); verr != nil {
			return fail("identity provider %q: %v", r.ProviderName, verr)
		}
		k := r.PoolID + "\x00" + r.ProviderName
		if v.idps[k] {
			return fail("identity provider %q of pool %s appears twice", r.ProviderName, r.PoolID)
		}
		for _, id := range r.IdpIdentifiers {
			if v.identifiers[r.PoolID+"\x00"+id] {
				return fail("identity provider %q lists identifier %q, which another provider of pool %s has", r.ProviderName, id, r.PoolID)
			}
		}
		v.idps[k] = true
		for _, id := range r.IdpIdentifiers {
			v.identifiers[r.PoolID+"\x00"+id] = true
		}
		if len(p.SealedSecrets) > 0 {
			var oerr error
			if p.SealedSecrets, oerr = v.reseal(p.SealedSecrets, p.SecretsAAD()); oerr != nil {
				return record{}, &SealError{Line: line, What: "the secrets of identity provider " + p.ProviderName + " of pool " + p.PoolID, Err: oerr}
			}
		}
		rec.v = p
	case typeKeySet:
		var r keySetRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		if v.keySets[r.PoolID] {
			return fail("two key sets for pool %s", r.PoolID)
		}
		v.keySets[r.PoolID] = true
		ks := r.keySet()
		var kerr error
		if v.to != nil {
			ks, kerr = token.ResealKeySet(v.box, v.to, ks)
		} else {
			kerr = token.CheckKeySet(v.box, ks)
		}
		if kerr != nil {
			return record{}, &SealError{Line: line, What: "the signing keys of pool " + r.PoolID, Err: kerr}
		}
		rec.v = ks
	case typeSAMLKey:
		var r samlKeyRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		if v.samlKeys[r.PoolID] {
			return fail("two SAML keys for pool %s", r.PoolID)
		}
		v.samlKeys[r.PoolID] = true
		k, kerr := checkSAMLKey(v.box, v.to, r.samlKey())
		if kerr != nil {
			return record{}, &SealError{Line: line, What: "the SAML key of pool " + r.PoolID, Err: kerr}
		}
		rec.v = k
	case typeUser:
		var r userRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if r.Sub == "" || r.UsernameKey == "" {
			return fail("user without sub or username key")
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		if reason := checkIdentities(r.Identities); reason != "" {
			return fail("user %s: %s", r.Sub, reason)
		}
		u := pool.User(r)
		if len(u.SRPVerifier) > 0 {
			var oerr error
			if u.SRPVerifier, oerr = v.reseal(u.SRPVerifier, u.SRPVerifierAAD()); oerr != nil {
				return record{}, &SealError{Line: line, What: "the SRP verifier of user " + u.Sub, Err: oerr}
			}
		}
		if what, oerr := v.userMFA(&u); oerr != nil {
			return record{}, &SealError{Line: line, What: what + " of user " + u.Sub, Err: oerr}
		}
		rec.v = u
	case typeGroup:
		var r groupRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		k := r.PoolID + "\x00" + r.Name
		if r.Name == "" || v.groups[k] {
			return fail("group name %q is empty or appears twice", r.Name)
		}
		v.groups[k] = true
		rec.v = pool.Group(r)
	case typeMember:
		var r memberRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if !v.groups[r.PoolID+"\x00"+r.Group] {
			return fail("membership in group %q of pool %s, which does not precede it", r.Group, r.PoolID)
		}
		if r.Sub == "" {
			return fail("membership without a sub")
		}
		rec.v = r
	case typeRefreshToken:
		var r refreshTokenRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if r.ID == "" {
			return fail("refresh token without an id")
		}
		if r.GraceDepth < 0 {
			return fail("refresh token with a negative grace_depth")
		}
		// The client may have been deleted since; the grant is kept
		// as the source kept it.
		err = needPool(r.PoolID)
		rec.v = store.RefreshToken(r)
	case typeWebAuthnCredential:
		var r webAuthnCredentialRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if err = needPool(r.PoolID); err != nil {
			break
		}
		c := pool.WebAuthnCredential(r)
		if reason := checkWebAuthnCredential(c); reason != "" {
			return fail("%s", reason)
		}
		rec.v = c
	case typeLamp:
		var r lampRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if r.Owner == "" || r.ID == "" {
			return fail("lamp without owner or id")
		}
		rec.v = skillstore.Lamp(r)
	case typeAlexaGrant:
		var r alexaGrantRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if r.Owner == "" {
			return fail("Alexa grant without an owner")
		}
		if len(r.SealedTokens) > 0 {
			// Bound to the owner; earlier versions sealed every user's
			// tokens under one context, and those are sealed again
			// bound to the owner here.
			aad := skillstore.LWATokenContext(r.Owner)
			plain, oerr := v.box.Open(r.SealedTokens, aad)
			legacy := false
			if oerr != nil {
				plain, oerr = v.box.Open(r.SealedTokens, []byte(skillstore.LWATokenSealContext))
				legacy = true
			}
			if oerr != nil {
				return record{}, &SealError{Line: line, What: "the Login with Amazon tokens of " + r.Owner, Err: oerr}
			}
			switch {
			case v.to != nil:
				r.SealedTokens = v.to.Seal(plain, aad)
			case legacy:
				r.SealedTokens = v.box.Seal(plain, aad)
			}
			clear(plain)
		}
		rec.v = r.grant()
	case typeAuditRecord:
		var r auditRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		a := store.AuditRecord(r)
		if reason := checkAuditRecord(a); reason != "" {
			return fail("%s", reason)
		}
		rec.v = a
	case typeEnd:
		var r endRecord
		if err = decodeStrict(line, env.Type, env.Data, &r); err != nil {
			break
		}
		if r.Counts != v.counts {
			return fail("the end record counts %s, but the file holds %s", r.Counts, v.counts)
		}
		v.ended = true
		return rec, nil
	default:
		b, _ := json.Marshal(env.Type)
		return fail("unknown record type %s", b)
	}
	if err != nil {
		return record{}, err
	}
	v.counts.add(env.Type)
	return rec, nil
}

// checkIdentities returns why a user's linked identities cannot be
// stored, or "": each names its provider and subject, once.
func checkIdentities(ids []pool.Identity) string {
	for i, id := range ids {
		if id.ProviderName == "" || id.UserID == "" {
			return fmt.Sprintf("identity %d without providerName or userId", i)
		}
		if err := pool.ValidateSubject(id.UserID); err != nil {
			return fmt.Sprintf("identity %d: %v (userId)", i, err)
		}
		for _, prev := range ids[:i] {
			if prev.ProviderName == id.ProviderName && prev.UserID == id.UserID {
				return fmt.Sprintf("identity %d links provider %q and subject twice", i, id.ProviderName)
			}
		}
	}
	return ""
}

// splitEnvelope splits a line written as Export writes it,
// {"type":"T","data":D} with T a plain type name, into T and D without
// decoding it: D is decoded strictly as the record of type T next, which
// halves the decoding work of an import. It reports false for any other
// line, which goes through the decoder.
func splitEnvelope(raw []byte) (envelope, bool) {
	const typeKey, dataKey = `{"type":"`, `","data":`
	rest, ok := bytes.CutPrefix(raw, []byte(typeKey))
	if !ok || len(rest) == 0 || rest[len(rest)-1] != '}' {
		return envelope{}, false
	}
	n := 0
	for n < len(rest) && (rest[n] >= 'a' && rest[n] <= 'z' || rest[n] == '_') {
		n++
	}
	data, ok := bytes.CutPrefix(rest[n:], []byte(dataKey))
	if n == 0 || !ok {
		return envelope{}, false
	}
	return envelope{Type: string(rest[:n]), Data: data[:len(data)-1]}, true
}

// finish reports a file that ended before its end record.
func (v *validator) finish(lines int64) error {
	if !v.ended {
		return &FormatError{Line: lines, Reason: "the export ends without its end record: the file is truncated"}
	}
	return nil
}

// reseal opens sealed, a value the export's master key sealed with aad,
// and returns it sealed again with v.to when the import moves to a new
// master key, or as it was.
func (v *validator) reseal(sealed, aad []byte) ([]byte, error) {
	plain, err := v.box.Open(sealed, aad)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	if v.to == nil {
		return sealed, nil
	}
	return v.to.Seal(plain, aad), nil
}
