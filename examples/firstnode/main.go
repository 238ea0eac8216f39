// Command firstnode is the walk-through of docs/first-node.md: a Go node
// that joins an Elixir (or Erlang) cluster as a full member and serves a
// gen_server named greeter. TestWalkThrough runs the document's commands
// against it, and TestDocShowsThisFile keeps the document's Go block equal
// to this file from the package clause on.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Greeter is a gen_server: GenServer.call({:greeter, node}, name) answers
// {:hello, name, calls}.
type Greeter struct {
	actors.Base // default Init and HandleCast
	calls       int
}

// HandleCall answers every request, counting them.
func (g *Greeter) HandleCall(_ *actors.Process, from actors.From, name etf.Term) (etf.Term, error) {
	g.calls++
	fmt.Println("greeter: call from", from.PID.Node)
	return etf.Tuple{etf.Atom("hello"), name, g.calls}, nil
}

func main() {
	name := flag.String("name", "go@127.0.0.1", "this node's name")
	cookie := flag.String("cookie", "secret", "the cluster's cookie")
	flag.Parse()
	if err := run(*name, *cookie); err != nil {
		log.Fatal(err)
	}
}

func run(name, cookie string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// A full cluster member: net_kernel (ping), rex and erpc (rpc), user
	// (io), global_name_server, the default pg scope and erlgo_events.
	m, err := cluster.Start(ctx, name, cluster.WithNode(node.WithCookie(cookie)))
	if err != nil {
		return err
	}
	if _, err := actors.Spawn(m.Node(), &Greeter{}, node.WithName("greeter")); err != nil {
		return err
	}
	fmt.Println("ready:", m.Node().Name())
	<-ctx.Done() // Ctrl-C
	if err := m.Stop(context.Background()); err != nil {
		return err
	}
	fmt.Println("stopped")
	return nil
}
