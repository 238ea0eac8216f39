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
package global
