// Package discovery forms clusters: it finds the nodes that should be
// connected and keeps them connected, in the style of Elixir's libcluster.
//
// A Strategy only lists candidate node names. Start runs the loop that
// polls a strategy, connects to every listed node (node.Node.Connect),
// retries failed nodes with a doubling, jittered back-off up to a cap,
// forgets nodes that leave the list, and reports nodeup and nodedown of
// listed nodes (OnEvent) — including a connection lost between polls,
// which it learns at once through node monitoring and retries.
//
//	r, err := discovery.Start(ctx, n, discovery.DNSA("app.internal", "app"))
//	...
//	defer r.Stop()
//
// The strategies:
//
//   - Static: a fixed list of node names.
//   - HostsFile: net_adm:world/0. The hosts of a .hosts.erlang file
//     (Erlang terms, one quoted atom per host: 'host1.example.com'.),
//     looked for in the current directory and then $HOME as
//     net_adm:host_file/0 does, and every node registered in each host's
//     EPMD.
//   - EPMDScan: net_adm:world_list/1, every node registered in the EPMD of
//     each of a list of hosts (EPMD NAMES, as net_adm:names/1 asks).
//   - DNSA: one DNS name whose A (or AAAA) records are many hosts; the
//     node on each is basename@address.
//   - DNSSRV: the SRV records of a name (a Kubernetes headless service's
//     named port); the node on each target is basename@target.
//   - Union combines strategies; StrategyFunc adapts a function.
//
// DNS lookups go through a *net.Resolver (WithResolver), so tests and
// deployments choose the server. A name that does not exist is an empty
// cluster; a lookup that fails keeps the nodes already known.
//
// Nothing a strategy, a DNS server, a hosts file or an OnEvent callback
// does stops the loop: errors and panics are logged and the next poll
// tries again. Errors are errors.Is-able: ErrMalformedHosts,
// ErrNoHostsFile, ErrLookup, ErrBadNodeName, ErrStrategyPanic.
package discovery
