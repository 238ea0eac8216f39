package node_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Two nodes that no EPMD knows: the second reaches the first through a
// route to its listen port, with the first node's cookie, which differs
// from its own default. Sends to a node that cannot be reached are then
// dropped for a moment without redialling (the connect back-off).
func ExampleWithRoute() {
	ctx := context.Background()
	db, err := node.Start(ctx, "db@127.0.0.1", node.WithoutEPMD(),
		node.WithCookie("db-secret"), node.WithListenAddr("127.0.0.1:0"))
	if err != nil {
		panic(err)
	}
	defer db.Stop(ctx)
	_, err = db.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if from, req, ok := node.ParseGenCall(msg); ok {
			return node.Reply(p, from, req)
		}
		return nil
	}), node.WithName("echo"))
	if err != nil {
		panic(err)
	}

	port := db.ListenAddr().(*net.TCPAddr).Port
	app, err := node.Start(ctx, "app@127.0.0.1", node.WithoutEPMD(),
		node.WithCookie("app-secret"), node.WithListenAddr("127.0.0.1:0"),
		node.WithRoute("db@127.0.0.1", node.Route{Port: port, Cookie: "db-secret"}),
		// A port where nothing listens: every dial fails.
		node.WithRoute("gone*@127.0.0.1", node.Route{Port: 1}),
		node.WithConnectBackoff(time.Minute, time.Minute))
	if err != nil {
		panic(err)
	}
	defer app.Stop(ctx)

	reply, err := app.Call(ctx, node.Name{Name: "echo", Node: "db@127.0.0.1"}, etf.Atom("hi"))
	fmt.Println(reply, err)

	gone := node.Name{Name: "srv", Node: "gone1@127.0.0.1"}
	_, err = app.Call(ctx, gone, etf.Atom("ping")) // dials, fails
	fmt.Println(errors.Is(err, node.ErrNoConnection))
	err = app.Connect(ctx, "gone1@127.0.0.1") // Connect always dials
	fmt.Println(errors.Is(err, node.ErrNoConnection), errors.Is(err, node.ErrConnectBackoff))
	// Inside the window sends, links and monitors to gone1 fail at once
	// without dialling; a Call waits for an answer, so it dials too.
	_, err = app.Call(ctx, gone, etf.Atom("ping"))
	fmt.Println(errors.Is(err, node.ErrNoConnection), errors.Is(err, node.ErrConnectBackoff))
	// Output:
	// hi <nil>
	// true
	// true false
	// true false
}
