package transfer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// exporter writes records to one stream and counts them.
type exporter struct {
	st     skillstore.Database
	w      *bufio.Writer
	enc    *json.Encoder
	counts Counts
}

// Export writes the whole deployment in st to w: every pool with its
// domains, app clients, identity providers, signing keys, users, groups and memberships, then
// every refresh-token grant, passkey, lamp and Alexa grant, and an end
// record with the counts. It streams, holding one page of records at a time.
//
// Authorization codes (valid for minutes) and hosted-UI sessions (an
// hour) are not exported: a user in the middle of signing in starts
// again. Export reads while others may write; for a consistent copy, stop
// every server using st first.
func Export(ctx context.Context, st skillstore.Database, w io.Writer) (Counts, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := &exporter{st: st, w: bw, enc: json.NewEncoder(bw)}
	e.enc.SetEscapeHTML(false)
	if err := e.enc.Encode(header{Format: FormatName, Version: Version, ExportedAt: time.Now().UTC()}); err != nil {
		return e.counts, fmt.Errorf("transfer: write: %w", err)
	}
	err := eachPage(ctx, func(o store.ListOptions) (store.Page[pool.Pool], error) { return st.ListPools(ctx, o) },
		func(p pool.Pool) error { return e.pool(ctx, p) })
	if err == nil {
		err = eachPage(ctx, func(o store.ListOptions) (store.Page[store.RefreshToken], error) {
			return st.ListAllRefreshTokens(ctx, o)
		},
			func(t store.RefreshToken) error { return e.write(typeRefreshToken, refreshTokenRecord(t)) })
	}
	if err == nil {
		err = eachPage(ctx, func(o store.ListOptions) (store.Page[pool.WebAuthnCredential], error) {
			return st.ListAllWebAuthnCredentials(ctx, o)
		},
			func(c pool.WebAuthnCredential) error {
				return e.write(typeWebAuthnCredential, webAuthnCredentialRecord(c))
			})
	}
	if err == nil {
		err = eachPage(ctx, func(o store.ListOptions) (store.Page[skillstore.Lamp], error) { return st.ListAllLamps(ctx, o) },
			func(l skillstore.Lamp) error { return e.write(typeLamp, lampRecord(l)) })
	}
	if err == nil {
		err = eachPage(ctx, func(o store.ListOptions) (store.Page[skillstore.AlexaGrant], error) {
			return st.ListAlexaGrants(ctx, o)
		},
			func(g skillstore.AlexaGrant) error { return e.write(typeAlexaGrant, alexaGrantToRecord(g)) })
	}
	if err == nil {
		err = eachPage(ctx, func(o store.ListOptions) (store.Page[store.AuditRecord], error) {
			return st.ListAudit(ctx, store.AuditFilter{}, o)
		},
			func(r store.AuditRecord) error { return e.write(typeAuditRecord, auditRecord(r)) })
	}
	if err == nil {
		err = e.write(typeEnd, endRecord{Counts: e.counts})
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return e.counts, fmt.Errorf("transfer: export: %w", err)
	}
	return e.counts, nil
}

// pool writes a pool and everything that belongs to it, in the order an
// import needs: the pool before its parts, users and groups before
// memberships.
func (e *exporter) pool(ctx context.Context, p pool.Pool) error {
	if err := e.write(typePool, poolRecord(p)); err != nil {
		return err
	}
	domains, err := e.st.ListDomains(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("domains of pool %s: %w", p.ID, err)
	}
	for _, d := range domains {
		if err := e.write(typeDomain, domainRecord(d)); err != nil {
			return err
		}
	}
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[pool.Client], error) { return e.st.ListClients(ctx, p.ID, o) },
		func(c pool.Client) error { return e.write(typeClient, clientRecord(c)) })
	if err != nil {
		return fmt.Errorf("clients of pool %s: %w", p.ID, err)
	}
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[pool.IdentityProvider], error) {
		return e.st.ListIdentityProviders(ctx, p.ID, o)
	},
		func(x pool.IdentityProvider) error { return e.write(typeIdp, identityProviderRecord(x)) })
	if err != nil {
		return fmt.Errorf("identity providers of pool %s: %w", p.ID, err)
	}
	ks, err := e.st.GetKeySet(ctx, p.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("signing keys of pool %s: %w", p.ID, err)
	default:
		if err := e.write(typeKeySet, keySetToRecord(ks)); err != nil {
			return err
		}
	}
	sk, err := e.st.GetSAMLKey(ctx, p.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("SAML key of pool %s: %w", p.ID, err)
	default:
		if err := e.write(typeSAMLKey, samlKeyToRecord(sk)); err != nil {
			return err
		}
	}
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[pool.User], error) { return e.st.ListUsers(ctx, p.ID, o) },
		func(u pool.User) error { return e.write(typeUser, userRecord(u)) })
	if err != nil {
		return fmt.Errorf("users of pool %s: %w", p.ID, err)
	}
	var groups []string
	err = eachPage(ctx, func(o store.ListOptions) (store.Page[pool.Group], error) { return e.st.ListGroups(ctx, p.ID, o) },
		func(g pool.Group) error {
			groups = append(groups, g.Name)
			return e.write(typeGroup, groupRecord(g))
		})
	if err != nil {
		return fmt.Errorf("groups of pool %s: %w", p.ID, err)
	}
	for _, g := range groups {
		err = eachPage(ctx, func(o store.ListOptions) (store.Page[pool.User], error) {
			return e.st.ListUsersInGroup(ctx, p.ID, g, o)
		},
			func(u pool.User) error { return e.write(typeMember, memberRecord{PoolID: p.ID, Group: g, Sub: u.Sub}) })
		if err != nil {
			return fmt.Errorf("members of group %s of pool %s: %w", g, p.ID, err)
		}
	}
	return nil
}

func (e *exporter) write(typ string, data any) error {
	if err := e.enc.Encode(outEnvelope{Type: typ, Data: data}); err != nil {
		return fmt.Errorf("write %s: %w", typ, err)
	}
	e.counts.add(typ)
	return nil
}

// eachPage calls fn for every item of a paginated listing, one page of
// store.MaxPageSize at a time.
func eachPage[T any](ctx context.Context, list func(store.ListOptions) (store.Page[T], error), fn func(T) error) error {
	opts := store.ListOptions{Limit: store.MaxPageSize}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := list(opts)
		if err != nil {
			return err
		}
		for _, v := range page.Items {
			if err := fn(v); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		opts.PageToken = page.Next
	}
}
