// Package globaldemo is the global and pg part of the erlgo demo node: a
// Go process registered globally as erlgo_demo and joined to the pg group
// demo_group in the default scope of a cluster member.
package globaldemo

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop/global"
	"github.com/erlgo/erlgo/interop/pg"
	"github.com/erlgo/erlgo/node"
)

// Names used by the demo node.
const (
	DemoName  etf.Atom = "erlgo_demo" // global name of the demo process
	DemoGroup etf.Atom = "demo_group" // its pg group in the default scope
)

// Demo is the demo process Start spawned.
type Demo struct {
	PID  etf.PID // the demo process
	node *node.Node
}

type stopSignal struct{}

// Start spawns the demo process on the node of gs and scope (a member's
// global_name_server and default pg scope, see package cluster),
// registered globally as erlgo_demo and joined to pg group demo_group.
// The demo process answers gen_server:call(Pid, Req) with
// {erlgo_demo, Req} and a plain {FromPid, Msg} with {erlgo_demo, Msg}.
func Start(ctx context.Context, gs *global.Server, scope *pg.Scope) (*Demo, error) {
	d := &Demo{node: scope.Node()}
	var err error
	if d.PID, err = d.node.Spawn(node.BehaviorFunc(demoProc)); err != nil {
		return nil, fmt.Errorf("globaldemo: demo process: %w", err)
	}
	if err := gs.Register(ctx, DemoName, d.PID); err != nil {
		d.Stop()
		return nil, err
	}
	if err := scope.Join(ctx, DemoGroup, d.PID); err != nil {
		d.Stop()
		return nil, err
	}
	return d, nil
}

// Stop stops the demo process (its global name and group membership go
// with it).
func (d *Demo) Stop() { _ = d.node.Send(d.PID, stopSignal{}) }

func demoProc(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case stopSignal:
		return &node.ExitError{Reason: node.Normal}
	case etf.Tuple:
		if from, req, ok := node.ParseGenCall(msg); ok {
			return node.Reply(p, from, etf.Tuple{DemoName, req})
		}
		if len(m) == 2 {
			if from, ok := m[0].(etf.PID); ok {
				return p.Send(from, etf.Tuple{DemoName, m[1]})
			}
		}
	}
	return nil
}
