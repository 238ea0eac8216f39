// Package interop makes an erlgo node a full citizen of an Erlang/Elixir
// cluster: the services every BEAM node expects to find on its peers, and
// the client side of the same protocols.
//
// Start attaches the services to a running node; cluster.Start (package
// cluster), the usual way to start a cluster member, calls it together
// with global, pg and the events service:
//
//   - net_kernel answers {is_auth, Node} with yes, so net_adm:ping/1 and
//     Node.ping/1 return pong;
//   - rex serves rpc:call/cast/block_call/sbcast;
//   - the spawnable MFAs {erpc, execute_call, 4} and {erpc, execute_cast, 3}
//     serve erpc:call/cast/multicall (and rpc:call, which uses erpc since
//     OTP 23), with the same DOWN-reason shapes as a BEAM node;
//   - an io server registered as user is the group leader of Go-initiated
//     work: put_chars and io:format output lands in the node's logger.
//
// The service processes never die from what a peer sends them: a reply
// that cannot be delivered (the caller's node is gone, a malformed From)
// is logged at Debug and dropped, as OTP's gen:reply is a send that cannot
// fail. They are also supervised: one that exits anyway (exit(Pid, kill)
// from BEAM, a bug) is started again under its name with a log line,
// within a restart budget (WithRestartIntensity); Done and Err report a
// supervisor that gave up. OTP itself restarts none of these (kernel_sup
// is one_for_all with intensity 0: a BEAM node whose rex or net_kernel
// dies halts); a library node leaves that decision to its program. The
// global and pg packages supervise their processes the same way.
//
// Go functions are registered by {Module, Function, Arity} with
// (*Services).Register (or the typed adapters Func0..Func3). What a
// function returns or raises maps onto the exception classes a BEAM caller
// sees: a nil error returns the value; Throw, Exit and Raise (or a
// *node.ExitError) raise throw, exit and error; any other error raises
// error with the message as a binary, or, on a node with a type registry
// (node.WithRegistry), with the registered term of a registered error (the
// sentinel's atom, the error value's struct or record); a panic raises
// error {panic, <<"text">>}. With a registry, arguments of the typed
// adapters and return values go through it too: %Shop.Order{} arrives as
// the registered Order and an Order returned is %Shop.Order{} again. An unregistered function raises undef exactly as BEAM
// does ({undef, [{M, F, Args, []}]}).
//
// The client side — RPC, Cast, Multicall, Format and PutChars — calls
// M:F(A) on any BEAM node and writes to a BEAM group leader.
//
// Spec: kernel rpc, https://www.erlang.org/doc/man/rpc.html
//
// Spec: kernel erpc, https://www.erlang.org/doc/man/erpc.html
//
// Spec: STDLIB The Erlang I/O Protocol, https://www.erlang.org/doc/apps/stdlib/io_protocol.html
//
// Spec: kernel net_kernel, https://www.erlang.org/doc/man/net_kernel.html
package interop
