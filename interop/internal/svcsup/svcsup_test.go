package svcsup

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitFor = 10 * time.Second

var seq atomic.Int64

func testNode(t *testing.T) *node.Node {
	t.Helper()
	n, err := node.Start(context.Background(), "sup"+strconv.FormatInt(seq.Add(1), 10)+"@127.0.0.1",
		node.WithoutDistribution(), node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		require.NoError(t, n.Stop(ctx))
	})
	return n
}

func sink() node.Behavior {
	return node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil })
}

// pids records the pids a child was started with.
type pids struct {
	mu sync.Mutex
	l  []etf.PID
}

func (p *pids) add(pid etf.PID) { p.mu.Lock(); p.l = append(p.l, pid); p.mu.Unlock() }
func (p *pids) all() []etf.PID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]etf.PID(nil), p.l...)
}

func kill(t *testing.T, n *node.Node, name etf.Atom) etf.PID {
	t.Helper()
	pid, ok := n.Whereis(name)
	require.True(t, ok, name)
	require.NoError(t, n.Exit(pid, node.Kill))
	return pid
}

func restarted(t *testing.T, n *node.Node, name etf.Atom, old etf.PID) etf.PID {
	t.Helper()
	var pid etf.PID
	require.Eventually(t, func() bool {
		var ok bool
		pid, ok = n.Whereis(name)
		return ok && pid != old
	}, waitFor, time.Millisecond, "%s restarted", name)
	return pid
}

func TestRestartOneForOne(t *testing.T) {
	n := testNode(t)
	var a, b pids
	s, err := Start(n, Config{Label: "t"}, []Child{
		{Name: "a", New: sink, Started: a.add},
		{Name: "b", New: sink, Started: b.add},
	})
	require.NoError(t, err)
	old := kill(t, n, "a")
	restarted(t, n, "a", old)
	// The new child is registered before its Started callback runs.
	require.Eventually(t, func() bool { return len(a.all()) == 2 }, waitFor, time.Millisecond, "a's Started ran again")
	require.Len(t, b.all(), 1, "b is not restarted with a")
	s.Stop(context.Background())
	_, okA := n.Whereis("a")
	_, okB := n.Whereis("b")
	require.False(t, okA || okB, "Stop returns once the children are gone")
	require.NoError(t, s.Err())
}

func TestRestartGroupAfterAllDown(t *testing.T) {
	n := testNode(t)
	var a, b, c pids
	s, err := Start(n, Config{Label: "t"}, []Child{
		{Name: "ga", Group: "g", New: sink, Started: a.add},
		{Name: "gb", Group: "g", New: sink, Started: b.add},
		{Name: "solo", New: sink, Started: c.add},
	})
	require.NoError(t, err)
	defer s.Stop(context.Background())
	oldB, _ := n.Whereis("gb")
	old := kill(t, n, "ga")
	restarted(t, n, "ga", old)
	restarted(t, n, "gb", oldB)
	require.Eventually(t, func() bool { return len(a.all()) == 2 && len(b.all()) == 2 }, waitFor, time.Millisecond, "both Started ran again")
	require.Len(t, c.all(), 1)
	require.False(t, n.IsAlive(oldB), "the group's other member was stopped")
}

func TestGiveUp(t *testing.T) {
	n := testNode(t)
	s, err := Start(n, Config{Label: "t", MaxRestarts: 1, Period: time.Hour}, []Child{
		{Name: "x", New: sink}, {Name: "y", New: sink},
	})
	require.NoError(t, err)
	old := kill(t, n, "x")
	restarted(t, n, "x", old)
	kill(t, n, "x")
	select {
	case <-s.Done():
	case <-time.After(waitFor):
		t.Fatal("did not give up")
	}
	require.ErrorIs(t, s.Err(), ErrGaveUp)
	require.Eventually(t, func() bool { _, ok := n.Whereis("y"); return !ok }, waitFor, time.Millisecond)
}

func TestStartFailsOnTakenName(t *testing.T) {
	n := testNode(t)
	_, err := n.Spawn(sink(), node.WithName("taken"))
	require.NoError(t, err)
	_, err = Start(n, Config{Label: "t"}, []Child{{Name: "first", New: sink}, {Name: "taken", New: sink}})
	require.ErrorIs(t, err, node.ErrNameTaken)
	require.Eventually(t, func() bool { _, ok := n.Whereis("first"); return !ok }, waitFor, time.Millisecond,
		"the children started before the failure are stopped")
}

func TestNodeStopIsNotARestart(t *testing.T) {
	n, err := node.Start(context.Background(), "supstop@127.0.0.1", node.WithoutDistribution(),
		node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	var a pids
	s, err := Start(n, Config{Label: "t"}, []Child{{Name: "a", New: sink, Started: a.add}})
	require.NoError(t, err)
	require.NoError(t, n.Stop(context.Background()))
	<-s.Done()
	require.NoError(t, s.Err())
	require.Len(t, a.all(), 1)
}

func TestReplierNeverFails(t *testing.T) {
	n := testNode(t)
	got := make(chan etf.Term, 4)
	self, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, m etf.Term) error { got <- m; return nil }))
	require.NoError(t, err)
	r := &Replier{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, _ etf.Term) error {
		gone := etf.PID{Node: "gone@127.0.0.1", ID: 1}
		r.Reply(p, etf.Tuple{gone, n.MakeRef()}, 1) // no distribution: the send fails
		r.Reply(p, etf.Atom("bad"), 1)
		r.Reply(p, etf.Tuple{etf.Atom("x"), etf.Atom("tag")}, 1)
		r.Send(p, gone, 1)
		r.Reply(p, etf.Tuple{self, etf.Atom("tag")}, 2)
		return nil
	}))
	require.NoError(t, err)
	require.NoError(t, n.Send(srv, etf.Atom("go")))
	select {
	case m := <-got:
		require.Equal(t, etf.Tuple{etf.Atom("tag"), 2}, m)
	case <-time.After(waitFor):
		t.Fatal("no reply")
	}
	require.True(t, n.IsAlive(srv))
}
