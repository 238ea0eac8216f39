// Package soak runs erlgo's soak test: a Go node and real erl and elixir
// nodes exchange traffic in phases for a duration, with idle gaps longer
// than net_ticktime between phases, and every phase is checked for
// correctness and for leaks.
//
// # What runs
//
// Run starts a private epmd (on a free port, never 4369), compiles the
// BEAM helper (erl/erlgo_soak.erl) with erlc into a temporary directory,
// starts the Go node (with net_kernel, rex/erpc, global and the default pg
// scope, a gen_server, remotely spawnable functions) and two BEAM peers:
// erl running erlgo_soak:main/0 and elixir running erl/soak.exs, whose
// echo server is an Elixir GenServer. All nodes use the same
// net_ticktime (Config.TickTime). The Go node dials erl and elixir dials
// the Go node, so both handshake roles are soaked. The runner drives the peers through
// gen_server calls to their erlgo_soak server, over the distribution
// connections under test.
//
// Phase kinds cycle (Kinds): burst (sender/receiver pairs in both
// directions, by pid and by registered name, with sequence numbers and
// payloads of every term shape, 100 kB fragmented ones included), calls
// (many callers: Go->BEAM gen_server calls and rpc, BEAM->Go gen_server
// calls and erpc), churn (BEAM->Go remote spawn_link/spawn_monitor/spawn,
// link/unlink, monitor/demonitor also by name, exit, global
// register/unregister and pg join/leave; Go->BEAM link, monitor,
// demonitor, unlink, exit, kill), mixed (all three at half size), push
// (Go->BEAM bursts only, so for a whole phase the Go side only writes and
// hears nothing but ticks) and pull (BEAM->Go only: it only reads, and
// must keep ticking).
//
// # What is checked
//
// Per phase: no unexpected nodedown (monitor_node on the Go side for each
// peer, and on each peer for the Go node), no lost, reordered, duplicated
// or corrupted message per sender/receiver pair (checked on the receiving
// side, Go and BEAM), no failed call, no missing or extra EXIT/DOWN in the
// churn, the Go node's global and pg views empty of the churn's names
// again, and, at the end of the idle gap, goroutines and live heap (after
// GC) back to the baseline taken after setup within a slack, and the
// peers' process counts back too. Report.Err lists what failed;
// Report.WriteTable prints the summary table.
//
// `erlgo soak -duration 10m` (make soak) runs DefaultConfig; TestSoakShort
// runs ShortConfig (2 s ticktime, about a minute) in go test. The checks
// assert correctness, never speed: the machine may be loaded.
package soak
