package tcp

import (
	"github.com/erlgo/erlgo/etf"
)

var (
	atomTCP       = etf.Atom("tcp")
	atomClosed    = etf.Atom("tcp_closed")
	atomError     = etf.Atom("tcp_error")
	atomAccepted  = etf.Atom("tcp_accepted")
	atomConnected = etf.Atom("tcp_connected")
	atomEmsgsize  = etf.Atom("emsgsize")
	atomTimeout   = etf.Atom("timeout")
)

// Data is a message from the peer: gen_tcp's {tcp, Socket, Data}.
type Data struct {
	Socket *Socket
	Data   []byte
}

// Closed says the peer closed the connection (or it broke): gen_tcp's
// {tcp_closed, Socket}.
type Closed struct{ Socket *Socket }

// Error is gen_tcp's {tcp_error, Socket, Reason}: Reason is the POSIX
// atom (emsgsize for a packet over the maximum, econnreset, etimedout,
// ...) and Err the Go error behind it. Closed follows.
type Error struct {
	Socket *Socket
	Reason etf.Atom
	Err    error
}

// Accepted hands an accepted socket to its controlling process (the
// Listener's owner, or a pool worker): {tcp_accepted, Listener, Socket}.
// gen_tcp has no such message; its acceptor calls accept/1.
type Accepted struct {
	Listener *Listener
	Socket   *Socket
}

// Connected tells a WithReconnect socket's controller that a new
// connection is up after a Closed: {tcp_connected, Socket}.
type Connected struct{ Socket *Socket }

// Term returns {tcp, Socket, Data}, Socket as its pid.
func (m Data) Term() etf.Term { return etf.Tuple{atomTCP, m.Socket.ID(), m.Data} }

// MarshalTerm sends m to other nodes as Term.
func (m Data) MarshalTerm() (etf.Term, error) { return m.Term(), nil }

// Term returns {tcp_closed, Socket}.
func (m Closed) Term() etf.Term { return etf.Tuple{atomClosed, m.Socket.ID()} }

// MarshalTerm sends m to other nodes as Term.
func (m Closed) MarshalTerm() (etf.Term, error) { return m.Term(), nil }

// Term returns {tcp_error, Socket, Reason}.
func (m Error) Term() etf.Term { return etf.Tuple{atomError, m.Socket.ID(), m.Reason} }

// MarshalTerm sends m to other nodes as Term.
func (m Error) MarshalTerm() (etf.Term, error) { return m.Term(), nil }

// Term returns {tcp_accepted, Listener, Socket}.
func (m Accepted) Term() etf.Term {
	return etf.Tuple{atomAccepted, m.Listener.ID(), m.Socket.ID()}
}

// MarshalTerm sends m to other nodes as Term.
func (m Accepted) MarshalTerm() (etf.Term, error) { return m.Term(), nil }

// Term returns {tcp_connected, Socket}.
func (m Connected) Term() etf.Term { return etf.Tuple{atomConnected, m.Socket.ID()} }

// MarshalTerm sends m to other nodes as Term.
func (m Connected) MarshalTerm() (etf.Term, error) { return m.Term(), nil }
