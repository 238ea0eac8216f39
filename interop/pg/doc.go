// Package pg runs pg scopes (OTP's process groups, module pg) on an erlgo
// node, so that Go processes can be members of groups shared with BEAM
// nodes and Go sees BEAM members: pg:join/leave/get_members/
// get_local_members/which_groups and pg:monitor on BEAM nodes see Go
// members and vice versa, kept up to date on join, leave, process death
// and nodedown.
//
// # Protocol
//
// A scope is a process registered under the scope name (pg for the default
// scope, 'Elixir.Phoenix.PubSub' for Phoenix.PubSub). Scopes of the same
// name find each other with a plain {discover, ScopePid}, sent to
// {Scope, Node} at scope start for every connected node and on every
// nodeup. A scope answers a discover with the cast
// {'$gen_cast', {sync, Self, [{Group, [LocalPid]}]}} and, if the peer was
// unknown, monitors it and sends {discover, Self} back. Later changes
// travel as plain messages {join, Self, Group, PidOrPids} and
// {leave, Self, PidOrPids, [Group]}. A peer's membership disappears when
// the monitor of its scope fires (scope exit or nodedown).
//
// A BEAM scope crashes (badarg) on any message it does not expect, so the
// Go scope only ever sends those four shapes to BEAM scopes, and only
// {discover, Pid} (not OTP 26's {discover, Pid, Vsn}, which OTP 25 does
// not accept).
//
// PubSub (pubsub.go) builds a Phoenix.PubSub-compatible endpoint on a
// scope: it speaks the PG2 adapter's {forward_to_local, Topic, Msg,
// Dispatcher} messages.
//
// What is left out: OTP 26+ {discover, Peer, Vsn} is accepted but never
// sent (OTP 25 scopes crash on it); the Go scope's own gen_server calls
// (pg:join from a BEAM process on the Go node) do not exist since BEAM
// code does not run there; Phoenix's broadcast_pool_size rolling-upgrade
// option and custom dispatchers (the Dispatcher element is ignored and
// messages go to every subscriber of the topic) are not modelled.
//
// Spec: kernel pg, https://www.erlang.org/doc/man/pg.html
package pg
