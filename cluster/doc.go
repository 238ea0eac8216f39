// Package cluster starts a node that takes part in an Erlang cluster the
// way a BEAM node does: the node itself (package node) with the kernel
// services a BEAM peer expects to find on it — net_kernel, rex (rpc and
// erpc), the io server user (package interop), global_name_server
// (package interop/global) and the default pg scope (package interop/pg),
// plus erlgo's distributed events service, erlgo_events (package
// interop/events).
//
//	m, err := cluster.Start(ctx, "app@127.0.0.1",
//		cluster.WithNode(node.WithCookie(cookie)))
//	...
//	defer m.Stop(context.Background())
//	m.Services().Register("app", "hello", 1, hello) // rpc:call(App, app, hello, [X])
//	m.Global().Register(ctx, "app_leader", pid)    // global:whereis_name(app_leader)
//	m.PG().Join(ctx, "workers", pid)               // pg:get_members(workers)
//	tok, _ := m.Events().Register(ctx, p, "prices") // events.Publish(p, tok, msg)
//
// Each service can be turned off (WithoutGlobal, WithoutPG,
// WithoutEvents) and configured with its own package's options
// (WithNode, WithServices, WithGlobal, WithPG, WithEvents).
// WithDiscovery adds a discovery loop (package discovery) that connects
// the member to the nodes a strategy lists. Stop stops them in the
// reverse order of Start and then the node.
package cluster
