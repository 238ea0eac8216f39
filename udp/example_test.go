package udp_test

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
	"github.com/erlgo/erlgo/udp"
)

// Two sockets owned by one process: one sends, the other's owner gets
// the Datagram with the sender's address.
func Example() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)

	got := make(chan string, 1)
	var a, b *udp.Socket
	pid, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		switch m := msg.(type) {
		case etf.Atom: // "go": open both and send
			var err error
			if a, err = udp.Open(ctx, p, "127.0.0.1:0"); err != nil {
				return err
			}
			if b, err = udp.Open(ctx, p, "127.0.0.1:0"); err != nil {
				return err
			}
			return a.Send(ctx, b.LocalAddr(), []byte("ping"))
		case udp.Datagram:
			got <- fmt.Sprintf("%s from a: %v", m.Data, m.Addr() == a.LocalAddr())
		}
		return nil
	}))
	if err != nil {
		panic(err)
	}
	if err := n.Send(pid, etf.Atom("go")); err != nil {
		panic(err)
	}
	fmt.Println(<-got)
	// Output: ping from a: true
}
