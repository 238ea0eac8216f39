package node

import (
	"slices"
	"strings"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// PeerStats are the counters of the connection to one peer node.
type PeerStats struct {
	Node   etf.Atom
	Hidden bool // either side connected hidden (erl_call, a remote shell)
	dist.ConnStats
}

// ConnStats returns the counters of every live distribution connection
// (messages, bytes in and out, queue depth), sorted by node name; nil for
// a node started WithoutDistribution.
func (n *Node) ConnStats() []PeerStats {
	if n.remote == nil {
		return nil
	}
	m := n.remote.conns.Load()
	if m == nil {
		return nil
	}
	out := make([]PeerStats, 0, len(*m))
	for peer, c := range *m {
		out = append(out, PeerStats{Node: peer, Hidden: c.Hidden(), ConnStats: c.Stats()})
	}
	slices.SortFunc(out, func(a, b PeerStats) int { return strings.Compare(string(a.Node), string(b.Node)) })
	return out
}

// PeerConnStats returns the counters of the connection to peer, false when
// it is not connected.
func (n *Node) PeerConnStats(peer etf.Atom) (PeerStats, bool) {
	if n.remote == nil {
		return PeerStats{}, false
	}
	c, ok := n.remote.mgr.Conn(peer)
	if !ok {
		return PeerStats{}, false
	}
	return PeerStats{Node: peer, Hidden: c.Hidden(), ConnStats: c.Stats()}, true
}
