package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/transfer"
)

// runExport is `linkpool export`: the whole deployment as a stream (see
// internal/transfer for the format).
func runExport(ctx context.Context, e *env, args []string) error {
	var sf storageFlags
	var out string
	fs := newFlagSet("export", e.stderr)
	sf.register(fs)
	fs.StringVar(&out, "out", "-", "file to write the export to; - is standard output")
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	st, err := sf.openStore(ctx, warnLogger(e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	// Export opens no sealed value, but an export whose master key is lost
	// imports nowhere: say so now rather than when it is needed.
	if err := sf.checkBox(ctx, st); err != nil {
		return err
	}
	if out == "-" {
		counts, err := transfer.Export(ctx, st, e.stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "exported %s\n", counts)
		return nil
	}
	counts, err := exportToFile(ctx, out, func(w io.Writer) (transfer.Counts, error) { return transfer.Export(ctx, st, w) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %s to %s\n", counts, out)
	return nil
}

// exportToFile writes through a temporary file in the target's directory
// that is synced and renamed into place, so that path holds a complete
// export or nothing. The file is readable by its owner only: it holds
// password hashes and sealed secrets.
func exportToFile(ctx context.Context, path string, write func(io.Writer) (transfer.Counts, error)) (transfer.Counts, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return transfer.Counts{}, fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing to remove
	counts, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return counts, fmt.Errorf("--out %s: %w", path, err)
	}
	return counts, nil
}

// runImport is `linkpool import`: an export into an empty store, with the
// master key of the deployment that exported it.
func runImport(ctx context.Context, e *env, args []string) error {
	var sf storageFlags
	var in, sourceKey string
	var checkOnly bool
	var opts transfer.ImportOptions
	fs := newFlagSet("import", e.stderr)
	sf.register(fs)
	fs.StringVar(&in, "in", "-", "export file to read; - is standard input")
	fs.BoolVar(&checkOnly, "check", false, "only check the export (format, references, counts, that every sealed value opens with the key) and print its counts; no database is opened")
	fs.StringVar(&sourceKey, "source-master-key-file", "", "master key file of the exporting deployment, when this one uses a new key: every secret is sealed again with the new key")
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	// A new key could open none of the export's sealed secrets: the key
	// must exist, so it is loaded, never created.
	box, err := sf.loadBox()
	var missing *missingKeyError
	if errors.As(err, &missing) {
		return usagef("no master key at %s: an import needs the master key of the exporting deployment (its <data>/master.key or --master-key-file); pass it with --master-key-file", missing.path)
	}
	if err != nil {
		return err
	}
	if sourceKey != "" {
		opts.SourceBox, err = seal.Load(sourceKey)
		if errors.Is(err, os.ErrNotExist) {
			return usagef("--source-master-key-file: %v", err)
		}
		if err != nil {
			return fmt.Errorf("--source-master-key-file: %w", err)
		}
	}
	src := e.stdin
	if in != "-" {
		f, err := os.Open(in)
		if err != nil {
			return fmt.Errorf("--in: %w", err)
		}
		defer f.Close()
		src = f
	}
	if checkOnly {
		from := box
		if opts.SourceBox != nil {
			from = opts.SourceBox
		}
		counts, err := transfer.Check(ctx, from, src)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "valid export of %s\n", counts)
		return nil
	}
	st, err := sf.openStore(ctx, warnLogger(e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	counts, err := transfer.Import(ctx, st, box, src, opts)
	if errors.Is(err, transfer.ErrNotEmpty) {
		return fmt.Errorf("%w (import never merges; point --data or --database-url at a new database)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s\n", counts)
	return nil
}
