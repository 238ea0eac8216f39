package udp

import (
	"context"
	"testing"

	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; reaching it means a hang.
const waitFor = ownertest.Wait

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB) *node.Node {
	t.Helper()
	return ownertest.LocalNode(t, "udp")
}

// owner forwards every message to Msgs; it adds the socket helpers to
// ownertest.Owner.
type owner struct{ *ownertest.Owner }

// startOwner spawns an owner that traps exits.
func startOwner(t testing.TB, n *node.Node) *owner {
	t.Helper()
	return &owner{ownertest.Start(t, n, true)}
}

// open opens a socket on a free loopback port owned by o (called from
// the test's goroutine with o's process, as these tests always have).
func (o *owner) open(t testing.TB, opts ...Option) *Socket {
	t.Helper()
	s, err := Open(context.Background(), o.Proc, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// datagram returns the next message, which must be a Datagram.
func (o *owner) datagram(t testing.TB) Datagram {
	t.Helper()
	m := o.Next(t)
	d, ok := m.(Datagram)
	if !ok {
		t.Fatalf("want Datagram, got %#v", m)
	}
	return d
}
