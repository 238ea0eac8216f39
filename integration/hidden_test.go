package integration

import (
	"context"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// TestHiddenAndGoToGo checks a hidden Go node (in nodes(hidden) on the
// BEAM side, not in nodes()) and RPC between two Go nodes through rex.
func TestHiddenAndGoToGo(t *testing.T) {
	nm := namings(t)[0]
	visible := newCluster(t, nm)
	hidden := newClusterOn(t, visible, node.WithHidden())
	p := visible.startPeer(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	// The hidden node connects by calling into the peer.
	if _, err := interop.RPC(ctx, hidden.n, p.name, "erlang", "node", nil); err != nil {
		t.Fatal(err)
	}
	contains := func(v etf.Term, want etf.Atom) bool {
		l, _ := v.(etf.List)
		for _, x := range l {
			if x == want {
				return true
			}
		}
		return false
	}
	vis, err := interop.RPC(ctx, hidden.n, p.name, "erlang", "nodes", nil)
	if err != nil || contains(vis, hidden.n.Name()) {
		t.Errorf("nodes() on erl = %v (%v): must not list the hidden node", vis, err)
	}
	hid, err := interop.RPC(ctx, hidden.n, p.name, "erlang", "nodes", etf.List{etf.Atom("hidden")})
	if err != nil || !contains(hid, hidden.n.Name()) {
		t.Errorf("nodes(hidden) on erl = %v (%v): must list the hidden node", hid, err)
	}
	pong, err := interop.RPC(ctx, hidden.n, p.name, "net_adm", "ping", etf.List{hidden.n.Name()})
	if err != nil || pong != etf.Atom("pong") {
		t.Errorf("net_adm:ping of the hidden node from erl: %v %v", pong, err)
	}

	// Go to Go: the demo functions of one Go node called from the other.
	v, err := interop.RPC(ctx, hidden.n, visible.n.Name(), "demo", "add", etf.List{20, 22})
	if err != nil || v != 42 {
		t.Errorf("go->go demo:add: %v %v", v, err)
	}
	_, err = interop.RPC(ctx, visible.n, hidden.n.Name(), "demo", "fail", etf.List{etf.Atom("why")})
	if ex, ok := err.(*interop.Exception); !ok || ex.Class != interop.ClassError || ex.Reason != etf.Atom("why") {
		t.Errorf("go->go demo:fail: %v", err)
	}
}
