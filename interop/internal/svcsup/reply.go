package svcsup

import (
	"log/slog"
	"sync/atomic"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// maxAsyncReplies bounds the replies in flight to nodes that are being
// connected to; past it a reply is dropped (and logged), as a message to
// an unreachable node is lost anyway.
const maxAsyncReplies = 64

// Replier sends the replies of one service. A reply is a send that never
// fails the service, as OTP's gen:reply is (Pid ! {Tag, Reply}): a bad
// From, an unknown or unreachable node, a full mailbox are logged at Debug
// and the service carries on. A reply to a node that is not connected is
// sent from a goroutine, because connecting can take seconds and OTP's
// send does not suspend the sender on auto-connect either.
type Replier struct {
	Log *slog.Logger
	// NoConnect drops replies to nodes that are not connected, as
	// net_kernel's async_gen_server_reply sends with [noconnect]
	// (the caller's gen:call sees the noconnection on its monitor).
	NoConnect bool

	inflight atomic.Int32
}

// Reply answers from ({Pid, Tag} of a received '$gen_call') with reply.
func (r *Replier) Reply(p *node.Process, from, reply etf.Term) {
	pid, ok := fromPID(from)
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
	n := p.Node()
	if dest == n.Name() || connected(n, dest) {
		if err := send(); err != nil {
			r.Log.Debug("reply dropped", "to", dest, "err", err)
		}
		return
	}
	if r.NoConnect {
		r.Log.Debug("reply dropped: node not connected", "to", dest)
		return
	}
	if r.inflight.Add(1) > maxAsyncReplies {
		r.inflight.Add(-1)
		r.Log.Warn("reply dropped: too many replies waiting for connections", "to", dest)
		return
	}
	go func() {
		defer r.inflight.Add(-1)
		if err := send(); err != nil {
			r.Log.Debug("reply dropped", "to", dest, "err", err)
		}
	}()
}

func fromPID(from etf.Term) (etf.PID, bool) {
	t, ok := from.(etf.Tuple)
	if !ok || len(t) != 2 {
		return etf.PID{}, false
	}
	pid, ok := t[0].(etf.PID)
	return pid, ok
}

func connected(n *node.Node, dest etf.Atom) bool {
	for _, x := range n.Nodes() {
		if x == dest {
			return true
		}
	}
	return false
}
