package discovery

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// TestLoopSurvivesItsParts: a strategy that panics every other poll, an
// OnEvent that panics, and the loop's node watcher killed: the loop
// still joins the node, reports its nodeup and, after the watcher was
// replaced, its nodedown.
func TestLoopSurvivesItsParts(t *testing.T) {
	port := erltest.StartEPMD(t)
	cookie, id := "c"+uniq(), uniq()
	n := goNode(t, "go"+id+"@127.0.0.1", cookie, port)
	m := goNode(t, "peer"+id+"@127.0.0.1", cookie, port)
	var polls atomic.Int32
	s := StrategyFunc(func(context.Context) ([]etf.Atom, error) {
		if polls.Add(1)%2 == 1 {
			panic("strategy bug")
		}
		return []etf.Atom{m.Name()}, nil
	})
	ev := newEvents()
	var panicked atomic.Bool
	r := startRunner(t, n, s, newEvents(), OnEvent(func(e Event) {
		ev.add(e)
		if panicked.CompareAndSwap(false, true) {
			panic("callback bug")
		}
	}))
	ev.wait(t, Event{Node: m.Name(), Up: true})
	eventually(t, "more polls past the panics", func() bool { return polls.Load() >= 4 })

	old := r.watcherPID.Load().(etf.PID)
	if err := n.Exit(old, node.Kill); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a new watcher", func() bool {
		pid := r.watcherPID.Load().(etf.PID)
		return pid != old && n.IsAlive(pid)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, Event{Node: m.Name(), Up: false})
	select {
	case <-r.Done():
		t.Fatal("loop ended")
	default:
	}
}

// TestStartErrors: Start refuses a missing node or strategy, and a loop
// on a stopped node ends at once.
func TestStartErrors(t *testing.T) {
	if _, err := Start(context.Background(), nil, Static()); err == nil {
		t.Error("Start(nil node) succeeded")
	}
	n, err := node.Start(context.Background(), "s"+uniq()+"@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), n, nil); err == nil {
		t.Error("Start(nil strategy) succeeded")
	}
	r, err := Start(context.Background(), n, Static("x@h"), WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Done():
	case <-time.After(waitFor):
		t.Fatal("loop outlived its node")
	}
	if _, err := Start(context.Background(), n, Static("x@h")); err == nil {
		t.Error("Start on a stopped node succeeded")
	}
}

// TestStaticBadNames: invalid names are reported, with ErrBadNodeName,
// and never become candidates.
func TestStaticBadNames(t *testing.T) {
	names, err := Static("ok@host", "nohost", "@h", "a@", "a@b@c", etf.Atom("x\x00@h")).Nodes(context.Background())
	if !errors.Is(err, ErrBadNodeName) {
		t.Fatalf("err = %v, want ErrBadNodeName", err)
	}
	if len(names) != 1 || names[0] != "ok@host" {
		t.Fatalf("names = %v, want [ok@host]", names)
	}
}
