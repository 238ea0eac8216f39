package node

import (
	"context"
	"slices"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// TestNodesListsPeerAtNodeUp: as in OTP, nodes() lists a peer by the time
// a monitor_nodes subscriber handles its nodeup, and no longer lists it
// when it handles the nodedown (discovery's loop relies on it). Checked
// inside the handler, over many connect/disconnect rounds, on both the
// dialling and the accepting side.
func TestNodesListsPeerAtNodeUp(t *testing.T) {
	a, b := goPair(t)
	type seen struct {
		up     bool
		listed bool
	}
	events := make(chan seen, 4)
	watch := func(n *Node, peer etf.Atom) {
		_, err := n.Spawn(BehaviorFunc(func(p *Process, msg etf.Term) error {
			switch msg.(type) {
			case NodeUpMsg:
				events <- seen{up: true, listed: slices.Contains(n.Nodes(), peer)}
			case NodeDownMsg:
				events <- seen{up: false, listed: slices.Contains(n.Nodes(), peer)}
			}
			return nil
		}), WithBeforeInit(func(p *Process) { p.MonitorNodes(true) }))
		if err != nil {
			t.Fatal(err)
		}
	}
	watch(a, b.Name())
	watch(b, a.Name())
	for round := 0; round < 30; round++ {
		if err := a.Connect(context.Background(), b.Name()); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if s := <-events; !s.up || !s.listed {
				t.Fatalf("round %d: nodeup handled while Nodes() did not list the peer (%+v)", round, s)
			}
		}
		if err := a.Disconnect(b.Name()); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if s := <-events; s.up || s.listed {
				t.Fatalf("round %d: nodedown handled while Nodes() still listed the peer (%+v)", round, s)
			}
		}
	}
}
