package observer

import (
	"context"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Bounds of a supervision tree walk: a cycle or a huge dynamic
// supervisor must not hold the request.
const (
	treeDepthMax = 32
	treeNodesMax = 5000
	stateTimeout = 2 * time.Second
)

// readState asks pid for sys:get_state from n (the handler's node, which
// may be another node than pid's) and records the answer or why not.
func (d *ProcessDetail) readState(ctx context.Context, n *node.Node, pid etf.PID) {
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	st, err := n.CallSystem(ctx, pid, etf.Atom("get_state"))
	if err != nil {
		d.StateError = err.Error()
		return
	}
	d.State = clip(etf.Format(st))
}

// supTree walks the supervision tree under root with which_children,
// called from n: Go and BEAM supervisors answer it alike.
func supTree(ctx context.Context, n *node.Node, id string, root etf.PID) *SupNode {
	budget := treeNodesMax
	return walk(ctx, n, &SupNode{ID: id, PID: root.String(), Type: "supervisor"}, root, 0, &budget)
}

func walk(ctx context.Context, n *node.Node, sn *SupNode, sup etf.PID, depth int, budget *int) *SupNode {
	if depth >= treeDepthMax {
		sn.Error = "too deep"
		return sn
	}
	cctx, cancel := context.WithTimeout(ctx, stateTimeout)
	children, err := actors.WhichChildren(cctx, n, sup)
	cancel()
	if err != nil {
		sn.Error = err.Error()
		return sn
	}
	for _, c := range children {
		if *budget <= 0 {
			sn.Error = "tree cut: too many children"
			return sn
		}
		*budget--
		ch := &SupNode{ID: etf.Format(c.ID), Type: "worker"}
		switch {
		case c.Restarting:
			ch.PID = "restarting"
		case c.PID != (etf.PID{}):
			ch.PID = c.PID.String()
		default:
			ch.PID = "undefined"
		}
		if c.Type == actors.SupervisorChild {
			ch.Type = "supervisor"
			if c.PID != (etf.PID{}) {
				walk(ctx, n, ch, c.PID, depth+1, budget)
			}
		}
		sn.Children = append(sn.Children, ch)
	}
	return sn
}
