// Package node is erlgo's process runtime: lightweight processes with
// Erlang's semantics (mailboxes, registered names, links, monitors, exit
// signals, aliases, gen_server-style calls) on a node that joins Erlang
// clusters through the distribution protocol (packages dist and epmd).
//
// # Nodes
//
// A Go node that joins an Erlang or Elixir cluster is started with
// cluster.Start (package cluster): this package's node plus the services
// BEAM expects on a peer (net_kernel for ping, rex and erpc for rpc, the io
// server user, global_name_server, the default pg scope):
//
//	m, err := cluster.Start(ctx, "go@127.0.0.1", cluster.WithNode(node.WithCookie(cookie)))
//	...
//	defer m.Stop(context.Background())
//	n := m.Node()
//
// Start here gives the bare runtime, for tests and local programs (BEAM's
// net_adm:ping answers pang against it); Stop it when done:
//
//	n, err := node.Start(ctx, "test@127.0.0.1", node.WithoutDistribution())
//	...
//	defer n.Stop(context.Background())
//
// A node listens for distribution connections and registers in EPMD
// (WithEPMD, default 127.0.0.1 and $ERL_EPMD_PORT, else 4369, as erl).
// When no EPMD answers, Start starts a detached one that outlives the node,
// as erl starts `epmd -daemon` (WithEPMDDaemon; WithEmbeddedEPMD for an
// in-process server that stops with the node; WithoutEPMDStart for none).
// WithoutDistribution gives a purely local node for tests. There is no
// global state: any number of nodes can live in one process.
//
// Routes (WithRoute, AddRoute) reach peers whose names match a pattern at
// a fixed host and port instead of through EPMD, with their own cookie
// and TLS configuration. A failed connection attempt opens a short
// back-off window (WithConnectBackoff) in which sends, links and monitors
// to that node fail at once instead of redialling; Connect and Call
// always dial. See docs/routes.md.
//
// Stop's order: new spawns are refused; every process gets exit reason
// shutdown (trapping processes get ExitMsg and should return); survivors are
// killed when ctx ends (5 s without a deadline); then connections close
// (peers see nodedown), the listener closes and the EPMD registration is
// released. Every step is bounded: Stop always returns.
//
// # Processes
//
// A process runs a Behavior: Init once (synchronously, inside Spawn), then
// HandleMessage for each message in order, then Terminate. An idle process
// holds no goroutine: one is started when a message arrives and ends when
// the mailbox is empty, so an idle process costs a few hundred bytes
// (BenchmarkIdleMemory: about 220 B) and a million of them fit easily.
//
//	pid, err := n.Spawn(node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
//		switch m := msg.(type) {
//		case etf.Tuple: // e.g. {'$gen_call', From, Req} (see gen.go)
//			if from, req, ok := node.ParseGenCall(m); ok {
//				return node.Reply(p, from, req)
//			}
//		case node.DownMsg:
//			p.Logger().Info("down", "ref", m.Ref, "reason", m.Reason)
//		}
//		return nil
//	}), node.WithName("echo"))
//
// Inside handlers the *Process handle offers Self, Send, Call, Link/Unlink,
// Monitor/Demonitor, MonitorNode/MonitorNodes, TrapExit, Exit, Register,
// Alias/Unalias, SendAfter/CancelTimer, Spawn/SpawnLink/SpawnMonitor,
// GroupLeader and Logger. The Node offers Spawn, Send, Call, CallSystem,
// Watch/WaitExit/WaitDown, Whereis/Register/Unregister,
// Connect/Disconnect, RegisterSpawnable, Stopping (true once Stop began)
// and the peer lists with OTP's meanings: Nodes (visible nodes, nodes()),
// ConnectedNodes (visible and hidden, nodes(connected)) and HiddenNodes
// (nodes(hidden)).
//
// # Targets
//
// Send, Call and Monitor accept an etf.PID, an etf.Atom (a name registered
// on this node), a Name{Name, Node} or the tuple etf.Tuple{Name, Node}, and
// (Send only) an alias as etf.Alias or etf.Ref. Targets on other nodes
// connect on demand (EPMD lookup and handshake, bounded by net_setuptime,
// 7 s). Send, Link and Monitor never block while connecting, as on BEAM:
// the connection is set up in the background and the signals queue behind
// it in order; a failure drops the queued messages (as erlang:send/2
// does), gives linked processes an exit signal noconnection and monitors
// a DOWN noconnection. A Call to an unreachable node fails with
// ErrNoConnection after that one attempt. A process blocked because a
// connection's write queue is full (a peer that does not read) is still
// ended at once by a killing exit signal.
//
// # Messages handlers receive
//
// Terms arrive exactly as sent. System notifications arrive as typed values:
// ExitMsg ({'EXIT', From, Reason}, only while trapping exits), DownMsg
// ({'DOWN', Ref, process, Object, Reason}), NodeDownMsg and NodeUpMsg. Each
// has a Term method giving the Erlang tuple.
//
// # Go values across nodes
//
// With WithRegistry(r), a node sends the Go types registered in the
// *etf.Registry r as their natural BEAM terms (an Elixir struct, a record,
// a tagged value) and hands messages from other nodes that name a
// registered type to handlers as that Go type: at the top level of a
// message and inside gen protocol requests and replies ({'$gen_call',
// From, Req}, {'$gen_cast', Req}, {Tag, Reply}), so Call returns the Go
// value too. A local receiver gets the value as sent, so a handler cannot
// tell a local sender from a remote one. Registered errors travel as
// {error, Name} or {error, Value} exit reasons (Node.ReasonOf) and a Call
// whose server exited with one returns an *ExitError that unwraps to the
// error itself (errors.Is, errors.As). A message that names a registered
// type but does not fit it is delivered as the raw term and logged at
// Warn, or dropped (and logged) when r rejects misfits; the connection is
// never closed for it. Every node has its own registry; nodes in one
// process may use different ones.
//
// # Exit signals
//
// Exit signals follow the Erlang reference manual ("Receiving Exit
// Signals"), checked row by row by TestExitSignalRules:
//   - normal is ignored unless the receiver traps exits, except that
//     exit(self(), normal) ends the caller with reason normal;
//   - Exit(pid, kill) cannot be trapped and ends the receiver with killed;
//     a link exit with reason kill is an ordinary (trappable) reason;
//   - a trapping receiver gets ExitMsg instead, in order with the messages
//     the sender sent before;
//   - any other reason ends the receiver with that reason. A killing
//     signal overtakes queued messages, and a Call the receiver is blocked
//     in returns at once;
//   - Link to a dead or unknown process yields noproc: for a local pid
//     Link returns ErrNoProc (erlang:link/1 raises noproc; returning the
//     error exits with noproc) and a trapping caller also gets ExitMsg; for
//     a remote pid an exit signal noproc arrives; Monitor of one yields
//     an immediate DOWN noproc; Demonitor also discards a DOWN that is
//     already queued (demonitor/2 with flush);
//   - when a connection is lost, links over it get noconnection, monitors a
//     DOWN noconnection, MonitorNode subscribers NodeDownMsg, and pending
//     Calls ErrNoConnection.
//
// A handler ends its process by returning an error: an *ExitError gives its
// Reason exactly (&node.ExitError{Reason: node.Normal} ends normally); any
// other error gives {error, <<"text">>}; a panic gives {panic, <<"text">>}
// and is logged with its stack. The node keeps running either way.
//
// # Calls
//
// Call speaks gen_server's protocol: it monitors the target, sends
// {'$gen_call', {Self, [alias|Ref]}, Req} and waits for {Tag, Reply}. A
// missing target fails at once with ErrNoProc, a lost node with
// ErrNoConnection, a target that exits with *ExitError{Reason}, and the
// deadline (ctx's, else 5 s) with ErrTimeout, which also matches
// context.DeadlineExceeded. The reply travels through an alias that Call
// deactivates, so a late reply never reaches the mailbox. Reply answers a
// request on the server side for every tag shape OTP uses.
//
// # Mailboxes
//
// Mailboxes are unbounded unless WithMailboxLimit bounds them: then a local
// Send to a full mailbox returns ErrMailboxFull and a message from another
// node is dropped (counted and logged when the process exits). Signals and
// system messages (exit signals, DOWN, nodedown) are never dropped. OTP 28
// priority messages are delivered as ordinary messages, which is what OTP
// does for a receiver that has not enabled priority reception.
//
// # Remote spawn
//
// RegisterSpawnable maps module:function to a SpawnFactory so that
// erlang:spawn/4, spawn_request and erpc from BEAM start Go processes; the
// factory always gets an etf.List, also for [1,2], which travels as a
// string. Unknown functions spawn a process that exits with {undef, [{M, F,
// Args, []}]}, as on BEAM.
//
// The other direction is erlang:spawn_request/5 from Go. SpawnRequest
// sends SPAWN_REQUEST and returns the request id at once; the outcome
// arrives as a SpawnReplyMsg ({spawn_reply, ReqId, ok | error, Pid |
// Reason}, filtered by SpawnReply, tagged by SpawnReplyTag), and
// SpawnRequestAbandon withdraws the caller's interest. RemoteSpawn and
// RemoteSpawnMonitor (spawn_opt/5, spawn_monitor/4) block for the pid,
// under ctx or the call timeout; Node.RemoteSpawn does the same from
// outside any process. Toward BEAM the function is any exported one,
// toward a Go node a registered spawnable. SpawnLink and SpawnMonitor are
// set up by the peer with the process, and the reply's local half before
// the connection's next signal is read, so a process that dies at once
// still delivers its EXIT or DOWN, after the reply. Failures are
// ErrNoConnection (also a connection lost while waiting), ErrNotSup (the
// peer lacks DFLAG_SPAWN), ErrBadOpt (a SpawnOpt option the peer refuses),
// ErrSystemLimit. A request abandoned or given up (ctx) whose process the
// peer spawns anyway gets what OTP sends: an exit signal abandoned to a
// linked process, a demonitor for a monitored one.
package node
