package node_test

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// A spawn request with its reply as a message, then the monitor's DOWN.
// The target here is the node itself, so that the example runs alone;
// toward another node (a BEAM node's exported function, or a Go node's
// registered spawnable) the calls are the same with its name.
func ExampleProcess_SpawnRequest() {
	ctx := context.Background()
	n, _ := node.Start(ctx, "spawner@127.0.0.1", node.WithoutDistribution())
	defer n.Stop(ctx)

	// What other nodes (and this one) may spawn as worker:run(Args).
	_ = n.RegisterSpawnable("worker", "run", func(args etf.List) (node.Behavior, error) {
		return node.BehaviorFunc(func(*node.Process, etf.Term) error {
			return &node.ExitError{Reason: etf.Atom("done")}
		}), nil
	})

	out := make(chan string, 3)
	caller := node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		switch m := msg.(type) {
		case etf.Atom: // "go"
			_, err := p.SpawnRequest(n.Name(), "worker", "run", etf.List{1}, node.SpawnMonitor())
			return err
		case node.SpawnReplyMsg:
			out <- fmt.Sprintf("spawned: %v", m.Err == nil)
			return p.Send(m.Pid, "work")
		case node.DownMsg:
			out <- fmt.Sprintf("down: %v", m.Reason)
		}
		return nil
	})
	pid, _ := n.Spawn(caller)
	_ = n.Send(pid, etf.Atom("go"))
	fmt.Println(<-out)
	fmt.Println(<-out)

	// The blocking form, from outside any process: an unknown function
	// still spawns a process, which exits with undef, as on BEAM.
	child, err := n.RemoteSpawn(ctx, n.Name(), "worker", "missing", nil)
	fmt.Println(child.Node == n.Name(), err)
	// Output:
	// spawned: true
	// down: done
	// true <nil>
}
