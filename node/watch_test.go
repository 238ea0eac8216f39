package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

func TestWatch(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	ch := n.Watch(pr.pid)
	ch2 := n.Watch(pr.pid)
	pr.async(func(p *Process) error { return &ExitError{Reason: etf.Atom("bye")} })
	for _, c := range []<-chan etf.Term{ch, ch2} {
		select {
		case r := <-c:
			if r != etf.Atom("bye") {
				t.Fatalf("reason %#v", r)
			}
		case <-time.After(waitFor):
			t.Fatal("no exit reason")
		}
		if _, open := <-c; open {
			t.Fatal("channel not closed after the reason")
		}
	}
	// A process already gone, a pid of another node: noproc at once.
	if r := <-n.Watch(pr.pid); r != NoProc {
		t.Fatalf("dead pid: %#v", r)
	}
	if r := <-n.Watch(etf.PID{Node: "other@127.0.0.1", ID: 1}); r != NoProc {
		t.Fatalf("remote pid: %#v", r)
	}
	// WaitExit: the reason, or the context's error first.
	live := spawnProbe(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := n.WaitExit(ctx, live.pid); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitExit on a live process: %v", err)
	}
	if err := n.Exit(live.pid, Kill); err != nil {
		t.Fatal(err)
	}
	r, err := n.WaitExit(context.Background(), live.pid)
	if err != nil || (r != Killed && r != NoProc) {
		t.Fatalf("WaitExit after kill: %#v, %v", r, err)
	}
}
