// Package observer shows what a node is doing, over HTTP and as text: the
// erlgo counterpart of Erlang's observer, for Go and BEAM nodes alike.
//
// Handler serves JSON endpoints and one embedded HTML page (vanilla JS and
// inline SVG that poll every 2 s while the page is visible; no build step,
// nothing from a CDN):
//
//	GET  /api/node          summary: name, creation, uptime, memory, counts, run queue, I/O
//	GET  /api/history       load samples for the charts (a ring of 300 in the handler)
//	GET  /api/processes     every process (?sort=mailbox|memory|reductions|name&limit=N&filter=S)
//	GET  /api/process       one process (?pid=<node.ID.Serial>[&state=force]): mailbox
//	                        head, links, monitors, dictionary, sys:get_state
//	POST /api/kill          {"pid": ..., "reason": "kill"}: exit(Pid, Reason)
//	GET  /api/applications  running applications and their supervision trees
//	GET  /api/connections   distribution connections and their counters
//	GET  /api/network       connected nodes (visible/hidden)
//	GET  /api/config        what the page may offer (read-only, details)
//	GET  /                  the page
//
// By default it describes the local Go node (Local, which lists every
// process through node.Node.Processes and ProcessInfo; WithApplications
// adds an actors.Applications' trees). WithTarget makes it describe
// another node, reached through the distribution protocol: an erlgo node
// that exposes RegisterRPC (module erlgo_observer) answers with the same
// data, and any other node (BEAM, or a Go node serving BEAM's BIFs through
// interop) is inspected through standard calls over rpc:
// erlang:system_info/1, memory/0, statistics/1, processes/0,
// process_info/2, list_to_pid/1, application:which_applications/0,
// application_controller:get_master/1, application_master:get_child/1 and
// net_kernel:node_info/1. Supervision trees are walked with
// supervisor:which_children from the inspecting node, and states read
// with sys:get_state, for Go and BEAM processes alike. Like Erlang's
// observer, run that inspecting node hidden (node.WithHidden) so it does
// not join the target's cluster. Sources that cannot answer a call say so
// (502 and the error), and the page then shows the target as unreachable
// until it answers again.
//
// sys:get_state is asked only of processes known to answer sys messages
// (a '$initial_call' in the dictionary, as proc_lib and actors set, or a
// proc_lib initial call): a plain process would keep the request in its
// mailbox. The page offers to ask anyway (state=force).
//
// Security. Handler does not listen by itself. Serve it on 127.0.0.1 and
// wrap it in LoopbackOnly against DNS rebinding, as `erlgo observer` does;
// on any other address use WithToken (`erlgo observer` makes a random
// token for a non-loopback -http). WithReadOnly disables kill. A kill
// needs the X-Erlgo-Observer header, which a page of another origin
// cannot send without a CORS preflight the handler never grants. The
// cookie is never part of any answer.
//
// Process lists are collected on demand, capped and sorted on the
// inspected node's behalf; nothing runs when nobody polls. Terms (mailbox
// messages, states, dictionary values) are printed as Erlang would and cut
// at 4 KiB each; at most 20 messages are shown, and a BEAM process's
// mailbox is copied only when it holds at most 1000 messages. Fields a node
// cannot provide are omitted rather than invented.
package observer
