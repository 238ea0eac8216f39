package tcp_test

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/tcp"
)

// echo is a connection handler: it sends every message back.
type echo struct{}

func (echo) Init(*node.Process) error { return nil }
func (echo) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case tcp.Data:
		return m.Socket.Send(context.Background(), m.Data)
	case tcp.Closed:
		return &node.ExitError{Reason: node.Normal}
	}
	return nil
}
func (echo) Terminate(*node.Process, etf.Term) {}

// An echo server with one handler process per connection, and a client
// that sends one {packet, 4} message and reads the echo in passive mode.
func Example() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)

	done := make(chan string)
	pid, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if msg != etf.Atom("go") {
			return nil
		}
		l, err := tcp.Listen(ctx, p, "127.0.0.1:0", tcp.WithPacket(4),
			tcp.WithHandler(func(*tcp.Socket) node.Behavior { return echo{} }))
		if err != nil {
			return err
		}
		c, err := tcp.Dial(ctx, p, l.Addr().String(), tcp.WithPacket(4), tcp.WithActive(tcp.Passive))
		if err != nil {
			return err
		}
		if err := c.Send(ctx, []byte("hello")); err != nil {
			return err
		}
		b, err := c.Recv(ctx, 0, 0)
		if err != nil {
			return err
		}
		done <- string(b)
		_ = c.Close()
		return l.Close()
	}))
	if err != nil {
		panic(err)
	}
	if err := n.Send(pid, etf.Atom("go")); err != nil {
		panic(err)
	}
	fmt.Println(<-done)
	// Output: hello
}
