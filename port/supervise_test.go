package port

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/observer"
)

// portWorker is the OTP shape of a supervised port: a gen_server that
// owns the port and stops when its program exits.
type portWorker struct {
	actors.Base
	ports chan<- *Port
	pt    *Port
}

func (w *portWorker) Init(p *actors.Process, _ ...any) (err error) {
	w.pt, err = Open(context.Background(), p.Process, "sh", []string{"-c", "read line; exit 3"}, WithExitStatus())
	if err == nil {
		w.ports <- w.pt
	}
	return err
}

func (w *portWorker) HandleInfo(p *actors.Process, msg etf.Term) error {
	if tu, ok := msg.(etf.Tuple); ok && len(tu) == 2 && tu[0] == w.pt.ID() {
		if st, ok := tu[1].(etf.Tuple); ok && st[0] == atomExitStatus {
			return actors.Stop(st)
		}
	}
	return nil
}

// A port under a supervisor: its program's exit stops the worker, which
// is restarted with a new program; stopping the tree ends the program.
func TestSupervisedPort(t *testing.T) {
	n := localNode(t)
	ports := make(chan *Port, 4)
	sup := &actors.Supervisor{Strategy: actors.OneForOne, Intensity: 5, Period: time.Minute, Children: []actors.ChildSpec{{
		ID:    "port_worker",
		Start: func(etf.List) (actors.Actor, error) { return &portWorker{ports: ports}, nil },
	}}}
	supPid, err := actors.Spawn(n, sup, node.WithName("port_sup"))
	if err != nil {
		t.Fatal(err)
	}
	next := func() *Port {
		select {
		case pt := <-ports:
			return pt
		case <-time.After(waitFor):
			t.Fatal("no port started")
			return nil
		}
	}
	first := next()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := first.Command(ctx, []byte("go\n")); err != nil {
		t.Fatal(err)
	}
	second := next()
	waitDone(t, first)
	requireGone(t, first.OSPid())
	if code, _ := first.ExitStatus(); code != 3 {
		t.Fatalf("first program exited %d", code)
	}
	if second.OSPid() == first.OSPid() {
		t.Fatal("restart reused the program")
	}
	kids, err := actors.WhichChildren(ctx, n, etf.Atom("port_sup"))
	if err != nil || len(kids) != 1 {
		t.Fatalf("which_children: %v %v", kids, err)
	}
	if err := actors.StopProcess(ctx, n, supPid, node.Shutdown); err != nil {
		t.Fatal(fmt.Errorf("stop supervisor: %w", err))
	}
	waitDone(t, second)
	requireGone(t, second.OSPid())
}

// A port registered with node.WithName is a process like any other: the
// observer lists it and the node counts it; it is gone from both after.
func TestPortInObserver(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	before := n.ProcessCount()
	pt := o.open(t, "cat", nil, WithSpawnOptions(node.WithName("cat_port")))
	if n.ProcessCount() != before+1 {
		t.Fatalf("process count %d, want %d", n.ProcessCount(), before+1)
	}
	listed := func() bool {
		l, err := observer.Local(n).Processes(context.Background(), observer.Query{Sort: "name"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Processes {
			if p.Name == "cat_port" && p.PID == pt.ID().String() {
				return true
			}
		}
		return false
	}
	if !listed() {
		t.Fatal("the observer does not list the named port")
	}
	if pid, ok := n.Whereis("cat_port"); !ok || pid != pt.ID() {
		t.Fatalf("whereis: %v %v", pid, ok)
	}
	if err := o.Do(t, func(*node.Process) error { return pt.Close(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	if listed() {
		t.Fatal("the observer still lists a closed port")
	}
}
