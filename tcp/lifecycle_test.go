package tcp

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// readEOF waits until the peer side c sees the connection end.
func readEOF(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitFor))
	if _, err := io.ReadAll(c); err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		t.Fatalf("peer: %v", err)
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// When the owner exits (any reason, normal included), its listener, the
// sockets it was handed, its dialled socket and every handler's socket
// close; the peers see the end.
func TestOwnerExitClosesSockets(t *testing.T) {
	for _, reason := range []etf.Term{node.Normal, etf.Atom("boom")} {
		t.Run(etf.Format(reason), func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, false)
			l := o.listen(t)
			peer, accepted := rawPeer(t, o, l)
			hl := o.listen(t, WithHandler(echoHandler(Active)))
			hpeer, err := net.Dial("tcp", hl.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer hpeer.Close()
			waitUntil(t, "handler socket", func() bool { return hl.Conns() == 1 })
			dialled := o.dial(t, hl.Addr().String())
			waitUntil(t, "second handler socket", func() bool { return hl.Conns() == 2 })
			if err := o.Exit(reason); err != nil {
				t.Fatal(err)
			}
			waitDone(t, l.Done(), "listener")
			waitDone(t, hl.Done(), "handler listener")
			waitDone(t, accepted.Done(), "accepted socket")
			waitDone(t, dialled.Done(), "dialled socket")
			readEOF(t, peer)
			readEOF(t, hpeer)
			waitUntil(t, "handler sockets closed", func() bool { return hl.Conns() == 0 })
			if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
				t.Fatal("the listener still accepts")
			}
		})
	}
}

// A socket's process that dies gives its trapping owner an exit signal
// (ExitMsg killed) and monitors a DOWN; the peer sees the end. A socket
// whose peer closed sends Closed, then exits normal.
func TestSocketExitSignalsOwner(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t)
	peer, s := rawPeer(t, o, l)
	var ref etf.Ref
	if err := o.Do(t, func(p *node.Process) (err error) { ref, err = p.Monitor(s.ID()); return err }); err != nil {
		t.Fatal(err)
	}
	if err := n.Exit(s.ID(), node.Kill); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for range 2 {
		switch m := o.Next(t).(type) {
		case node.ExitMsg:
			got["exit"] = m.From == s.ID() && m.Reason == etf.Atom("killed")
		case node.DownMsg:
			got["down"] = m.Ref == ref && m.Reason == etf.Atom("killed")
		default:
			t.Fatalf("unexpected %#v", m)
		}
	}
	if !got["exit"] || !got["down"] {
		t.Fatalf("signals %v", got)
	}
	readEOF(t, peer)

	peer2, s2 := rawPeer(t, o, l)
	peer2.Close()
	if c, ok := o.Next(t).(Closed); !ok || c.Socket != s2 {
		t.Fatalf("want Closed, got %#v", c)
	}
	if x, ok := o.Next(t).(node.ExitMsg); !ok || x.From != s2.ID() || x.Reason != node.Normal {
		t.Fatalf("want EXIT normal, got %#v", x)
	}
}

// Close unlinks before closing, as gen_tcp:close/1: the owner gets no
// EXIT and no Closed (a monitor still sees the process go), the peer sees
// everything sent before the close, then the end.
func TestCloseIsQuiet(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t)
	peer, s := rawPeer(t, o, l)
	if err := o.Do(t, func(p *node.Process) error {
		if _, err := p.Monitor(s.ID()); err != nil {
			return err
		}
		if err := s.Send(context.Background(), []byte("bye")); err != nil {
			return err
		}
		return s.Close()
	}); err != nil {
		t.Fatal(err)
	}
	if d, ok := o.Next(t).(node.DownMsg); !ok || d.Reason != node.Normal {
		t.Fatalf("want DOWN normal, got %#v", d)
	}
	o.None(t, 100*time.Millisecond) // no EXIT, no Closed
	_ = peer.SetReadDeadline(time.Now().Add(waitFor))
	if b, err := io.ReadAll(peer); err != nil || string(b) != "bye" {
		t.Fatalf("peer read %q %v", b, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := s.Send(context.Background(), []byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}

// ControllingProcess moves delivery and the link: the new controller gets
// the data, the old one's death no longer closes the socket, the new
// one's does.
func TestControllingProcess(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	l := o.listen(t)
	peer, s := rawPeer(t, o, l)
	o2 := startOwner(t, n, false)
	if err := o.Do(t, func(*node.Process) error { return s.ControllingProcess(o2.Proc) }); err != nil {
		t.Fatal(err)
	}
	if s.Controller() != o2.PID {
		t.Fatal("controller not changed")
	}
	if _, err := peer.Write([]byte("to the new one")); err != nil {
		t.Fatal(err)
	}
	if b := o2.nextData(t, s); string(b) != "to the new one" {
		t.Fatalf("got %q", b)
	}
	// The first owner exiting leaves the socket alone (its listener goes).
	if err := o.Exit(etf.Atom("bye")); err != nil {
		t.Fatal(err)
	}
	waitDone(t, l.Done(), "listener")
	// A dead process cannot take the socket over, and trying leaves it
	// open.
	gone := startOwner(t, n, false)
	if err := gone.Exit(node.Normal); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "dead process", func() bool { return !n.IsAlive(gone.PID) })
	if err := s.ControllingProcess(gone.Proc); !errors.Is(err, node.ErrNoProc) {
		t.Fatalf("controlling_process to a dead process: %v", err)
	}
	// Served after the failed link's {'EXIT', Pid, noproc}: the socket
	// is still there.
	if err := s.ControllingProcess(o2.Proc); err != nil {
		t.Fatalf("controlling_process after the failure: %v", err)
	}
	if err := o2.send(t, s, []byte("still open")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(peer, buf); err != nil || string(buf) != "still open" {
		t.Fatalf("peer %q %v", buf, err)
	}
	if err := o2.Exit(etf.Atom("bye")); err != nil {
		t.Fatal(err)
	}
	waitDone(t, s.Done(), "socket")
	readEOF(t, peer)
	dead := startOwner(t, n, false)
	if err := dead.Exit(node.Normal); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "dead process", func() bool { return !n.IsAlive(dead.PID) })
	if err := s.ControllingProcess(dead.Proc); !errors.Is(err, ErrClosed) {
		t.Fatalf("controlling_process on a closed socket: %v", err)
	}
}
