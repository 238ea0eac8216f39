// Package global makes an erlgo node a member of OTP's global name
// registry: it runs a global_name_server process that speaks the protocol
// of OTP 25's global module (protocol version 7), so that on a cluster with
// visible BEAM nodes global:sync/0 returns, names registered on either side
// are seen on the other, name clashes are resolved as OTP does, and
// global:set_lock/trans work across the Go node.
//
// # Protocol summary
//
// When two nodes connect, each global_name_server casts
// {init_connect, {Vsn, Tag}, Node, {locker, _, Known, LockerPid}} to the
// other. Each node has one locker process; the lockers take the resource
// global in both partitions with the same requester id
// {global, lists:sort([LockerA, LockerB])} (set_lock calls to every
// global_name_server of the partition) and tell each other through
// {lock_set, LockerPid, true, Known} casts to the peer's server. With the
// lock held both servers send {exchange, Node, Names, NamesExt, HisTag},
// resolve clashes, answer {resolved, Node, Ops, Known, unused, NamesExt,
// HisTag}, tell the rest of their partition about the other partition with
// {new_nodes, Node, Ops, NamesExt, NewNodes, ExtraInfo} and finally the
// lock is released. Nodes learning about new nodes connect to them and send
// {in_sync, Node, true}. Registrations are gen_server:multi_call
// {register, Name, Pid, Method} / {unregister, Name} under the lock
// {global, RegistrarPid} on every known node; global:set_lock is a
// multi_call {set_lock, Id} / {del_lock, Id}. With
// prevent_overlapping_partitions a node that loses a connection multicasts
// {lost_connection, Node, XCreation, OpId, LostNode}; receivers ask the lost
// node to drop them with {remove_connection, Node}.
//
// The Go node announces version 7 (OTP 25), so newer BEAM nodes talk the
// OTP 25 dialect to it (no init_connect_ack/cancel_connect).
//
// # Go API
//
// Start attaches the server to a node; (*Server).Register, Unregister,
// Whereis, Send, Sync, SetLock, DelLock and Trans mirror the global module.
// A Go-registered name carries the method {global, random_exit_name, 3}
// (an external fun), so clashes are resolved with OTP's default: one pid is
// kept (the one on the lower node name) and the other is killed.
//
// # What is left out, and why
//
//   - Protocol version 8 (OTP 25.3+/26: init_connect_ack, cancel_connect,
//     the 5-tuple lock_set with a tag). The Go node announces 7 and newer
//     nodes fall back to 7 for it; receiving version-8 messages is
//     harmless (they are ignored).
//   - global_group (node groups, group_nodeup/group_nodedown, the
//     global_groups kernel parameter): the Go node is always in the one
//     default group.
//   - External names (register_name_external, global_names_ext): a
//     register_ext is stored as an ordinary name and NamesExt is sent as
//     [] (C-node names are a legacy feature; BEAM nodes still hold them).
//   - lock_still_set checks on {register,...} and new_nodes inserts (a
//     race OTP guards against when the lock holder's node restarted
//     between taking the lock and the insert).
//   - Resolve methods that are BEAM funs run only on BEAM nodes: when the
//     Go node resolves a clash over a name whose pid lives on the Go node
//     and whose method is not one of global's three standard resolvers
//     (as external funs), it uses random_exit_name.
//   - Lock retries of the Go locker: the locker refuses (lock_set false)
//     a peer that asks while it is busy with another node instead of
//     deferring the request; the peer retries after its back-off.
//
// Spec: kernel global, https://www.erlang.org/doc/man/global.html
package global
