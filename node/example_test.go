package node_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// An echo server answering gen_server calls, called from outside any
// process and from inside one.
func Example() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)

	_, err = n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if from, req, ok := node.ParseGenCall(msg); ok {
			return node.Reply(p, from, req)
		}
		return nil
	}), node.WithName("echo"))
	if err != nil {
		panic(err)
	}
	reply, err := n.Call(ctx, etf.Atom("echo"), etf.Atom("hello"))
	fmt.Println(reply, err)

	_, err = n.Call(ctx, etf.Atom("nobody"), etf.Atom("hello"))
	fmt.Println(errors.Is(err, node.ErrNoProc))
	// Output:
	// hello <nil>
	// true
}

// Links and trapped exits: a trapping process receives ExitMsg when a
// linked process crashes.
func ExampleProcess_SpawnLink() {
	ctx := context.Background()
	n, _ := node.Start(ctx, "links@127.0.0.1", node.WithoutDistribution())
	defer n.Stop(ctx)

	got := make(chan etf.Term, 1)
	supervisor := node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		switch m := msg.(type) {
		case etf.Atom: // "start"
			p.TrapExit(true)
			child, err := p.SpawnLink(node.BehaviorFunc(func(*node.Process, etf.Term) error {
				return errors.New("crashed")
			}))
			if err != nil {
				return err
			}
			return p.Send(child, "work")
		case node.ExitMsg:
			if m.Reason == node.Shutdown {
				return &node.ExitError{Reason: node.Shutdown} // node stopping
			}
			got <- m.Reason
		}
		return nil
	})
	pid, _ := n.Spawn(supervisor)
	_ = n.Send(pid, etf.Atom("start"))
	reason := (<-got).(etf.Tuple) // {error, <<"crashed">>}
	fmt.Printf("%v %s\n", reason[0], reason[1])
	// Output:
	// error crashed
}

// Monitoring a process that does not exist gives an immediate DOWN with
// reason noproc.
func ExampleProcess_Monitor() {
	ctx := context.Background()
	n, _ := node.Start(ctx, "mon@127.0.0.1", node.WithoutDistribution())
	defer n.Stop(ctx)

	got := make(chan node.DownMsg, 1)
	pid, _ := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		switch m := msg.(type) {
		case etf.Atom:
			_, err := p.Monitor(etf.Atom("no_such_name"))
			return err
		case node.DownMsg:
			got <- m
		}
		return nil
	}))
	_ = n.Send(pid, etf.Atom("go"))
	d := <-got
	fmt.Println(d.Object, d.Reason)
	// Output:
	// {no_such_name mon@127.0.0.1} noproc
}
