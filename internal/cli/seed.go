package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/transfer"
)

// seedPassword is the default password of generated users: it meets the
// default password policy.
const seedPassword = "Seed-Passw0rd!"

// runSeed is `linkpool seed`: an export of a generated test deployment
// (transfer.Seed) for `linkpool import`, and the users and refresh tokens
// a load generator needs.
func runSeed(ctx context.Context, e *env, args []string) error {
	var (
		sf             storageFlags
		opts           transfer.SeedOptions
		out, usersFile string
	)
	fs := newFlagSet("seed", e.stderr)
	fs.StringVar(&sf.masterKeyFile, "master-key-file", "", "master key file of the deployment that will import the export (required, or --master-key); 'linkpool keys master-key --out FILE' makes one")
	fs.StringVar(&sf.masterKey, "master-key", "", "the master key itself, base64 (prefer --master-key-file)")
	fs.IntVar(&opts.Users, "users", 1000, "users to generate")
	fs.IntVar(&opts.Links, "links", -1, "users, the first ones, with a live refresh token of the client (default: every user)")
	fs.StringVar(&opts.Password, "password", seedPassword, "every user's password")
	fs.StringVar(&opts.Algorithm, "signing-alg", pool.AlgRS256, "the pool's signing algorithm: RS256 or ES256")
	fs.StringVar(&opts.RedirectURI, "redirect-uri", "https://layla.amazon.com/api/skill/link/M2SEEDVENDOR", "the client's callback URL")
	fs.StringVar(&out, "out", "-", "file to write the export to; - is standard output")
	fs.StringVar(&usersFile, "users-out", "", "file to write the pool, client and every user's username and refresh token to, as JSON Lines, for a load generator (required)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, `usage: linkpool seed --master-key-file FILE --users-out FILE [flags]

TEST DATA ONLY. Generates a pool with one app client and --users users, of which --links have a live
refresh token, as an export for 'linkpool import' (with the same master key). Every user has the SAME
password and password hash, computed once, and the same SRP verifier (valid for the first user only),
so that a million users take seconds, not days: never seed a deployment real users will use.
The refresh tokens exist only in --users-out; treat that file as a secret.

`)
		fs.PrintDefaults()
	}
	if err := parse(fs, args, e.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	if sf.masterKeyFile == "" && sf.masterKey == "" {
		return usagef("--master-key-file is required: the export's secrets are sealed with the key of the deployment that imports it")
	}
	if usersFile == "" {
		return usagef("--users-out is required: the refresh tokens are written nowhere else")
	}
	if opts.Links < 0 {
		opts.Links = opts.Users
	}
	if opts.Users < 0 || opts.Links > opts.Users {
		return usagef("--users must be at least 0 and --links at most --users")
	}
	if opts.Algorithm != pool.AlgRS256 && opts.Algorithm != pool.AlgES256 {
		return usagef("--signing-alg must be RS256 or ES256")
	}
	box, err := sf.loadBox()
	if err != nil {
		return fmt.Errorf("--master-key-file: %w", err)
	}
	if opts.PasswordHash, err = password.NewHasher(password.DefaultParams, 1).Hash(ctx, opts.Password); err != nil {
		return fmt.Errorf("--password: %w", err)
	}

	seed, err := transfer.NewSeed(box, opts)
	if err != nil {
		return err
	}
	uf, err := os.OpenFile(usersFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--users-out: %w", err)
	}
	defer uf.Close()
	// O_CREATE's mode applies to a new file only.
	if err := uf.Chmod(0o600); err != nil {
		return fmt.Errorf("--users-out: %w", err)
	}
	ub := bufio.NewWriterSize(uf, 256<<10)
	uenc := json.NewEncoder(ub)
	if err := uenc.Encode(seed.Seeded); err != nil {
		return fmt.Errorf("--users-out: %w", err)
	}
	gen := func(w io.Writer) (transfer.Counts, error) {
		return seed.Write(ctx, w, func(u transfer.SeedUser) error { return uenc.Encode(u) })
	}
	var counts transfer.Counts
	if out == "-" {
		counts, err = gen(e.stdout)
	} else {
		counts, err = exportToFile(ctx, out, gen)
	}
	if err != nil {
		return err
	}
	if err := ub.Flush(); err != nil {
		return fmt.Errorf("--users-out: %w", err)
	}
	if err := uf.Close(); err != nil {
		return fmt.Errorf("--users-out: %w", err)
	}
	fmt.Fprintf(e.stderr, "seeded %s; pool %s, client %s; users and refresh tokens in %s\n",
		counts, seed.PoolID, seed.ClientID, usersFile)
	return nil
}
