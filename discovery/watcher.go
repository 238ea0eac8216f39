package discovery

import (
	"context"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// watcher is the loop's process on the node: it subscribes to nodeup and
// nodedown of every visible node (net_kernel:monitor_nodes(true)) and
// hands them to the loop. A process is the node's only way to hear of a
// connection's loss the moment it happens.
type watcher struct {
	events chan<- Event
	done   <-chan struct{}
}

func (w *watcher) Init(p *node.Process) error {
	p.MonitorNodes(true)
	return nil
}

func (w *watcher) HandleMessage(_ *node.Process, msg etf.Term) error {
	var ev Event
	switch m := msg.(type) {
	case node.NodeUpMsg:
		ev = Event{Node: m.Node, Up: true}
	case node.NodeDownMsg:
		ev = Event{Node: m.Node}
	default:
		return nil
	}
	select { // blocks only this process, and never past the loop's end
	case w.events <- ev:
	case <-w.done:
	}
	return nil
}

func (w *watcher) Terminate(*node.Process, etf.Term) {}

// watcherHandle is a running watcher: its pid and its exit.
type watcherHandle struct {
	pid    etf.PID
	exited <-chan etf.Term // nil when there is no watcher
}

func (r *Runner) spawnWatcher(ctx context.Context) (*watcherHandle, error) {
	pid, err := r.n.Spawn(&watcher{events: r.events, done: ctx.Done()})
	if err != nil {
		return nil, err
	}
	r.watcherPID.Store(pid)
	return &watcherHandle{pid: pid, exited: r.n.Watch(pid)}, nil
}

// restartWatcher replaces a watcher that exited (someone killed it). The
// events it missed are caught up at once from the node's connection list.
// If the node refuses a new process (it is stopping), the loop carries on
// with polls alone.
func (r *Runner) restartWatcher(ctx context.Context, old *watcherHandle) *watcherHandle {
	if ctx.Err() != nil {
		return &watcherHandle{}
	}
	w, err := r.spawnWatcher(ctx)
	if err != nil {
		r.log.Warn("discovery: cannot restart the node watcher; following connections at each poll only", "err", err)
		return &watcherHandle{}
	}
	r.log.Warn("discovery: node watcher exited; restarted", "pid", old.pid)
	r.reconcile(time.Now())
	return w
}

// stop kills the watcher and waits for its exit.
func (w *watcherHandle) stop(n *node.Node) {
	if w.exited == nil {
		return
	}
	_ = n.Exit(w.pid, node.Kill)
	select {
	case <-w.exited:
	case <-n.Done():
	}
}
