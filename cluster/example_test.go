package cluster_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// A member registers the names a BEAM node has (net_kernel, rex, user,
// global_name_server, the pg scope pg), the events service erlgo_events,
// and hosts Go functions BEAM calls with rpc:call/4. A real member would be started with a cookie and
// distribution; this one runs without, so the example needs no peer.
func Example() {
	ctx := context.Background()
	m, err := cluster.Start(ctx, "example@127.0.0.1", cluster.WithNode(node.WithoutDistribution()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Stop(ctx)
	m.Services().Register("example", "double", 1, func(_ context.Context, a etf.List) (etf.Term, error) {
		n, _ := a[0].(int)
		return 2 * n, nil
	})
	names := m.Node().Registered()
	slices.Sort(names)
	fmt.Println(names)
	fmt.Println(slices.Contains(m.Services().Functions(), interop.MFA{Module: "example", Function: "double", Arity: 1}))
	// Output:
	// [erlgo_events global_name_server net_kernel pg rex user]
	// true
}

// Each service beyond net_kernel, rex and user can be left out; the member
// then registers only those three (and Global, PG and Events are nil).
func ExampleWithoutGlobal() {
	ctx := context.Background()
	m, err := cluster.Start(ctx, "lean@127.0.0.1", cluster.WithNode(node.WithoutDistribution()),
		cluster.WithoutGlobal(), cluster.WithoutPG(), cluster.WithoutEvents())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Stop(ctx)
	names := m.Node().Registered()
	slices.Sort(names)
	fmt.Println(names, m.Global() == nil, m.PG() == nil, m.Events() == nil)
	// Output:
	// [net_kernel rex user] true true true
}
