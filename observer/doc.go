// Package observer shows what a node is doing, over HTTP and as text: the
// erlgo counterpart of Erlang's observer, reduced to what can be measured
// without stopping actors.
//
// Handler serves JSON endpoints and one embedded HTML page (vanilla JS that
// polls every 2 s; no build step):
//
//	GET /api/node       summary: name, creation, uptime, runtime, counts
//	GET /api/processes  process list (?sort=mailbox|memory|reductions|name&limit=N)
//	GET /api/network    connected nodes (visible/hidden when known)
//	GET /               the page
//
// By default it describes the local Go node. WithTarget makes it describe
// another node instead, reached through the distribution protocol: an erlgo
// node that exposes RegisterRPC (module erlgo_observer) answers with the
// same data, and any other node (BEAM) is inspected through standard BIFs
// (erlang:system_info/1, erlang:memory/0, erlang:registered/0,
// erlang:nodes/1, erlang:processes/0 and erlang:process_info/2) called over
// rpc. Like Erlang's observer, run that inspecting node hidden
// (node.WithHidden) so it does not join the target's cluster.
//
// Handler does not listen by itself: serve it on 127.0.0.1 (and wrap it in
// LoopbackOnly against DNS rebinding), as `erlgo observer` does. The cookie
// is never part of any answer. Process lists are collected on
// demand, capped and sorted on the inspected node's behalf; nothing runs
// when nobody polls. Fields a node cannot provide are omitted rather than
// invented: a Go node's public API lists registered processes only and
// has no per-process memory, so those answers carry names and pids.
package observer
