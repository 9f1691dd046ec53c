package acmetest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Forwarder listens on a fixed loopback port and relays each connection
// to its current target, so that the CA, told one challenge port when it
// starts, reaches whichever server instance the test runs at the time.
type Forwarder struct {
	ln     net.Listener
	mu     sync.Mutex
	target string
}

// NewForwarder listens on a loopback port chosen by the OS until the test
// ends.
func NewForwarder(t testing.TB) *Forwarder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("forwarder: %v", err)
	}
	f := &Forwarder{ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go f.serve()
	return f
}

// Port is the port the forwarder listens on.
func (f *Forwarder) Port() int { return f.ln.Addr().(*net.TCPAddr).Port }

// SetTarget makes new connections go to addr (host:port).
func (f *Forwarder) SetTarget(addr string) {
	f.mu.Lock()
	f.target = addr
	f.mu.Unlock()
}

func (f *Forwarder) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		target := f.target
		f.mu.Unlock()
		go relay(c, target)
	}
}

func relay(c net.Conn, target string) {
	defer c.Close()
	if target == "" {
		return
	}
	u, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer u.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
	<-done
}
