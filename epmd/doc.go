// Package epmd implements the Erlang Port Mapper Daemon protocol: a client
// (register a node, look nodes up, list names, dump, kill), a server that
// behaves like OTP's epmd, StartDaemon, which runs a detached EPMD that
// outlives this process, and Publish, which keeps a node registered for
// its lifetime and starts an EPMD when none is running.
//
// The protocol (OTP's erl_dist_protocol): every request is Len:16 followed
// by Len bytes whose first byte is the request code; answers carry no
// length. A node registers with ALIVE2_REQ and keeps that socket open;
// closing it unregisters the node. EPMD's port is 4369, or ERL_EPMD_PORT.
//
// # Which piece to use
//
//   - A node: Publish. It registers as a client when an EPMD answers,
//     otherwise starts one and registers in it; it re-registers when the
//     EPMD connection drops and starts an EPMD again when none is left.
//     What it starts is PublishOptions.Fallback: by default a detached
//     daemon (OTP's epmd from PATH, as erl does), which outlives the node
//     so that erl nodes registered in it stay reachable; or the in-process
//     Server (FallbackEmbedded), which stops with the node and drops every
//     registration in it (erl nodes never register again); or nothing.
//   - Looking up a peer: Client{Host: peerHost}.PortPlease.
//   - A standalone EPMD: Server (the `erlgo epmd` subcommand; with -daemon
//     it detaches through StartDaemon).
//
// # Differences from OTP's epmd (epmd_srv.c)
//
// The server follows epmd_srv.c: framing limits (a length of 0 or more than
// MaxRequestLen closes the connection), ALIVE2/DUMP/KILL/STOP only from
// local peers (loopback, or the socket's own address), name rules (1..255
// characters of UTF-8, no NUL, at most 1020 bytes; Extra at most 1020
// bytes), duplicate names refused with result 1 and creation 99,
// creations from a per-name counter seeded by the clock (full 32-bit value,
// never below 4, for version-6 nodes; counter%3+1 with the 16-bit
// ALIVE2_RESP otherwise), exact PORT2_RESP echo, NAMES and DUMP text
// (including DUMP's NUL after each line), and KILL answered "NO" while
// nodes are registered. Deliberate differences, all at the edges:
//
//   - An empty node name is refused with result 1; epmd would register ""
//     when the request is padded to its minimum length.
//   - A refused ALIVE2 (result 1) closes the socket after the answer; epmd
//     keeps it open until the peer closes it.
//   - A request followed by extra bytes in the same segment is answered and
//     the connection closed; epmd closes without answering. (Extra bytes on
//     a registration socket unregister the node in both.)
//   - RequestTimeout (default 60 s, epmd's packet_timeout) bounds the whole
//     request, not the idle time between bytes, so a peer trickling one
//     byte a minute cannot hold a slot for days.
//   - Connections are bounded by MaxConns (default 512); extra ones are
//     closed at once with a rate-limited log line. epmd's bound is its file
//     descriptor limit.
//   - STOP_REQ (only with RelaxedCommandCheck) answers just "NOEXIST" for
//     unknown names; epmd sends "NOEXIST" followed by "STOPPED". An empty
//     STOP name closes the connection.
//   - Remembered names (for creation bumping) are a FIFO of 1000; when full,
//     the oldest is forgotten. epmd instead recycles the oldest slot, whose
//     counter then carries over to an unrelated new name.
//   - IPv6 loopback (::1) counts as local, and ":port" listens dual-stack.
//   - DUMP's "fd = N" is the descriptor of the registration socket in this
//     process (-1 for connections without one).
//   - An accepted KILL stops the Server (Serve returns ErrKilled); the
//     process exits only if its owner decides so (the subcommand does).
//
// Publish adds one rule epmd cannot have: if a re-registration yields the
// same creation as before (a restarted epmd seeds from the clock, so a
// restart within the same second repeats numbers), it registers once more
// to get a different one, so peers never confuse two incarnations.
//
// The client strips the NULs from DUMP answers, validates names before
// sending (ErrInvalidName), and maps a refused ALIVE2 to ErrNameTaken.
//
// Spec: Distribution Protocol / EPMD Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#epmd-protocol
package epmd
