// Package globaldemo wires interop/global and interop/pg into the erlgo demo
// node: a Go process registered globally as erlgo_demo and joined to the pg
// group demo_group in the default scope.
package globaldemo

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/interop/global"
	"github.com/erlgo/erlgo/interop/pg"
	"github.com/erlgo/erlgo/node"
)

// Names used by the demo node.
const (
	DemoName  etf.Atom = "erlgo_demo" // global name of the demo process
	DemoGroup etf.Atom = "demo_group" // its pg group in the default scope
)

// Demo is what Setup started.
type Demo struct {
	Global *global.Server
	PG     *pg.Scope
	PID    etf.PID // the demo process
	node   *node.Node
}

type stopSignal struct{}

// Setup makes n a global and pg citizen for the demo node: it starts
// global_name_server (with global:resolve_it/4 registered on svcs when
// svcs is not nil) and the default pg scope, and spawns a demo process
// registered globally as erlgo_demo and joined to pg group demo_group.
// The demo process answers gen_server:call(Pid, Req) with
// {erlgo_demo, Req} and a plain {FromPid, Msg} with {erlgo_demo, Msg}.
func Setup(ctx context.Context, n *node.Node, svcs *interop.Services) (*Demo, error) {
	gs, err := global.Start(ctx, n)
	if err != nil {
		return nil, err
	}
	if svcs != nil {
		gs.RegisterResolver(svcs)
	}
	scope, err := pg.Start(ctx, n, pg.DefaultScope)
	if err != nil {
		gs.Stop()
		return nil, err
	}
	d := &Demo{Global: gs, PG: scope, node: n}
	if d.PID, err = n.Spawn(node.BehaviorFunc(demoProc)); err != nil {
		d.Stop()
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

// Stop stops the demo process, the scope and the global server.
func (d *Demo) Stop() {
	if d.PID != (etf.PID{}) {
		_ = d.node.Send(d.PID, stopSignal{})
	}
	d.PG.Stop()
	d.Global.Stop()
}

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
