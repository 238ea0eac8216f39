// Package beamproc runs the BEAM-side OS processes that erlgo's bench and
// soak commands drive: a private epmd on a free loopback port, erlc over
// embedded helper modules, and erl (or elixir, or another erlgo) processes
// that talk a line protocol on stdin/stdout.
//
// It holds only the process plumbing; each caller keeps its own protocol
// (which lines mean what). It is for commands; tests use internal/erltest,
// whose helpers are bound to testing.TB.
package beamproc
