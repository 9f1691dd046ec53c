package soak

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"

	_ "modernc.org/sqlite" // the driver the SQLite store uses
)

// outage makes the database unavailable to the instances and brings it
// back.
type outage interface {
	cut(ctx context.Context) error
	restore() error
	close()
}

// tcpProxy sits between the instances and PostgreSQL. Cut closes every
// connection and refuses new ones until restore, as a network partition
// or a database failover does.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

// newTCPProxy proxies to the host of the PostgreSQL URL dbURL and returns
// the URL that goes through the proxy.
func newTCPProxy(dbURL string) (*tcpProxy, string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, "", fmt.Errorf("soak: database URL: %w", err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	u.Host = ln.Addr().String()
	return p, u.String(), nil
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *tcpProxy) pipe(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns[c] = true
	p.mu.Unlock()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		p.drop(c)
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		s.Close()
		p.drop(c)
		return
	}
	p.conns[s] = true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(s, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, s); done <- struct{}{} }()
	<-done
	p.drop(c)
	p.drop(s)
}

func (p *tcpProxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *tcpProxy) cut(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
	return nil
}

func (p *tcpProxy) restore() error {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
	return nil
}

func (p *tcpProxy) close() {
	_ = p.cut(context.Background())
	p.ln.Close()
}

// sqliteLock is an outage of a SQLite database: another connection holds
// its write lock (BEGIN IMMEDIATE), so every write waits and fails, as
// when a backup or a stuck process holds the file. Reads go on (WAL).
type sqliteLock struct {
	path string
	db   *sql.DB
	tx   *sql.Conn
}

func (l *sqliteLock) cut(ctx context.Context) error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", OmitHost: true, Path: l.path, RawQuery: q.Encode()}).String())
	if err != nil {
		return err
	}
	c, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return err
	}
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		c.Close()
		db.Close()
		return fmt.Errorf("soak: lock the SQLite database: %w", err)
	}
	l.db, l.tx = db, c
	return nil
}

func (l *sqliteLock) restore() error {
	if l.tx == nil {
		return errors.New("soak: the SQLite database is not locked")
	}
	_, err := l.tx.ExecContext(context.Background(), "ROLLBACK")
	l.tx.Close()
	l.db.Close()
	l.tx, l.db = nil, nil
	return err
}

func (l *sqliteLock) close() {
	if l.tx != nil {
		_ = l.restore()
	}
}
