package web

import (
	"sync/atomic"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// component is the process behind a Handler or a WebSocket endpoint. The
// http.Handler lives longer than any one process: each process attaches
// itself while it runs, so a supervisor restarting it brings the same
// endpoint back, and requests meanwhile get 503.
type component struct {
	cur   atomic.Pointer[node.Process]
	state func() etf.Term
}

// attach records p as the running process.
func (c *component) attach(p *node.Process) { c.cur.Store(p) }

// detach forgets p, unless a newer process already attached.
func (c *component) detach(p *node.Process) { c.cur.CompareAndSwap(p, nil) }

// process returns the running process, or nil.
func (c *component) process() *node.Process {
	p := c.cur.Load()
	if p == nil || !p.IsAlive() {
		return nil
	}
	return p
}

// pid returns the running process's pid.
func (c *component) pid() (etf.PID, bool) {
	if p := c.process(); p != nil {
		return p.Self(), true
	}
	return etf.PID{}, false
}

// start runs the component linked to owner.
func (c *component) start(owner *node.Process, opts []node.SpawnOption) (etf.PID, error) {
	return actors.StartLink(owner, &componentActor{c: c}, opts...)
}

// componentActor is the component's gen_server: it traps exits so that
// the request and connection processes linked to it do not take it down,
// and, as a gen_server does, ends with its parent (the owner or the
// supervisor). sys:get_state shows the endpoint's state.
type componentActor struct {
	actors.Base
	c *component
}

func (a *componentActor) Init(p *actors.Process, _ ...any) error {
	p.TrapExit(true)
	a.c.attach(p.Process)
	return nil
}

// HandleInfo ignores the exits of linked request and connection
// processes; the parent's exit is handled by the actor server.
func (a *componentActor) HandleInfo(*actors.Process, etf.Term) error { return nil }

func (a *componentActor) Terminate(p *actors.Process, _ etf.Term) { a.c.detach(p.Process) }

// State implements actors.StateReporter.
func (a *componentActor) State() etf.Term { return a.c.state() }
