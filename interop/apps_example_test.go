package interop_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// Let BEAM nodes start a Go application: rpc:call(GoNode, application,
// ensure_all_started, [web]) answers {ok, [db, web]}. Here the node calls
// itself through its own rex, so the example needs no peer; toward a BEAM
// node the same functions start OTP applications.
func ExampleServeApplications() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Start(ctx, "apps@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quiet))
	if err != nil {
		panic(err)
	}
	defer n.Stop(ctx)
	svc, err := interop.Start(ctx, n)
	if err != nil {
		panic(err)
	}
	apps := actors.NewApplications(n)
	defer apps.StopAll(ctx)
	tree := func() (actors.Actor, error) { return &actors.Supervisor{}, nil }
	_ = apps.Load(actors.App{Name: "db", Start: tree})
	_ = apps.Load(actors.App{Name: "web", Deps: []etf.Atom{"db"}, Start: tree})

	srv := interop.ServeApplications(svc, apps)
	// Nothing is remotely startable until allowed; name nodes to admit
	// only those callers (no names: any connected node).
	srv.Allow("web")

	started, err := interop.EnsureAllStarted(ctx, n, n.Name(), "web", actors.AppPermanent)
	fmt.Println(started, err)
	err = interop.StartApplication(ctx, n, n.Name(), "web", actors.AppPermanent)
	fmt.Println(errors.Is(err, interop.ErrAlreadyStarted), err)
	which, _ := interop.WhichApplications(ctx, n, n.Name())
	fmt.Println(which[0].Name, which[1].Name)
	err = interop.StopApplication(ctx, n, n.Name(), "db")
	fmt.Println(errors.Is(err, interop.ErrAppNotAllowed), err)
	// Output:
	// [db web] <nil>
	// true interop: application already started: web: {already_started,web}
	// web db
	// true interop: remote application control not allowed: db: {not_allowed,db}
}
