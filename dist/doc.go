// Package dist implements the Erlang distribution protocol below the
// process layer: the connection handshake (erl_dist_protocol, versions 5
// and 6, both roles, every status), capability flags, the connection
// framing (4-byte packets, ticks, pass-through and the 131,68 distribution
// header with its per-connection atom cache, fragments 131,69/70) and every
// control message from LINK (1) to ALTACT_SIG_SEND (37) as typed Go values.
//
// A Manager owns one node's connections. Serve accepts, Connect dials
// through Config.Dial (the node layer resolves peers with EPMD), and
// simultaneous connects are arbitrated as net_kernel does: the node with
// the greater name wins. Each Conn has exactly one reader goroutine, which
// decodes packets in wire order and calls Handler.HandleMessage
// sequentially (ordering per process pair is a protocol guarantee), one
// writer goroutine that flushes everything queued with a single Write, and
// a ticker with net_ticktime/net_tickintensity semantics.
//
// Semantics (links, monitors, mailboxes) belong to the node layer; this
// package only moves typed messages. A malformed packet closes only the
// connection it arrived on, with a logged reason, like ERTS.
//
// For tests, ServeConn and ConnectConn run the handshake over any
// net.Conn, e.g. both ends of net.Pipe.
//
// Deviations from the agreed contract: none in names or shapes. Additions:
// Manager.ServeConn/ConnectConn (in-memory seam), Conn.Done/Err/PeerFlags,
// Flags.Has/Names, Config.MaxPacket/WriteQueue.
package dist
