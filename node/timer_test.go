package node

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// A process's timers to itself go with it (nothing is left running for an
// hour); a timer to another process still fires after its setter exited,
// as erlang:send_after/3 does.
func TestSendAfterOutlivesSetterOnlyForOthers(t *testing.T) {
	n := localNode(t)
	rcv := spawnProbe(t, n)
	setter := spawnProbe(t, n)
	down := watch(t, n, setter.pid)
	setter.do(func(p *Process) error {
		p.SendAfter(time.Hour, p.Self(), "never")
		p.SendAfter(10*time.Millisecond, rcv.pid, "from the dead")
		return &ExitError{Reason: Normal}
	})
	if r := down(); r != Normal {
		t.Fatalf("setter exited with %v", r)
	}
	setter.p.mu.Lock()
	for _, pt := range setter.p.ext.timers {
		if pt.self {
			t.Error("a timer to the exited process itself is still booked")
		}
	}
	setter.p.mu.Unlock()
	if m := rcv.recv(); m != "from the dead" {
		t.Fatalf("receiver got %#v", m)
	}
	setter.p.mu.Lock()
	left := len(setter.p.ext.timers)
	setter.p.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d timers booked after the last fired", left)
	}
}

func TestCancelTimerUnknownRef(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	pr.do(func(p *Process) error {
		if p.CancelTimer(etf.Ref{}) || p.CancelTimer(n.MakeRef()) {
			t.Error("CancelTimer of a ref that is no timer reported true")
		}
		return nil
	})
}
