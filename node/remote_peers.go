package node

import (
	"context"
	"fmt"
	"net"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// Connect connects to node (EPMD lookup or route, and handshake) unless
// already connected. Sends connect on demand; Connect is for callers that
// want the connection up front or its error, which wraps both
// ErrNoConnection and the cause (ctx's error, or one of dist's or epmd's,
// e.g. dist.ErrBadCookie).
//
// Like net_kernel:connect_node/1, Connect always dials, even inside the
// connect back-off window that a failed attempt opened (see
// WithConnectBackoff); its own failure opens or extends that window for
// the sends, links, monitors and calls that dial on demand, and its
// success closes it. A failure that is only ctx ending is not counted.
func (n *Node) Connect(ctx context.Context, node etf.Atom) error {
	if n.remote == nil {
		return ErrNoConnection
	}
	if node == n.name {
		return nil
	}
	if _, err := n.remote.mgr.Connect(ctx, node); err != nil {
		if ctx.Err() == nil {
			n.remote.connectFailed(node, err)
		}
		return fmt.Errorf("%w: %s: %w", ErrNoConnection, node, err)
	}
	return nil
}

// Disconnect closes the connection to node (erlang:disconnect_node/1).
func (n *Node) Disconnect(node etf.Atom) error {
	if n.remote == nil {
		return ErrNoConnection
	}
	return n.remote.mgr.Disconnect(node)
}

// Nodes returns the nodes connected through published (visible)
// connections: OTP's nodes(), the ones global and pg synchronise with. A
// hidden peer (erl_call, a remote shell, erlgo observer) is not listed;
// ConnectedNodes lists it too.
func (n *Node) Nodes() []etf.Atom {
	return n.nodesWhere(func(c *dist.Conn) bool { return !c.Hidden() })
}

// ConnectedNodes returns every connected node, visible and hidden (OTP's
// nodes(connected)).
func (n *Node) ConnectedNodes() []etf.Atom {
	return n.nodesWhere(func(*dist.Conn) bool { return true })
}

// HiddenNodes returns the nodes connected through hidden connections
// (OTP's nodes(hidden)): either side started hidden, e.g. erl_call or a
// remote shell.
func (n *Node) HiddenNodes() []etf.Atom {
	return n.nodesWhere(func(c *dist.Conn) bool { return c.Hidden() })
}

func (n *Node) nodesWhere(keep func(*dist.Conn) bool) []etf.Atom {
	if n.remote == nil {
		return nil
	}
	// The node's own snapshot, not the dist manager's table: HandleConnUp
	// books a connection there before nodeup is delivered (the manager
	// adds it only after), so a monitor_nodes subscriber handling nodeup
	// finds the peer listed, as in OTP.
	m := n.remote.conns.Load()
	if m == nil {
		return nil
	}
	var out []etf.Atom
	for peer, c := range *m {
		if c.Err() == nil && keep(c) {
			out = append(out, peer)
		}
	}
	return out
}

// ListenAddr returns the distribution listener's address (nil without
// distribution).
func (n *Node) ListenAddr() net.Addr {
	if n.remote == nil {
		return nil
	}
	return n.remote.ln.Addr()
}
