package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store"
)

// Check reads a whole export and checks it without writing anything: the
// header and format version, every record's shape and references, that
// every sealed value (client secrets, identity provider secrets, signing
// keys, SRP verifiers, TOTP secrets, Alexa tokens) opens
// with box, and that the end record's counts match. It returns the
// counts of a valid export.
func Check(ctx context.Context, box *seal.Box, r io.Reader) (Counts, error) {
	lr := newLineReader(r)
	if err := readHeader(lr); err != nil {
		return Counts{}, err
	}
	v := newValidator(box)
	for {
		if err := ctx.Err(); err != nil {
			return v.counts, err
		}
		raw, err := lr.next()
		if errors.Is(err, io.EOF) {
			return v.counts, v.finish(lr.line)
		}
		if err != nil {
			return v.counts, err
		}
		if _, err := v.check(lr.line, raw); err != nil {
			return v.counts, err
		}
	}
}

// ImportOptions tune Import.
type ImportOptions struct {
	// SourceBox holds the master key the export's values are sealed
	// with, when the target uses another one: Import opens each sealed
	// value with SourceBox and seals it again with the target's key. Nil
	// means the export was sealed with the target's key.
	SourceBox *seal.Box
}

// Import writes the export in r into st, which must be empty
// (ErrNotEmpty otherwise), in one transaction (skillstore.Database.Load:
// prepared statements in SQLite, COPY in PostgreSQL). It checks every
// record as Check does while writing it, and commits only once the whole
// input has proved valid, end record and counts included: an invalid or
// truncated input, a sealed value that does not open, a store failure or
// a cancelled ctx leaves st as empty as it was. The input is read once,
// so it may be a stream.
//
// Records keep their ids, timestamps, password hashes, lockout state and
// hashed refresh-token secrets, so users sign in with their passwords,
// refresh tokens held by clients keep working, and tokens signed before
// the move verify against the imported keys. Sealed values are written
// as they are, or sealed again with box when opts.SourceBox holds the
// export's master key. Key sets restart at version 1.
func Import(ctx context.Context, st skillstore.Database, box *seal.Box, r io.Reader, opts ImportOptions) (Counts, error) {
	if err := checkEmpty(ctx, st); err != nil {
		return Counts{}, err
	}
	from := box
	if opts.SourceBox != nil {
		from = opts.SourceBox
	}
	lr := newLineReader(r)
	if err := readHeader(lr); err != nil {
		return Counts{}, err
	}
	v := newValidator(from)
	if opts.SourceBox != nil {
		v.to = box
	}
	var written Counts
	err := st.Load(ctx, func(l skillstore.Loader) error {
		// Reading and checking (decoding JSON, opening sealed values)
		// runs beside the writes, in batches.
		batches := make(chan []record, 4)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error {
			defer close(batches)
			batch := make([]record, 0, importBatch)
			send := func() error {
				select {
				case batches <- batch:
					batch = make([]record, 0, importBatch)
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			for {
				raw, err := lr.next()
				if errors.Is(err, io.EOF) {
					if err := v.finish(lr.line); err != nil {
						return err
					}
					return send()
				}
				if err != nil {
					return err
				}
				rec, err := v.check(lr.line, raw)
				if err != nil {
					return err
				}
				if rec.typ == typeEnd {
					continue
				}
				if batch = append(batch, rec); len(batch) == importBatch {
					if err := send(); err != nil {
						return err
					}
				}
			}
		})
		g.Go(func() error {
			for batch := range batches {
				if err := gctx.Err(); err != nil {
					return err
				}
				for _, rec := range batch {
					if err := write(l, rec); err != nil {
						return err
					}
					written.add(rec.typ)
				}
			}
			return nil
		})
		return g.Wait()
	})
	if err != nil {
		return Counts{}, err
	}
	return written, nil
}

// importBatch is how many checked records Import hands to the writer at
// once.
const importBatch = 512

// write adds one record to the load. The store may buffer rows, so an
// error can come from an earlier record of the same type.
func write(l skillstore.Loader, rec record) error {
	var err error
	switch v := rec.v.(type) {
	case pool.Pool:
		err = l.Pool(v)
	case pool.Domain:
		err = l.Domain(v)
	case pool.Client:
		err = l.Client(v)
	case pool.IdentityProvider:
		err = l.IdentityProvider(v)
	case store.KeySet:
		err = l.KeySet(v)
	case store.SAMLKey:
		err = l.SAMLKey(v)
	case pool.User:
		err = l.User(v)
	case pool.Group:
		err = l.Group(v)
	case memberRecord:
		err = l.Member(v.PoolID, v.Group, v.Sub)
	case store.RefreshToken:
		err = l.RefreshToken(v)
	case pool.WebAuthnCredential:
		err = l.WebAuthnCredential(v)
	case skillstore.Lamp:
		err = l.Lamp(v)
	case skillstore.AlexaGrant:
		err = l.AlexaGrant(v)
	case store.AuditRecord:
		err = l.AuditRecord(v)
	default:
		err = fmt.Errorf("unexpected record %T", v)
	}
	if err != nil {
		return fmt.Errorf("transfer: import %s (line %d or a %s before it): %w", rec.typ, rec.line, rec.typ, err)
	}
	return nil
}

// checkEmpty fails with ErrNotEmpty unless st is empty (see Empty).
func checkEmpty(ctx context.Context, st skillstore.Database) error {
	empty, err := Empty(ctx, st)
	if err != nil {
		return err
	}
	if !empty {
		return ErrNotEmpty
	}
	return nil
}

// Empty reports whether st holds no pool, lamp or Alexa grant; everything
// else lives inside a pool. Only an empty store takes an import, and only
// an empty store holds nothing sealed with a master key.
func Empty(ctx context.Context, st skillstore.Database) (bool, error) {
	one := store.ListOptions{Limit: 1}
	pools, err := st.ListPools(ctx, one)
	if err != nil {
		return false, fmt.Errorf("transfer: inspect the store: %w", err)
	}
	lamps, err := st.ListAllLamps(ctx, one)
	if err != nil {
		return false, fmt.Errorf("transfer: inspect the store: %w", err)
	}
	grants, err := st.ListAlexaGrants(ctx, one)
	if err != nil {
		return false, fmt.Errorf("transfer: inspect the store: %w", err)
	}
	return len(pools.Items)+len(lamps.Items)+len(grants.Items) == 0, nil
}
