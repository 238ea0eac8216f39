package svcsup

import (
	"log/slog"
	"slices"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Replier sends the replies of one service. A reply is a send that never
// fails the service, as OTP's gen:reply is (Pid ! {Tag, Reply}): a bad
// From, an unknown or unreachable node, a full mailbox are logged at Debug
// and the service carries on. A reply to a node that is not connected does
// not stall the service: node's sends connect in the background, as OTP's
// send does not suspend the sender on auto-connect either.
type Replier struct {
	Log *slog.Logger
	// NoConnect drops replies to nodes that are not connected, as
	// net_kernel's async_gen_server_reply sends with [noconnect]
	// (the caller's gen:call sees the noconnection on its monitor).
	NoConnect bool
}

// Reply answers from ({Pid, Tag} of a received '$gen_call') with reply.
func (r *Replier) Reply(p *node.Process, from, reply etf.Term) {
	pid, _, ok := node.ParseFrom(from)
	if !ok {
		r.Log.Debug("reply dropped: bad From", "from", from)
		return
	}
	r.do(p, pid.Node, func() error { return node.Reply(p, from, reply) })
}

// Send sends msg to pid with the same never-fail rules (io replies, rex's
// {rex, Node, Reply} answers).
func (r *Replier) Send(p *node.Process, to etf.PID, msg etf.Term) {
	r.do(p, to.Node, func() error { return p.Send(to, msg) })
}

func (r *Replier) do(p *node.Process, dest etf.Atom, send func() error) {
	if r.NoConnect {
		if n := p.Node(); dest != n.Name() && !connected(n, dest) {
			r.Log.Debug("reply dropped: node not connected", "to", dest)
			return
		}
	}
	if err := send(); err != nil {
		r.Log.Debug("reply dropped", "to", dest, "err", err)
	}
}

// connected reports a connection to dest, hidden ones included: a hidden
// caller (erl_call) is answered too.
func connected(n *node.Node, dest etf.Atom) bool { return slices.Contains(n.ConnectedNodes(), dest) }
