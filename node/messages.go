package node

import "github.com/erlgo/erlgo/etf"

// ExitMsg is delivered to a process that traps exits instead of the exit
// signal killing it: Erlang's {'EXIT', From, Reason}. From is the etf.PID
// of the sender (the linked process or the caller of Exit).
type ExitMsg struct {
	From   etf.PID
	Reason etf.Term
}

// DownMsg is delivered when a monitored process exits (or does not exist):
// Erlang's {'DOWN', Ref, process, Object, Reason}. Object is the etf.PID
// when the monitor was by pid, and a Name when it was by registered name.
// Reason is noproc when the process did not exist and noconnection when the
// connection to its node was lost.
type DownMsg struct {
	Ref    etf.Ref
	Type   etf.Atom // always "process"
	Object etf.Term
	Reason etf.Term
}

// NodeDownMsg is delivered to processes that called MonitorNode (or
// MonitorNodes) when the connection to Node is lost or cannot be set up:
// Erlang's {nodedown, Node}.
type NodeDownMsg struct {
	Node etf.Atom
}

// NodeUpMsg is delivered to processes that called MonitorNodes when a
// connection to Node comes up: Erlang's {nodeup, Node}.
type NodeUpMsg struct {
	Node etf.Atom
}

// Name addresses a registered process on a node: Erlang's {Name, Node}.
// Send, Call, Monitor and Link-free operations accept it anywhere a target
// is expected, as does the equivalent etf.Tuple{etf.Atom, etf.Atom}.
type Name struct {
	Name etf.Atom
	Node etf.Atom
}

// Term returns the Erlang form {Name, Node}.
func (n Name) Term() etf.Term { return etf.Tuple{n.Name, n.Node} }

// Term converts a system message into the tuple BEAM code would receive,
// e.g. for forwarding it to an Erlang process.
func (m ExitMsg) Term() etf.Term { return etf.Tuple{etf.Atom("EXIT"), m.From, m.Reason} }

// Term returns {'DOWN', Ref, process, Object, Reason}; a Name object
// becomes the tuple {Name, Node}.
func (m DownMsg) Term() etf.Term {
	obj := m.Object
	if n, ok := obj.(Name); ok {
		obj = n.Term()
	}
	return etf.Tuple{etf.Atom("DOWN"), m.Ref, m.Type, obj, m.Reason}
}

// Term returns {nodedown, Node}.
func (m NodeDownMsg) Term() etf.Term { return etf.Tuple{etf.Atom("nodedown"), m.Node} }

// Term returns {nodeup, Node}.
func (m NodeUpMsg) Term() etf.Term { return etf.Tuple{etf.Atom("nodeup"), m.Node} }
