package node

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
)

// rawPeer connects a bare dist.Manager (cfg, handler h) to node a, as a
// peer whose side the test controls, and waits until a has booked the
// connection (the dialling side returns first).
func rawPeer(t *testing.T, a *Node, cfg dist.Config, h dist.Handler) *dist.Manager {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	m, err := dist.NewManager(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	nc, err := net.Dial("tcp", a.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := m.ConnectConn(ctx, nc, a.Name()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the node books the connection", func() bool { return a.remote.liveConn(cfg.Name) != nil })
	return m
}

// waitUntil polls cond until it holds, failing the test after waitFor.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}

// controlsOf hands the control messages of type T that a raw peer
// receives to the test, in wire order (T dist.Control: all of them).
type controlsOf[T any] struct{ ch chan T }

func (controlsOf[T]) HandleConnUp(*dist.Conn)          {}
func (controlsOf[T]) HandleConnDown(*dist.Conn, error) {}
func (h controlsOf[T]) HandleMessage(_ *dist.Conn, m dist.Message) {
	if v, ok := m.Control.(T); ok {
		h.ch <- v
	}
}
