package node

import (
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// hooked records what its Init saw, to check that WithBeforeInit hooks ran
// before it.
type hooked struct {
	set, seenByInit string
	pid             etf.PID
}

func (h *hooked) Init(p *Process) error                { h.seenByInit, h.pid = h.set, p.Self(); return nil }
func (*hooked) HandleMessage(*Process, etf.Term) error { return nil }
func (*hooked) Terminate(*Process, etf.Term)           {}

func TestWithBeforeInitRunsBeforeInit(t *testing.T) {
	n := localNode(t)
	var order []string
	var hookPID etf.PID
	set := func(v string) SpawnOption {
		return WithBeforeInit(func(p *Process) {
			order = append(order, v)
			hookPID = p.Self()
			if h, ok := p.Behavior().(*hooked); ok {
				h.set = v
			}
		})
	}
	h := &hooked{}
	pid, err := n.Spawn(h, set("first"), WithName("hooked"), set("second"), WithBeforeInit(nil))
	if err != nil {
		t.Fatal(err)
	}
	if h.seenByInit != "second" || len(order) != 2 || order[0] != "first" {
		t.Fatalf("Init saw %q after hooks %v; want both hooks in order, before Init", h.seenByInit, order)
	}
	if reg, _ := n.Whereis("hooked"); hookPID != pid || reg != pid {
		t.Fatalf("hook ran on %v, process %v registered as %v", hookPID, pid, reg)
	}
}

// ApplyBeforeInit runs only the hooks: a WithName among the options is not
// applied again (the process is already spawned).
func TestApplyBeforeInitRunsOnlyHooks(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	ran := false
	pr.do(func(p *Process) error {
		ApplyBeforeInit(p, WithName("not_applied"), WithBeforeInit(func(q *Process) { ran = q == p }))
		return nil
	})
	if !ran {
		t.Fatal("the hook did not run on the given process")
	}
	if pid, ok := n.Whereis("not_applied"); ok {
		t.Fatalf("WithName was applied by ApplyBeforeInit: %v", pid)
	}
}
