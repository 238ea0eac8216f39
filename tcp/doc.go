// Package tcp gives erlgo processes TCP servers and clients in gen_tcp's
// shapes. A listener and every connection are processes: each is linked
// to its owner (it closes when the owner exits, and the owner gets an
// exit signal, or a monitor a DOWN, when it dies), can run under a
// supervisor, and can be registered (WithSpawnOptions(node.WithName(...)))
// to show in the observer.
//
// # Servers
//
// Listen starts a listener process linked to its owner. Each accepted
// connection becomes a Socket, whose controlling process is a new handler
// process (WithHandler), one of a pool of workers (WithPool), or the owner
// (the default); the last two receive Accepted. WithTLS accepts TLS;
// WithMaxConns bounds the open connections: beyond it the listener stops
// accepting, so an accept flood waits in the kernel's backlog instead of
// costing memory.
//
//	l, err := tcp.Listen(ctx, p, "127.0.0.1:7000", tcp.WithPacket(4),
//		tcp.WithHandler(func(s *tcp.Socket) node.Behavior { return &echo{} }))
//
// # Clients
//
// Dial connects (bounded by ctx or WithConnectTimeout) and returns a
// Socket linked to its owner. WithReconnect keeps it across connections:
// Closed when one ends, Connected when a new one is up.
//
// # Messages
//
// The controlling process receives Data ({tcp, Socket, Data}), Closed
// ({tcp_closed, Socket}) and Error ({tcp_error, Socket, Reason}, followed
// by Closed), as Go values in Go and as those tuples on the wire. After
// Closed the socket's process exits normal.
//
// # Active modes and flow control
//
// WithActive and SetActive choose gen_tcp's modes. Active delivers as data
// arrives; Once delivers one message and turns Passive until SetActive(Once)
// re-arms it; Passive delivers nothing and the controller calls Recv
// (gen_tcp:recv/3, with a timeout). In every mode a socket holds at most
// one message it could not deliver: it stops reading, the kernel's
// buffers fill and TCP's flow control makes the peer wait. Active mode
// also pauses while the controller's mailbox holds WithWindow messages,
// where BEAM's {active, true} would let the mailbox grow.
//
// # Framing
//
// WithPacket(0) delivers bytes as read and sends them as is; 1, 2 or 4
// prefix every message with its big-endian length ({packet, N}); Line
// delivers one line per message, "\n" included ({packet, line}). An
// incoming packet or line over WithMaxPacket closes that connection: its
// controller gets Error with reason emsgsize, then Closed, and the reason
// is logged at Info; other connections are unaffected. BEAM cuts lines
// longer than its receive buffer into pieces; erlgo delivers lines whole
// up to WithMaxPacket.
//
// # Sending and closing
//
// Send writes one message straight to the connection: there is no write
// queue, so a peer that does not read makes Send wait once the kernel's
// send buffer is full, and memory stays flat. ctx bounds the wait; a Send
// it cuts short closes the socket (part of the message may be out), as
// gen_tcp's send_timeout_close. Close closes gracefully: what Send wrote
// is delivered before the FIN. It unlinks first, so the controller gets
// no exit signal, as gen_tcp:close/1. ControllingProcess hands the socket
// to another process (gen_tcp:controlling_process/2).
package tcp
