// Package actors provides OTP's behaviours for erlgo nodes: Actor (a
// gen_server), Supervisor, Applications (the application controller) and
// Pool. They speak OTP's wire protocols, so BEAM code and tools use them
// unchanged: gen_server:call/cast, sys:get_state/get_status/suspend/
// resume/terminate and supervisor:which_children/count_children/
// start_child/terminate_child/restart_child/delete_child/get_childspec
// all work on a Go process from an Erlang or Elixir shell.
//
// # Actors
//
// An Actor implements Init, HandleCall and HandleCast (embed Base for
// defaults) and optionally HandleInfo (InfoHandler), Terminate
// (Terminator), HandleContinue (ContinueHandler), State/SetState for sys.
// Spawn runs it on a node (in a cluster, the member's: m.Node() of
// cluster.Start); Process.Start and Process.StartLink run it
// from another actor (gen_server:start and start_link: a linked child's
// parent is the caller). A callback stops the actor by returning an
// error: Stop(reason) or StopNormal for a chosen exit reason, any other
// error exits with {error, <<"text">>}, as {stop, Reason, State} does.
//
// # One process handle
//
// The *Process a callback receives embeds *node.Process: every node
// operation is there with node's signature. The effects an Observer sees
// (Send, Call, Link, Unlink, Monitor, Demonitor, Exit, and Spawn,
// SpawnLink, SpawnMonitor, which start plain node.Behaviors) and the
// timers (SendAfter, CancelTimer, on the actor's Clock) are overridden
// with the same signatures; no method has two shapes. Spawn options are
// node.SpawnOptions: node.WithName, node.WithTrapExit ... and this
// package's WithArgs, WithClock and WithObserver, all given to the same
// call.
//
// OTP return-tuple features map to Process methods called from a
// callback: NoReply plus Reply for {noreply, ...} with a later reply,
// Continue for {continue, Arg}, SetTimeout for the timeout element
// (HandleInfo then receives Timeout), SendAfter/CancelTimer for
// erlang:send_after/3 and cancel_timer/1. Hibernation has no equivalent
// because an idle process holds no goroutine already.
//
// Call (generic), Cast, GetState, GetStatus, Suspend, Resume, ReplaceState
// and StopProcess are the client side, usable from Go against Go actors and
// against Erlang processes alike.
//
// # Supervision
//
// A Supervisor is an Actor with OTP's strategies (OneForOne, OneForAll,
// RestForOne, SimpleOneForOne), restart types, shutdown timeouts,
// intensity/period (default 1 restart in 5 s, then the supervisor exits
// with shutdown) and auto_shutdown with significant children. Children are
// Actors built by a Factory each time they start.
//
// # Applications and pools
//
// Applications starts named supervision trees after their dependencies,
// gives their processes an environment (Process.Env) and reacts like OTP's
// application controller when one stops by itself (AppPermanent stops all
// applications and the node). Pool runs N workers behind one name and
// forwards calls to them unchanged, so workers reply to the caller
// directly.
//
// # Testing
//
// Package actorstest runs one Actor with a fake clock and captures what it
// does; supervision trees are tested here under testing/synctest.
package actors
