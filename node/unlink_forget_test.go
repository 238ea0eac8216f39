package node

import (
	"context"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// peerLinks is how many links the bookkeeping of the connection to node
// holds (what nodedown would have to break).
func (r *remote) peerLinks(node etf.Atom) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.peers[node]; p != nil {
		return len(p.links)
	}
	return 0
}

// TestUnlinkForgetsConnectionLink: after link + unlink of remote processes
// over a live connection (OTP 26's UNLINK_ID, then UNLINK_ID_ACK), neither
// node's connection bookkeeping may keep the link. Found by the soak: the
// unlinking side kept every acknowledged link in its peer table, so a
// process that links and unlinks grew the heap without bound (~200 B per
// unlink) for as long as the connection lived.
func TestUnlinkForgetsConnectionLink(t *testing.T) {
	a, b := goPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := a.Connect(ctx, b.Name()); err != nil {
		t.Fatal(err)
	}
	x := spawnProbe(t, a)
	const rounds = 50
	for range rounds {
		y := spawnProbe(t, b)
		x.do(func(p *Process) error { return p.Link(y.pid) })
		x.do(func(p *Process) error { p.Unlink(y.pid); return nil })
	}
	// The acknowledgements come back within a round trip: poll, bounded.
	deadline := time.Now().Add(waitFor)
	for a.remote.peerLinks(b.Name()) != 0 || b.remote.peerLinks(a.Name()) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after %d link+unlink rounds the connection still books %d links on the unlinking side, %d on the other",
				rounds, a.remote.peerLinks(b.Name()), b.remote.peerLinks(a.Name()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Relinking before the ack keeps the link booked: nodedown still
	// breaks it.
	y := spawnProbe(t, b)
	x.do(func(p *Process) error { p.TrapExit(true); return p.Link(y.pid) })
	x.do(func(p *Process) error { p.Unlink(y.pid); return p.Link(y.pid) })
	x.do(func(p *Process) error { return p.Send(y.pid, etf.Atom("ping")) })
	if m := y.recv(); m != etf.Atom("ping") {
		t.Fatalf("got %#v", m)
	}
	if err := a.Disconnect(b.Name()); err != nil {
		t.Fatal(err)
	}
	for {
		if em, ok := x.recv().(ExitMsg); ok && em.From == y.pid {
			if em.Reason != NoConnection {
				t.Fatalf("exit reason %v, want noconnection", em.Reason)
			}
			return
		}
	}
}

// TestUnlinkDuringConnectionSetup: Link to a process of a node not yet
// connected returns at once and sends LINK when the connection is up; an
// Unlink right after must reach the peer after that LINK. It used to be
// dropped locally (no connection yet), so the peer process ended up linked
// to a process that was not linked back.
func TestUnlinkDuringConnectionSetup(t *testing.T) {
	a, b := goPair(t)
	x := spawnProbe(t, a)
	y := spawnProbe(t, b)
	x.do(func(p *Process) error {
		if err := p.Link(y.pid); err != nil {
			return err
		}
		p.Unlink(y.pid)
		// Sends wait for the setup and follow its queued signals.
		return p.Send(y.pid, etf.Atom("after"))
	})
	if m := y.recv(); m != etf.Atom("after") {
		t.Fatalf("got %#v", m)
	}
	deadline := time.Now().Add(waitFor)
	for {
		y.p.mu.Lock()
		_, linked := y.p.links[x.pid]
		y.p.mu.Unlock()
		if !linked && a.remote.peerLinks(b.Name()) == 0 && b.remote.peerLinks(a.Name()) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after link+unlink during the connection setup: peer process linked %v, bookkeeping %d / %d",
				linked, a.remote.peerLinks(b.Name()), b.remote.peerLinks(a.Name()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
