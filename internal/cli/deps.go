package cli

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"

	"github.com/linkpool/linkpool/internal/smarthome/skillstore"
	"github.com/linkpool/linkpool/internal/store/postgres"
	"github.com/linkpool/linkpool/internal/store/sqlite"
)

// storageFlags selects the database and the master key; every command that
// touches data takes them.
type storageFlags struct {
	data          string
	database      string
	masterKeyFile string
	masterKey     string
}

func (f *storageFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "linkpool-data", "data directory: the SQLite database and the master key live here (created on first start; kept mode 0700, its files 0600)")
	fs.StringVar(&f.database, "database-url", "", "PostgreSQL URL (postgres://...); empty means SQLite in the data directory")
	fs.StringVar(&f.masterKeyFile, "master-key-file", "", "file holding the master key that seals secrets at rest (default <data>/master.key; with SQLite created only while the database holds no data)")
	fs.StringVar(&f.masterKey, "master-key", "", "the master key itself, base64 (prefer LINKPOOL_MASTER_KEY_FILE or --master-key-file)")
}

func (f *storageFlags) postgres() bool {
	return strings.HasPrefix(f.database, "postgres://") || strings.HasPrefix(f.database, "postgresql://")
}

// openStore opens the configured store and applies pending migrations.
// With SQLite it first makes the data directory private (see sqliteFile),
// warning on log about what it changed.
func (f *storageFlags) openStore(ctx context.Context, log *slog.Logger) (skillstore.Database, error) {
	if f.database != "" {
		if !f.postgres() {
			return nil, usagef("--database-url must be a postgres:// URL")
		}
		return postgres.Open(ctx, f.database)
	}
	path, err := f.sqliteFile(log)
	if err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, path)
}

// newLogger returns the process logger.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usagef("--log-format must be json or text")
}
