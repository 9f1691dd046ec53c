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
// every sealed value (client secrets, signing keys, Alexa tokens) opens
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
	// Parallel is how many records of one type are written at once;
	// 0 means 4. PostgreSQL commits them side by side; SQLite has one
	// writer and gains little.
	Parallel int
	// SourceBox holds the master key the export's values are sealed
	// with, when the target uses another one: Import opens each sealed
	// value with SourceBox and seals it again with the target's key. Nil
	// means the export was sealed with the target's key.
	SourceBox *seal.Box
}

// errKeySetExists: the target already has keys for a pool being imported.
var errKeySetExists = errors.New("the pool already has signing keys")

// Import writes the export in r into st, which must be empty
// (ErrNotEmpty otherwise). It first checks the whole input as Check does
// and writes nothing unless it is valid, then reads it again from the
// start and writes it. A store failure while writing stops the import
// and leaves the records before it in st; start again with a fresh
// database. An import needs r to be seekable: a stream (standard input)
// must be saved to a file first.
//
// Records keep their ids, timestamps, password hashes, lockout state and
// hashed refresh-token secrets, so users sign in with their passwords,
// refresh tokens held by clients keep working, and tokens signed before
// the move verify against the imported keys. Sealed values are written
// as they are, or sealed again with box when opts.SourceBox holds the
// export's master key. Key sets restart at version 1.
func Import(ctx context.Context, st skillstore.Database, box *seal.Box, r io.ReadSeeker, opts ImportOptions) (Counts, error) {
	if err := checkEmpty(ctx, st); err != nil {
		return Counts{}, err
	}
	from := box
	if opts.SourceBox != nil {
		from = opts.SourceBox
	}
	if _, err := Check(ctx, from, r); err != nil {
		return Counts{}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Counts{}, fmt.Errorf("transfer: rewind the input: %w", err)
	}
	lr := newLineReader(r)
	if err := readHeader(lr); err != nil {
		return Counts{}, err
	}
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	v := newValidator(from)
	if opts.SourceBox != nil {
		v.to = box
	}
	var written Counts
	// Records of one type are independent and written in parallel; a
	// change of type waits for the previous run, since later records
	// refer to earlier ones (members to users and groups).
	var g *errgroup.Group
	gctx := ctx
	run := ""
	wait := func() error {
		if g == nil {
			return nil
		}
		err := g.Wait()
		g = nil
		return err
	}
	for {
		raw, err := lr.next()
		if errors.Is(err, io.EOF) {
			if err := wait(); err != nil {
				return written, err
			}
			return written, v.finish(lr.line)
		}
		if err == nil {
			var rec record
			rec, err = v.check(lr.line, raw)
			if err == nil && rec.typ != typeEnd {
				if rec.typ != run || g == nil {
					if err = wait(); err == nil {
						g, gctx = errgroup.WithContext(ctx)
						g.SetLimit(parallel)
						run = rec.typ
					}
				}
				if err == nil {
					g.Go(func() error { return write(gctx, st, rec) })
					written.add(rec.typ)
				}
			}
		}
		if err != nil {
			if werr := wait(); werr != nil {
				return written, werr
			}
			return written, err
		}
	}
}

// write stores one record.
func write(ctx context.Context, st skillstore.Database, rec record) error {
	var err error
	switch v := rec.v.(type) {
	case pool.Pool:
		err = st.CreatePool(ctx, v)
	case pool.Domain:
		err = st.CreateDomain(ctx, v)
	case pool.Client:
		err = st.CreateClient(ctx, v)
	case store.KeySet:
		err = st.UpdateKeySet(ctx, v.PoolID, func(old store.KeySet) (store.KeySet, error) {
			if len(old.Keys) > 0 {
				return old, errKeySetExists
			}
			return v, nil
		})
	case pool.User:
		err = st.CreateUser(ctx, v)
	case pool.Group:
		err = st.CreateGroup(ctx, v)
	case memberRecord:
		err = st.AddUserToGroup(ctx, v.PoolID, v.Group, v.Sub)
	case store.RefreshToken:
		err = st.CreateRefreshToken(ctx, v)
	case skillstore.Lamp:
		err = st.CreateLamp(ctx, v)
	case skillstore.AlexaGrant:
		err = st.PutAlexaGrant(ctx, v)
	default:
		err = fmt.Errorf("unexpected record %T", v)
	}
	if err != nil {
		return fmt.Errorf("transfer: line %d: import %s: %w", rec.line, rec.typ, err)
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
