package node

import (
	"errors"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// Registry returns the type registry given WithRegistry, or nil.
func (n *Node) Registry() *etf.Registry { return n.cfg.registry }

// Registry returns the type registry of the process's node, or nil; typed
// helpers (actors.Call) convert replies with it.
func (p *Process) Registry() *etf.Registry { return p.node.cfg.registry }

// inbound applies the node's registry to the payload of a message from
// another node, before delivery (reader goroutine). Dist has already
// decoded a registered top-level value into its Go type; what is left here
// is a misfit it reported, and the requests and replies of the gen
// protocol, whose Go value sits inside the protocol tuple:
// {'$gen_call', From, Req}, {'$gen_cast', Req} and {Tag, Reply} (Tag a
// reference or [alias|Ref]). ok is false when the message is dropped.
// Without a registry it is the payload as it is. c is the connection the
// message came on, whose rate limit the misfit warnings go through.
func (n *Node) inbound(c *dist.Conn, m dist.Message) (msg etf.Term, ok bool) {
	if n.cfg.registry == nil {
		return m.Payload, true
	}
	if mm, ok := m.Payload.(*dist.Mismatched); ok {
		return mm.Term, mismatch(c, m.Control, mm.Err)
	}
	t, isTuple := m.Payload.(etf.Tuple)
	if !isTuple {
		return m.Payload, true
	}
	i := genInner(t)
	if i < 0 {
		return m.Payload, true // not t: boxing it again would allocate
	}
	v, matched, err := n.cfg.registry.FromTerm(t[i])
	if err != nil && !mismatch(c, m.Control, err) {
		return nil, false
	}
	if matched {
		t[i] = v // the term was decoded for this message alone; m.Payload shares it
	}
	return m.Payload, true
}

// mismatch logs a message that names a registered type but does not fit
// it and reports whether it is still delivered (as the raw term). The
// warning goes through the connection's rate limit (dist.Conn.WarnLimited):
// a peer sending nothing but misfits must not flood the log, and the
// line after a quiet spell says how many went unlogged.
func mismatch(c *dist.Conn, ctl dist.Control, err error) bool {
	rejected := errors.Is(err, etf.ErrRejected)
	msg := "node: message does not fit its registered type; delivered as the raw term"
	if rejected {
		msg = "node: message does not fit its registered type; dropped"
	}
	c.WarnLimited(msg, "op", ctl.Op().String(), "reason", err)
	return !rejected
}
