package discovery

import (
	"slices"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
	"strconv"
)

// loopCluster is a Go node on 127.0.0.1 and erl nodes on 127.0.0.2, .3,
// ... (each bound to its own address, as on separate hosts), all on one
// private EPMD, so their alive names differ.
type loopCluster struct {
	epmd   int
	cookie string
	id     string
	dir    string
}

func newLoopCluster(t testing.TB) *loopCluster {
	return &loopCluster{dir: peerDir(t), epmd: erltest.StartEPMD(t), cookie: "c" + uniq(), id: uniq()}
}

// peer starts erl node alive<id>@127.0.0.<host>.
func (c *loopCluster) peer(t testing.TB, alive string, host int, o peerOpts) *peer {
	addr := "127.0.0." + itoa(host)
	o.iface = addr
	return startPeer(t, c.dir, c.epmd, alive+c.id+"@"+addr, c.cookie, o)
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestStaticFormsCluster: a static list of two real erl nodes on two
// addresses; the loop connects both, reports nodeup for each, and each erl
// node sees the Go node in nodes().
func TestStaticFormsCluster(t *testing.T) {
	c := newLoopCluster(t)
	a := c.peer(t, "a", 2, peerOpts{})
	b := c.peer(t, "b", 3, peerOpts{})
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	ev := newEvents()
	r := startRunner(t, n, Static(a.name, b.name), ev)
	ev.wait(t, Event{Node: a.name, Up: true})
	ev.wait(t, Event{Node: b.name, Up: true})
	// The node sends nodeup a moment before Nodes() lists the connection.
	eventually(t, "Nodes() listing both", func() bool { return hasAll(n.Nodes(), a.name, b.name) })
	for _, p := range []*peer{a, b} {
		if got := p.nodes(); !slices.Contains(got, n.Name()) {
			t.Errorf("%s: nodes() = %v, want %s in it", p.name, got, n.Name())
		}
	}
	for _, s := range r.Status() {
		if !s.Connected || s.Attempts < 1 || s.LastError != nil {
			t.Errorf("status %+v: want connected after attempts, no error", s)
		}
	}
}
