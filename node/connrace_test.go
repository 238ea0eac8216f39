package node

import (
	"context"
	"errors"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// TestConnectRace stresses the first use of a connection: a fresh pair of
// nodes, then at once a remote Monitor and Call (no explicit Connect, an
// explicit Connect, and both sides dialling each other simultaneously).
// None of them may fail with a spurious noconnection.
func TestConnectRace(t *testing.T) {
	iters := 25
	if testing.Short() {
		iters = 5
	}
	modes := []struct {
		name    string
		connect bool // explicit Connect first
		both    bool // both nodes start using the connection at once
	}{
		{"on demand", false, false},
		{"explicit connect", true, false},
		{"simultaneous", false, true},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			for i := range iters {
				t.Run(itoa(i), func(t *testing.T) {
					a, b := goPair(t)
					if _, err := b.Spawn(echoServer(), WithName("echo")); err != nil {
						t.Fatal(err)
					}
					if _, err := a.Spawn(echoServer(), WithName("echo")); err != nil {
						t.Fatal(err)
					}
					if mode.connect {
						if err := a.Connect(context.Background(), b.Name()); err != nil {
							t.Fatal(err)
						}
					}
					type side struct{ from, to *Node }
					sides := []side{{a, b}}
					if mode.both {
						sides = append(sides, side{b, a})
					}
					probes := make([]*probe, len(sides))
					errs := make([]chan error, len(sides))
					for i, s := range sides {
						probes[i] = spawnProbe(t, s.from)
					}
					for i, s := range sides {
						errc := make(chan error, 1)
						errs[i] = errc
						probes[i].async(func(p *Process) error {
							to := Name{"echo", s.to.Name()}
							ref, err := p.Monitor(to)
							if err != nil {
								errc <- err
								return nil
							}
							if _, err := p.Call(context.Background(), to, etf.Atom("hi")); err != nil {
								errc <- err
								return nil
							}
							p.Demonitor(ref)
							errc <- nil
							return nil
						})
					}
					for i, s := range sides {
						if err := <-errs[i]; err != nil {
							t.Fatalf("%s -> %s: %v", s.from.Name(), s.to.Name(), err)
						}
						// A DOWN noconnection would have been forwarded
						// before the marker.
						probes[i].sync()
					}
				})
			}
		})
	}
}

// TestMonitorUnreachableNode: Monitor of a process on a node that cannot
// be reached returns at once (the connection is set up in the background)
// and the failure arrives as DOWN noconnection; a Call fails with
// ErrNoConnection.
func TestMonitorUnreachableNode(t *testing.T) {
	a, _ := goPair(t)
	pr := spawnProbe(t, a)
	ghost := Name{"x", "ghost@127.0.0.1"}
	var ref etf.Ref
	pr.do(func(p *Process) error {
		var err error
		ref, err = p.Monitor(ghost)
		return err
	})
	d, ok := pr.recv().(DownMsg)
	if !ok || d.Ref != ref || d.Reason != NoConnection {
		t.Fatalf("got %#v", d)
	}
	pr.do(func(p *Process) error {
		if _, err := p.Call(context.Background(), ghost, etf.Atom("hi")); !errors.Is(err, ErrNoConnection) {
			t.Errorf("call: %v", err)
		}
		return nil
	})
	pr.sync()
}

// TestLinkUnreachableNode: Link to a process on a node that cannot be
// reached does not wait for the connection; the failure arrives as an
// exit signal noconnection.
func TestLinkUnreachableNode(t *testing.T) {
	a, _ := goPair(t)
	pr := spawnProbe(t, a, WithTrapExit())
	ghost := etf.PID{Node: "ghost@127.0.0.1", ID: 1, Creation: 1}
	pr.do(func(p *Process) error {
		if err := p.Link(ghost); err != nil {
			t.Errorf("Link: %v", err)
		}
		return nil
	})
	if m, ok := pr.recv().(ExitMsg); !ok || m.From != ghost || m.Reason != NoConnection {
		t.Fatalf("got %#v", m)
	}
	pr.sync()
}
