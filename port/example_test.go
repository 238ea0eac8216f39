package port_test

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/port"
)

// A process owns a port on sort: it writes lines, closes stdin (which
// waits for sort to finish) and then handles the sorted lines, the exit
// status and the port's EXIT, in that order.
func Example() {
	n, err := node.Start(context.Background(), "example@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		panic(err)
	}
	defer n.Stop(context.Background())

	done := make(chan struct{})
	owner := node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		switch m := msg.(type) {
		case etf.Atom: // start
			ctx := context.Background()
			pt, err := port.Open(ctx, p, "sort", nil, port.WithLine(80), port.WithExitStatus())
			if err != nil {
				return err
			}
			if err := pt.Command(ctx, []byte("pear\napple\nfig\n")); err != nil {
				return err
			}
			return pt.Close(ctx)
		case etf.Tuple: // {Port, {data, {eol, Line}}}, {Port, {exit_status, Code}}
			fmt.Printf("%v\n", m[1])
		case node.ExitMsg: // {'EXIT', Port, normal}
			fmt.Println("EXIT", m.Reason)
			close(done)
			return &node.ExitError{Reason: node.Normal} // the owner is done too
		}
		return nil
	})
	pid, err := n.Spawn(owner, node.WithTrapExit())
	if err != nil {
		panic(err)
	}
	_ = n.Send(pid, etf.Atom("start"))
	<-done
	// Output:
	// {data,{eol,<<"apple">>}}
	// {data,{eol,<<"fig">>}}
	// {data,{eol,<<"pear">>}}
	// {exit_status,0}
	// EXIT normal
}
