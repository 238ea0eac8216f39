// Package cluster is the way in for a Go node that joins an Erlang or
// Elixir cluster: Start starts the node (package node) and on it every
// service a BEAM peer expects to find, so Erlang and Elixir code treats
// the Go node as one of its own:
//
//	m, err := cluster.Start(ctx, "app@127.0.0.1",
//		cluster.WithNode(node.WithCookie(cookie)))
//	...
//	defer m.Stop(context.Background())
//	actors.Spawn(m.Node(), &Greeter{}, node.WithName("greeter")) // GenServer.call({:greeter, app}, req)
//	m.Services().Register("app", "hello", 1, hello)             // rpc:call(App, app, hello, [X])
//	m.Global().Register(ctx, "app_leader", pid)                 // global:whereis_name(app_leader)
//	m.PG().Join(ctx, "workers", pid)                            // pg:get_members(workers)
//	tok, _ := m.Events().Register(ctx, p, "prices")             // events.Publish(p, tok, msg)
//
// What runs, and why a BEAM peer needs it:
//
//   - net_kernel (package interop): net_adm:ping/1 and Node.ping/1 ask it
//     {is_auth, Node}; without it ping answers pang.
//   - rex and the erpc spawnables (package interop): rpc:call/cast/
//     multicall/sbcast and erpc:call run Go functions registered with
//     Services().Register, and the BIFs package interop answers.
//   - user (package interop): the io server, group leader of Go-initiated
//     work and of rpc calls made from Go; output lands in the node's
//     logger (interop.WithOutput for a writer).
//   - global_name_server with its locker and registrar (package
//     interop/global), and global:resolve_it/4 callable by rpc: every BEAM
//     node's global syncs with it on connect, and global:sync/0 on the BEAM
//     nodes does not return while a connected node has none.
//   - the default pg scope pg (package interop/pg): BEAM's pg asks it for
//     its members on nodeup.
//   - erlgo_events (package interop/events): erlgo's distributed events,
//     BEAM subscribers included.
//
// WithoutGlobal, WithoutPG and WithoutEvents leave those out; net_kernel,
// rex and user always run, since without them the node is no member.
// WithNode, WithServices, WithGlobal, WithPG and WithEvents pass options
// to each package's Start. WithDiscovery adds a discovery loop (package
// discovery) that connects the member to the nodes a strategy lists. Stop
// stops them in the reverse order of Start and then the node.
//
// node.Start alone is the bare runtime, for tests and local programs: BEAM
// nodes can connect to it and message its processes, but net_adm:ping
// answers pang, rpc:call fails and global:sync/0 blocks. The walk-through
// in docs/first-node.md (examples/firstnode) starts a member and talks to
// it from Elixir; docs/cluster.md has the table of services.
package cluster
