package node

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

func TestProcessInfoFields(t *testing.T) {
	n := localNode(t)
	a := spawnProbe(t, n, WithName("info_a"))
	b := spawnProbe(t, n)
	a.do(func(p *Process) error {
		p.TrapExit(true)
		if err := p.Link(b.pid); err != nil {
			return err
		}
		_, err := p.Monitor(b.pid)
		return err
	})
	// Ten messages wait in a blocked mailbox: b is inside a handler.
	release, started := make(chan struct{}), make(chan struct{})
	b.async(func(*Process) error { close(started); <-release; return nil })
	<-started
	for i := range 10 {
		if err := n.Send(b.pid, i); err != nil {
			t.Fatal(err)
		}
	}
	pa, ok := n.ProcessInfo(a.pid)
	if !ok {
		t.Fatal("ProcessInfo of a live process answered false")
	}
	if pa.RegisteredName != "info_a" || !pa.TrapExit || !slices.Equal(pa.Links, []etf.PID{b.pid}) {
		t.Errorf("a: name %q trap %v links %v", pa.RegisteredName, pa.TrapExit, pa.Links)
	}
	if len(pa.Monitors) != 1 || pa.Monitors[0].PID != b.pid {
		t.Errorf("a: monitors %v, want one on %v", pa.Monitors, b.pid)
	}
	waitStatus(t, n, a.pid, "waiting") // idle once its goroutine is gone
	if pa.InitialCall.Module != "node.probeBehavior" || pa.CurrentFunction.Function != "handle_message" {
		t.Errorf("a: initial_call %v current_function %v", pa.InitialCall, pa.CurrentFunction)
	}
	if pa.Reductions < 1 { // at least the function run by do
		t.Errorf("a: reductions %d", pa.Reductions)
	}
	pb, ok := n.ProcessInfo(b.pid, InfoMessages, InfoMessageQueueLen, InfoMonitoredBy, InfoStatus, InfoMemory)
	if !ok {
		t.Fatal("b: false")
	}
	if pb.MessageQueueLen != 10 || len(pb.Messages) != 10 || pb.Messages[0] != 0 || pb.Messages[9] != 9 {
		t.Errorf("b: queue %d messages %v", pb.MessageQueueLen, pb.Messages)
	}
	if !slices.Equal(pb.MonitoredBy, []etf.PID{a.pid}) || pb.Status != "running" {
		t.Errorf("b: monitored_by %v status %q", pb.MonitoredBy, pb.Status)
	}
	if pb.Memory < procBytes+segmentBytes {
		t.Errorf("b: memory %d does not count its mailbox", pb.Memory)
	}
	if pb.RegisteredName != "" || pb.Links != nil {
		t.Errorf("b: fields not asked for are set: %+v", pb)
	}
	close(release)
	for range 10 {
		b.recv()
	}
	b.sync()
	if pb, _ = n.ProcessInfo(b.pid, InfoMessageQueueLen); pb.MessageQueueLen != 0 {
		t.Errorf("b: queue %d after draining", pb.MessageQueueLen)
	}
}

func TestProcessInfoBoundsMessages(t *testing.T) {
	n := localNode(t)
	b := spawnProbe(t, n)
	release, started := make(chan struct{}), make(chan struct{})
	defer close(release)
	b.async(func(*Process) error { close(started); <-release; return nil })
	<-started
	for i := range MaxInfoMessages * 3 {
		_ = n.Send(b.pid, i)
	}
	pi, _ := n.ProcessInfo(b.pid, InfoMessages, InfoMessageQueueLen)
	if len(pi.Messages) != MaxInfoMessages || pi.MessageQueueLen != 3*MaxInfoMessages {
		t.Errorf("messages %d (max %d), queue %d", len(pi.Messages), MaxInfoMessages, pi.MessageQueueLen)
	}
}

func TestProcessInfoDeadAndForeign(t *testing.T) {
	n := localNode(t)
	pid, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return &ExitError{Reason: Normal} }))
	if err != nil {
		t.Fatal(err)
	}
	down := watch(t, n, pid)
	_ = n.Send(pid, "stop")
	down()
	if _, ok := n.ProcessInfo(pid); ok {
		t.Error("ProcessInfo of a dead process answered true")
	}
	if slices.Contains(n.Processes(), pid) {
		t.Error("Processes lists a dead process")
	}
	foreign := pid
	foreign.Node = "other@host"
	if _, ok := n.ProcessInfo(foreign); ok {
		t.Error("ProcessInfo of a pid of another node answered true")
	}
	if slices.Contains(n.Processes(), n.sys.pid) {
		t.Error("Processes lists the node's anonymous pid")
	}
}

// waitStatus polls pid's status until it is want (a process goes idle
// shortly after its last message, when its goroutine gives up).
func waitStatus(t *testing.T, n *Node, pid etf.PID, want etf.Atom) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		pi, ok := n.ProcessInfo(pid, InfoStatus)
		if ok && pi.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v: status %q, want %q", pid, pi.Status, want)
		}
		runtime.Gosched()
	}
}

type describedBeh struct{ BehaviorFunc }

func (describedBeh) Describe() Description {
	return Description{
		CurrentFunction: MFA{"gen_server", "loop", 7},
		InitialCall:     MFA{"proc_lib", "init_p", 5},
		Dictionary:      []DictEntry{{etf.Atom("$ancestors"), etf.List{}}},
	}
}

func TestProcessInfoDescriber(t *testing.T) {
	n := localNode(t)
	pid, err := n.Spawn(describedBeh{BehaviorFunc(func(*Process, etf.Term) error { return nil })})
	if err != nil {
		t.Fatal(err)
	}
	pi, _ := n.ProcessInfo(pid, InfoCurrentFunction, InfoInitialCall, InfoDictionary)
	if pi.CurrentFunction != (MFA{"gen_server", "loop", 7}) || pi.InitialCall != (MFA{"proc_lib", "init_p", 5}) || len(pi.Dictionary) != 1 {
		t.Errorf("got %+v", pi)
	}
}

func TestReductionsCarry(t *testing.T) {
	p := &Process{reds: ^uint32(0) - 1}
	p.countTakenLocked(3)
	if got := p.reductionsLocked(); got != 1<<32+1 {
		t.Errorf("reductions %d, want %d", got, uint64(1<<32+1))
	}
}

// TestProcessesUnderChurn lists and inspects processes while others are
// spawned and exit (run with -race).
func TestProcessesUnderChurn(t *testing.T) {
	n := localNode(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				pid, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return &ExitError{Reason: Normal} }))
				if err != nil {
					return
				}
				_ = n.Send(pid, "go")
			}
		})
	}
	keep := make([]etf.PID, 0, 2000)
	for range 2000 {
		pid, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return nil }))
		if err != nil {
			t.Fatal(err)
		}
		keep = append(keep, pid)
	}
	for range 20 {
		listed := n.Processes()
		for _, pid := range listed {
			_, _ = n.ProcessInfo(pid)
		}
		if len(listed) < len(keep) {
			t.Fatalf("listed %d processes, %d are alive for sure", len(listed), len(keep))
		}
	}
	close(stop)
	wg.Wait()
	for _, pid := range keep {
		if _, ok := n.ProcessInfo(pid, InfoStatus); !ok {
			t.Fatalf("%v vanished", pid)
		}
	}
}
