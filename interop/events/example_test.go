package events_test

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/events"
	"github.com/erlgo/erlgo/node"
)

// exampleProc spawns a process that hands its messages to a channel and
// returns it with the *node.Process (the API acts as a process).
func exampleProc(n *node.Node) (*node.Process, <-chan etf.Term) {
	ch := make(chan etf.Term, 16)
	var self *node.Process
	_, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, msg etf.Term) error {
		if stop, ok := msg.(etf.Atom); ok && stop == "stop" {
			return &node.ExitError{Reason: etf.Atom("sold_out")}
		}
		ch <- msg
		return nil
	}), node.WithBeforeInit(func(p *node.Process) { self = p }))
	if err != nil {
		panic(err)
	}
	return self, ch
}

// A producer registers an event that keeps its last two messages; a
// subscriber that comes later gets them, then each new message, then a
// DOWN with the producer's exit reason. Subscribers on other Go nodes use
// the same calls with the producer's node in the Event (and BEAM processes
// the protocol of docs/events.md); this node has no distribution so that
// the example needs no peer.
func Example() {
	ctx := context.Background()
	n, err := node.Start(ctx, "example@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Stop(ctx)
	srv, err := events.Start(ctx, n)
	if err != nil {
		fmt.Println(err)
		return
	}

	producer, _ := exampleProc(n)
	tok, err := srv.Register(ctx, producer, "tickets", events.WithBuffer(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, seat := range []string{"1A", "1B", "1C"} {
		_ = events.Publish(producer, tok, etf.Atom(seat))
	}

	sub, inbox := exampleProc(n)
	_, last, err := srv.Monitor(ctx, sub, events.Event{Name: "tickets", Node: n.Name()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("buffered:", last)
	_ = events.Publish(producer, tok, etf.Atom("2A"))
	m := (<-inbox).(events.Message)
	fmt.Println("message:", m.Msg, "from", m.Event.Name)

	_ = n.Send(producer.Self(), etf.Atom("stop")) // the producer exits with sold_out
	down := (<-inbox).(node.DownMsg)
	fmt.Println("down:", down.Reason)
	// Output:
	// buffered: [1B 1C]
	// message: 2A from tickets
	// down: sold_out
}

// WithNotify tells the producer when its event gets its first subscriber
// and when the last one leaves, so it can start and stop the work behind
// the event.
func ExampleWithNotify() {
	ctx := context.Background()
	n, err := node.Start(ctx, "notify@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Stop(ctx)
	srv, _ := events.Start(ctx, n)
	producer, told := exampleProc(n)
	tok, _ := srv.Register(ctx, producer, "metrics", events.WithNotify())

	a, _ := exampleProc(n)
	b, _ := exampleProc(n)
	refA, _, _ := srv.Monitor(ctx, a, tok.Event())
	fmt.Printf("%T\n", <-told)
	_, _ = srv.Link(ctx, b, tok.Event()) // no news: not the first
	_ = srv.Demonitor(ctx, a, tok.Event(), refA)
	_ = srv.Unlink(ctx, b, tok.Event())
	fmt.Printf("%T\n", <-told)
	// Output:
	// events.Started
	// events.Stopped
}

// A token travels as a term, so any process holding it (on any node, BEAM
// included) can publish; Unregister ends the event with reason normal.
func ExampleParseToken() {
	ctx := context.Background()
	n, err := node.Start(ctx, "token@127.0.0.1", node.WithoutDistribution())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Stop(ctx)
	srv, _ := events.Start(ctx, n)
	producer, _ := exampleProc(n)
	tok, _ := srv.Register(ctx, producer, "jobs")

	term := tok.Term() // {erlgo_event_token, {jobs, 'token@127.0.0.1'}, EventPid, Ref}
	fmt.Println(term.(etf.Tuple)[0], term.(etf.Tuple)[1])
	again, err := events.ParseToken(term)
	fmt.Println(again == tok, err)
	fmt.Println(events.Unregister(ctx, n, again), srv.Events())
	// Output:
	// erlgo_event_token {jobs,'token@127.0.0.1'}
	// true <nil>
	// <nil> []
}
