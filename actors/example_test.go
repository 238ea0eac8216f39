package actors_test

import (
	"context"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Counter is a gen_server: BEAM nodes can call it with
// gen_server:call({counter, 'go@host'}, get).
type Counter struct {
	actors.Base // default Init, HandleCall and HandleCast
	N           int
}

func (c *Counter) HandleCall(p *actors.Process, from actors.From, req etf.Term) (etf.Term, error) {
	switch req {
	case etf.Atom("get"):
		return c.N, nil
	}
	return nil, actors.ErrUnknownRequest // the actor stops, as in OTP
}

func (c *Counter) HandleCast(p *actors.Process, msg etf.Term) error {
	if msg == etf.Atom("inc") {
		c.N++
	}
	return nil
}

func startNode(name string) *node.Node {
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(), node.WithLogger(quiet()))
	if err != nil {
		panic(err)
	}
	return n
}

// An actor is spawned on a node, then called and cast to by name.
func Example() {
	n := startNode("example@localhost")
	defer n.Stop(context.Background())

	if _, err := actors.Spawn(n, &Counter{}, node.WithName("counter")); err != nil {
		panic(err)
	}
	ctx := context.Background()
	_ = actors.Cast(n, etf.Atom("counter"), etf.Atom("inc"))
	_ = actors.Cast(n, etf.Atom("counter"), etf.Atom("inc"))
	v, err := actors.Call[int](ctx, n, etf.Atom("counter"), etf.Atom("get"))
	fmt.Println(v, err)

	state, _ := actors.GetState(ctx, n, etf.Atom("counter")) // sys:get_state
	fmt.Println(state)
	// Output:
	// 2 <nil>
	// #{'N' => 2}
}

// A supervision tree: a supervisor of two counters; the crashed one is
// restarted with a fresh state.
func ExampleSupervisor() {
	n := startNode("example_sup@localhost")
	defer n.Stop(context.Background())
	ctx := context.Background()

	counter := func(name etf.Atom) actors.ChildSpec {
		return actors.ChildSpec{
			ID:      name,
			Start:   func(etf.List) (actors.Actor, error) { return &Counter{}, nil },
			Options: []node.SpawnOption{node.WithName(name)},
		}
	}
	sup := &actors.Supervisor{
		Strategy:  actors.OneForOne,
		Intensity: 3, Period: 5 * time.Second,
		Children: []actors.ChildSpec{counter("c1"), counter("c2")},
	}
	if _, err := actors.Spawn(n, sup, node.WithName("main_sup")); err != nil {
		panic(err)
	}
	_ = actors.Cast(n, etf.Atom("c1"), etf.Atom("inc"))
	_, err := n.Call(ctx, etf.Atom("c1"), etf.Atom("boom")) // unknown request: c1 crashes
	fmt.Println(err != nil)

	// wait for the restart (the supervisor handles the exit asynchronously)
	for {
		if v, err := actors.Call[int](ctx, n, etf.Atom("c1"), etf.Atom("get")); err == nil {
			fmt.Println("c1 after restart:", v)
			break
		}
		time.Sleep(time.Millisecond)
	}
	cc, _ := actors.CountChildren(ctx, n, etf.Atom("main_sup"))
	fmt.Printf("%+v\n", cc)
	// Output:
	// true
	// c1 after restart: 0
	// {Specs:2 Active:2 Supervisors:0 Workers:2}
}

// Greeter reads its application's environment.
type Greeter struct{ actors.Base }

func (Greeter) HandleCall(p *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	greeting, _ := p.Env("greeting")
	return fmt.Sprintf("%v, %v", greeting, req), nil
}

// An application: a supervision tree with an environment, started after
// its dependency.
func ExampleApplications() {
	n := startNode("example_app@localhost")
	defer n.Stop(context.Background())
	ctx := context.Background()

	apps := actors.NewApplications(n)
	_ = apps.Load(actors.App{
		Name:  "store",
		Start: func() (actors.Actor, error) { return &actors.Supervisor{}, nil },
	})
	_ = apps.Load(actors.App{
		Name: "greeter",
		Deps: []etf.Atom{"store"},
		Env:  map[string]etf.Term{"greeting": "hello"},
		Start: func() (actors.Actor, error) {
			return &actors.Supervisor{Children: []actors.ChildSpec{{
				ID:      "greeter",
				Start:   func(etf.List) (actors.Actor, error) { return Greeter{}, nil },
				Options: []node.SpawnOption{node.WithName("greeter")},
			}}}, nil
		},
	})
	if err := apps.Start(ctx, "greeter", actors.AppPermanent); err != nil {
		panic(err)
	}
	fmt.Println(apps.Running())
	s, _ := actors.Call[string](ctx, n, etf.Atom("greeter"), etf.Atom("world"))
	fmt.Println(s)
	_ = apps.SetEnv("greeter", "greeting", "hi")
	s, _ = actors.Call[string](ctx, n, etf.Atom("greeter"), etf.Atom("world"))
	fmt.Println(s)
	_ = apps.StopAll(ctx)
	fmt.Println(apps.Running())
	// Output:
	// [store greeter]
	// hello, world
	// hi, world
	// []
}
