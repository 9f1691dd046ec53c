package confcache

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/store"
)

// DefaultPollInterval is the default Config.PollInterval.
const DefaultPollInterval = time.Second

// DefaultMaxStale is the default Config.MaxStale.
const DefaultMaxStale = 5 * time.Second

// Config configures a Cache.
type Config struct {
	Store store.Store
	Log   *slog.Logger
	// PollInterval is how often the configuration version is read; 0
	// means DefaultPollInterval. It bounds how long a change made by
	// another process takes to be seen here.
	PollInterval time.Duration
	// MaxStale is how long cached entries serve after the last successful
	// read of the version, while the database does not answer; 0 means
	// DefaultMaxStale.
	MaxStale time.Duration
}

// Cache is the configuration cache of one process. Its tables (Pools,
// Domains, Clients, and those made with NewTable) share one invalidation.
// It is safe for concurrent use.
type Cache struct {
	st       store.Store
	log      *slog.Logger
	interval time.Duration
	maxStale time.Duration

	// epoch changes whenever the database's version was seen to change;
	// an entry loaded in another epoch is not served.
	epoch atomic.Uint64
	// bypass is set while the version has not been read for MaxStale:
	// lookups then go to the store.
	bypass atomic.Bool
	// loaded is set by the first load of any table.
	loaded atomic.Bool
	// version is the configuration version last read, -1 before the
	// first read.
	version atomic.Int64

	// Pools, Domains and Clients are store.GetPool, GetDomain and
	// GetClient by id or name.
	Pools   *Table[pool.Pool]
	Domains *Table[pool.Domain]
	Clients *Table[pool.Client]

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// New returns a Cache over cfg.Store and starts its poller; Close stops
// it.
func New(cfg Config) *Cache {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.MaxStale <= 0 {
		cfg.MaxStale = DefaultMaxStale
	}
	c := &Cache{
		st: cfg.Store, log: cfg.Log, interval: cfg.PollInterval, maxStale: cfg.MaxStale,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	c.version.Store(-1)
	c.Pools = NewTable(c, c.st.GetPool)
	c.Domains = NewTable(c, c.st.GetDomain)
	c.Clients = NewTable(c, c.st.GetClient)
	p := &poller{seenAt: time.Now()}
	c.pollOnce(p) // before the first lookup, so that it needs no flush
	go c.poll(p)
	return c
}

// Close stops the poller. The tables keep working without it, seeing only
// this process's writes.
func (c *Cache) Close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

// stamp identifies what an entry was loaded against: the epoch and this
// process's configuration writes.
type stamp struct {
	epoch, writes uint64
}

func (c *Cache) stamp() stamp {
	return stamp{epoch: c.epoch.Load(), writes: c.st.ConfigWrites()}
}

// Version is the database's configuration version as this cache last read
// it, -1 before the first read: a change made elsewhere is served here
// once Version reaches the version the change wrote. It is exported as
// the metric linkpool_config_version, so an operator (or a test) can see
// every instance take a change up.
func (c *Cache) Version() int64 { return c.version.Load() }

// Flush drops every entry. The poller calls it when the version changes.
func (c *Cache) Flush() { c.epoch.Add(1) }

// poller is the state of the poll loop.
type poller struct {
	known  bool  // a version was read
	last   int64 // the version last read
	seenAt time.Time
	failed bool // the last read failed
}

// poll reads the configuration version every interval until Close.
func (c *Cache) poll(p *poller) {
	defer close(c.done)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.pollOnce(p)
	}
}

// pollOnce reads the version and flushes the tables when it changed.
func (c *Cache) pollOnce(p *poller) {
	ctx, cancel := context.WithTimeout(context.Background(), c.maxStale)
	v, err := c.st.ConfigVersion(ctx)
	cancel()
	if err != nil {
		if !p.failed {
			c.log.Warn("configuration version unreadable; cached configuration serves until it is stale", "error", err, "max_stale", c.maxStale)
			p.failed = true
		}
		if time.Since(p.seenAt) >= c.maxStale {
			c.bypass.Store(true)
		}
		return
	}
	// A change, or the first read or the end of an outage after lookups
	// were made without a known version, drops everything.
	if p.known && v != p.last || !p.known && c.loaded.Load() || c.bypass.Load() {
		c.Flush()
	}
	if p.failed {
		c.log.Info("configuration version readable again")
	}
	p.known, p.last, p.seenAt, p.failed = true, v, time.Now(), false
	c.bypass.Store(false)
	c.version.Store(v)
}
