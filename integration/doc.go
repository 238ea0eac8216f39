// Package integration holds the acceptance suite of erlgo against real
// Erlang/OTP and Elixir nodes: the demo node (package interop/demo and
// `erlgo node`) driven from BEAM, and the interop client driven from Go,
// with long (-name x@127.0.0.1) and short (-sname) names. Every test runs
// its own epmd on a private port, its own cookie and unique node names.
//
// The Erlang and Elixir halves of the checks live in erl/ and elixir/.
// Without erl the tests skip, except when CI is set, where they fail.
package integration
