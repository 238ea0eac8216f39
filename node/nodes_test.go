package node

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

func TestNodeLists(t *testing.T) {
	port := freePort(t)
	id := itoa(int(nodeSeq.Add(1)))
	a := distNode(t, "a"+id+"@127.0.0.1", port, "c"+id)
	v := distNode(t, "v"+id+"@127.0.0.1", port, "c"+id)
	h := distNode(t, "h"+id+"@127.0.0.1", port, "c"+id, WithHidden())
	for _, peer := range []*Node{v, h} {
		if err := a.Connect(context.Background(), peer.Name()); err != nil {
			t.Fatal(err)
		}
	}
	sorted := func(l []etf.Atom) []etf.Atom { slices.Sort(l); return l }
	// Connect returns on a's side once the handshake completes; the
	// accepting sides book the connection a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for len(h.HiddenNodes()) == 0 || len(v.Nodes()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("accepting nodes never listed the connection")
		}
		time.Sleep(time.Millisecond)
	}
	all := sorted([]etf.Atom{v.Name(), h.Name()})
	tests := []struct {
		name string
		got  []etf.Atom
		want []etf.Atom
	}{
		{"Nodes (visible only)", a.Nodes(), []etf.Atom{v.Name()}},
		{"ConnectedNodes", a.ConnectedNodes(), all},
		{"HiddenNodes", a.HiddenNodes(), []etf.Atom{h.Name()}},
		{"hidden side sees a hidden peer", h.HiddenNodes(), []etf.Atom{a.Name()}},
		{"hidden side has no visible peer", h.Nodes(), nil},
		{"hidden side connected", h.ConnectedNodes(), []etf.Atom{a.Name()}},
	}
	for _, tt := range tests {
		if got := sorted(tt.got); !slices.Equal(got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
		}
	}
	local := localNode(t)
	if local.ConnectedNodes() != nil || local.HiddenNodes() != nil || local.Nodes() != nil {
		t.Error("node without distribution lists peers")
	}
}

func TestStopping(t *testing.T) {
	n := localNode(t)
	seen := make(chan bool, 1)
	if _, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		if em, ok := m.(ExitMsg); ok {
			seen <- n.Stopping()
			return &ExitError{Reason: em.Reason}
		}
		return nil
	}), WithTrapExit()); err != nil {
		t.Fatal(err)
	}
	if n.Stopping() {
		t.Fatal("Stopping before Stop")
	}
	if err := n.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !<-seen || !n.Stopping() {
		t.Fatal("Stopping false during or after Stop")
	}
}
