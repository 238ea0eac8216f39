// Package dist implements the Erlang distribution protocol below the
// process layer: the connection handshake (erl_dist_protocol, versions 5
// and 6, both roles, every status), capability flags, the connection
// framing (4-byte packets, ticks, pass-through and the 131,68 distribution
// header with its per-connection atom cache, fragments 131,69/70) and every
// control message from LINK (1) to ALTACT_SIG_SEND (37) as typed Go values.
// Semantics (links, monitors, mailboxes, net_kernel) belong to the node
// layer; this package only moves typed messages.
//
// # Connections
//
// A Manager owns one node's connections. Serve accepts, Connect dials
// through Config.Dial (the node layer resolves peers with EPMD), and
// simultaneous connects are arbitrated as net_kernel does: the node with
// the greater name wins (the loser's acceptor answers ok_simultaneous and
// aborts its own attempt, the winner's answers nok). A peer that reconnects
// while its old connection is still up gets status alive; when it answers
// true the old connection goes down with ErrReplaced. Peers lacking the
// OTP 25/26 mandatory flags get not_allowed and a log line naming the
// missing flags. Every handshake step (and the TLS handshake) is bounded
// by SetupTimeout.
//
// Each Conn has exactly one reader goroutine, which decodes packets in wire
// order and calls Handler.HandleMessage sequentially: ordering per process
// pair is a protocol guarantee, so a connection's packets are never decoded
// concurrently. A malformed packet closes only the connection it arrived
// on, with a logged reason (ErrMalformed), like ERTS.
//
// What a peer can make the reader do is bounded the way ERTS bounds it:
//
//   - A signal whose sender is not a process of the peer, or whose target
//     must be local and is not (LINK, EXIT, EXIT2, UNLINK_ID, MONITOR_P
//     ...; see checkSignal for the table), closes the connection as an
//     invalid distribution message (ErrInvalidMessage), as ERTS'
//     erts_net_message does. Senders of plain messages are not checked,
//     as in ERTS.
//   - Incomplete fragmented messages hold at most Config.MaxReassembly
//     bytes per connection, counted as buffer capacity plus the atom-cache
//     refs each keeps, in at most Config.MaxFragmentSeqs sequences; past
//     either the connection closes with ErrReassemblyLimit. A first
//     fragment's count reserves the whole message's buffer up front, but
//     the promise buys at most 8 MiB and a quarter of the room left, and
//     the reservation is accounted like any other capacity.
//
// Large messages: a fragmented message is assembled in a buffer of its own
// (continuation fragments are read from the transport straight into it)
// and the binaries decoded from it alias that buffer rather than being
// copied; the buffer is never reused, so it lives as long as any binary of
// that message is referenced, much like a BEAM refc binary. Binaries of
// unfragmented messages are always copies.
//   - A term over Config.Limits (etf.ErrTooLarge, etf.ErrTooDeep) loses
//     only its own message, logged at Warn; the stream is intact, so the
//     connection stays up. The default limits accept what the VM accepts.
//   - Peer names are checked as OTP's accepting side checks them
//     (alive@host); long vs short names are only enforced when dialling,
//     so erl_call's "c17@shorthost" may call a long-name node.
//
// Sending: Conn.Send encodes the control message and payload straight into
// the connection's shared output buffer under a mutex (no intermediate
// buffers for unfragmented messages). On an idle plain-TCP connection the
// sending goroutine then writes its frame itself with a non-blocking write
// (no goroutine hand-off, which matters for request/response latency);
// otherwise, and under load, one writer goroutine flushes everything queued
// with a single Write, so many small messages share a syscall. Only one
// goroutine writes at a time and it takes the whole queue, so the wire
// order is the order in which Send calls were accepted. Fragmented
// messages on plain sockets are not copied into the queue: it holds their
// headers and the encoding area, written together with writev. Policy for
// slow peers: Send blocks while more than
// Config.WriteQueue bytes are queued (backpressure; a single larger message
// is admitted alone), and a Write that makes no progress for TickTime
// closes the connection with ErrWriteTimeout. Conn.Close flushes what was
// queued (for at most a second) before closing.
//
// The wire variant follows the negotiated flags: SEND_SENDER when the peer
// set it and Send.From is known, PAYLOAD_EXIT* / PAYLOAD_MONITOR_P_EXIT with
// EXIT_PAYLOAD, ALTACT_SIG_SEND for alias sends to OTP 28 peers (else
// ALIAS_SEND), *_TT when a Token is set, the 131,68 header with the atom
// cache when DIST_HDR_ATOM_CACHE was negotiated (the sender fills a
// 2048-slot cache per connection; the receiver honours new and cached
// refs), fragments of Config.FragmentSize when the peer set FRAGMENTS, and
// pass-through 'p' framing only when neither header flag was negotiated.
// On receive, variants are normalized (see Control).
//
// Ticks follow net_ticktime/net_tickintensity: every TickTime/TickIntensity
// a tick is written if nothing was sent in the interval, and the peer is
// declared dead (ErrTickTimeout, "net_tick_timeout") after TickIntensity
// intervals in which nothing was read.
//
// TLS (Config.TLS) interoperates with OTP's -proto_dist inet_tls: TLS
// first, then the handshake inside TLS with 4-byte length framing, as
// inet_tls_dist does.
//
// For tests, Manager.ServeConn and Manager.ConnectConn run the handshake
// over any net.Conn, e.g. both ends of net.Pipe.
//
// # Contract with the node layer
//
// The agreed names and shapes are kept. Additions: Manager.ServeConn,
// Manager.ConnectConn, Manager.Name, Manager.Config; Conn.Done, Conn.Err,
// Conn.PeerFlags, Conn.Stats, Conn.LocalAddr, Conn.RemoteAddr; Flags.Has,
// Flags.Names; Config.MaxPacket, Config.WriteQueue, Config.MaxFragmentSeqs,
// Config.Limits; Unlink and NodeLink
// controls; ConnStats. A received ALTACT_SIG_SEND whose only flag is ALIAS
// (plus TOKEN) is delivered as AliasSend. Dynamic names (NAME_ME): the
// acceptor side assigns names; the initiator side exists at handshake level
// but is not exposed by Manager.
//
// Spec: Distribution Protocol, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html
//
// Spec: External Term Format / Distribution Header, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html#distribution-header
package dist
