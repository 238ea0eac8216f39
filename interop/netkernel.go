// Spec: kernel net_kernel, https://www.erlang.org/doc/man/net_kernel.html

package interop

import (
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// netKernel is the net_kernel process. BEAM's net_adm:ping/1 calls
// {net_kernel, Node} with {is_auth, node()} and disconnects unless the
// answer is yes; the connection itself is already authenticated by the
// handshake, so yes is always right here.
func (s *Services) netKernel(p *node.Process, msg etf.Term) error {
	from, req, ok := node.ParseGenCall(msg)
	if !ok {
		// Casts and stray messages are ignored, as net_kernel does with
		// unknown info messages.
		return nil
	}
	// A reply that cannot be delivered (the caller's node is gone) is
	// dropped: it must never end net_kernel (net_adm:ping would answer
	// pang from then on).
	s.nkReplier.Reply(p, from, s.netKernelCall(req))
	return nil
}

// netKernelCall answers the net_kernel calls a peer may make remotely.
func (s *Services) netKernelCall(req etf.Term) etf.Term {
	switch r := req.(type) {
	case etf.Tuple:
		if len(r) == 2 && r[0] == etf.Atom("is_auth") {
			return etf.Atom("yes")
		}
	case etf.Atom:
		switch r {
		case "get_net_ticktime", "ticktime":
			// Our default, as BEAM's (WithTickTime may differ; the
			// node does not expose it).
			return 60
		case "get_state":
			return etf.Map{
				{Key: etf.Atom("started"), Value: etf.Atom("dynamic")},
				{Key: etf.Atom("name"), Value: s.n.Name()},
			}
		}
	}
	return etf.Tuple{atomError, etf.Tuple{etf.Atom("unsupported"), req}}
}
