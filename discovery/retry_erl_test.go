package discovery

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// statusOf returns the loop's status of one candidate.
func statusOf(r *Runner, name etf.Atom) (NodeStatus, bool) {
	for _, s := range r.Status() {
		if s.Node == name {
			return s, true
		}
	}
	return NodeStatus{}, false
}

// TestRetryUntilUpAndRejoin: a listed node that is not up yet is retried
// with back-off and joined once it starts; when it dies the loop reports
// nodedown at once (the poll interval is an hour: only the first poll
// runs) and rejoins it when it comes back; the same after the BEAM node
// disconnects the Go node itself.
func TestRetryUntilUpAndRejoin(t *testing.T) {
	c := newLoopCluster(t)
	name := etf.Atom("a" + c.id + "@127.0.0.2")
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	ev := newEvents()
	r := startRunner(t, n, Static(name), ev, WithPollInterval(time.Hour))
	eventually(t, "two failed attempts", func() bool {
		s, _ := statusOf(r, name)
		return s.Failures >= 2 && s.LastError != nil
	})

	a := c.peer(t, "a", 2, peerOpts{})
	ev.wait(t, Event{Node: name, Up: true})
	if s, _ := statusOf(r, name); !s.Connected || s.Failures != 0 || s.LastError != nil {
		t.Fatalf("status after joining: %+v", s)
	}

	a.kill()
	ev.wait(t, Event{Node: name, Up: false})
	a = c.peer(t, "a", 2, peerOpts{})
	ev.waitCount(t, Event{Node: name, Up: true}, 2)
	// Not a nodeup line: the loop may connect between erl's boot (EPMD
	// registration) and the script's monitor_nodes(true).
	if got := a.nodes(); !slices.Contains(got, n.Name()) {
		t.Fatalf("the restarted erl node lists %v, not %s", got, n.Name())
	}

	if got := a.command("disconnect "+string(n.Name()), "disconnect"); got != "disconnect true" {
		t.Fatalf("disconnect_node: %s", got)
	}
	ev.waitCount(t, Event{Node: name, Up: false}, 2)
	ev.waitCount(t, Event{Node: name, Up: true}, 3)
	eventually(t, "Nodes() listing "+string(name), func() bool { return hasAll(n.Nodes(), name) })
}

// TestClusterStaysPastTickTime: with a 2 s net_ticktime on both sides,
// the cluster the loop formed stays formed while idle for three
// ticktimes: no nodedown, no new attempt.
func TestClusterStaysPastTickTime(t *testing.T) {
	c := newLoopCluster(t)
	a := c.peer(t, "a", 2, peerOpts{tick: 2})
	b := c.peer(t, "b", 3, peerOpts{tick: 2})
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd, nodeTick(2*time.Second))
	ev := newEvents()
	r := startRunner(t, n, Static(a.name, b.name), ev)
	ev.wait(t, Event{Node: a.name, Up: true})
	ev.wait(t, Event{Node: b.name, Up: true})
	before := r.Status()

	time.Sleep(6 * time.Second) // idling past net_ticktime is the behaviour under test

	if evs := ev.snapshot(); len(evs) != 2 {
		t.Fatalf("events while idle: %+v", evs)
	}
	after := r.Status()
	for i := range after {
		if !after[i].Connected || after[i].Attempts != before[i].Attempts {
			t.Errorf("after idling: %+v, before %+v", after[i], before[i])
		}
	}
	if !hasAll(n.Nodes(), a.name, b.name) {
		t.Fatalf("Nodes() = %v after idling", n.Nodes())
	}
	for _, p := range []*peer{a, b} {
		if !hasAll(p.nodes(), n.Name()) {
			t.Errorf("%s lost %s while idle", p.name, n.Name())
		}
	}
}

// TestHiddenNodeFollowedByPolls: a hidden Go node gets no nodeup or
// nodedown from the runtime (OTP's monitor_nodes reports visible nodes
// only), so the loop follows its connections at each poll: it still
// reports the erl node up once connected and down once it is gone.
func TestHiddenNodeFollowedByPolls(t *testing.T) {
	c := newLoopCluster(t)
	a := c.peer(t, "a", 2, peerOpts{})
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd, nodeHidden())
	ev := newEvents()
	startRunner(t, n, Static(a.name), ev)
	ev.wait(t, Event{Node: a.name, Up: true})
	if slices.Contains(a.nodes(), n.Name()) {
		t.Fatalf("hidden %s listed in %s's nodes()", n.Name(), a.name)
	}
	a.kill()
	ev.wait(t, Event{Node: a.name, Up: false})
}

// TestAlreadyConnected: a node connected before it is listed is reported
// up when it is listed, without an attempt.
func TestAlreadyConnected(t *testing.T) {
	c := newLoopCluster(t)
	a := c.peer(t, "a", 2, peerOpts{})
	n := goNode(t, "go"+c.id+"@127.0.0.1", c.cookie, c.epmd)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := n.Connect(ctx, a.name); err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	r := startRunner(t, n, Static(a.name), ev)
	ev.wait(t, Event{Node: a.name, Up: true})
	if s, _ := statusOf(r, a.name); !s.Connected || s.Attempts != 0 {
		t.Fatalf("status %+v: want connected without an attempt", s)
	}
}
