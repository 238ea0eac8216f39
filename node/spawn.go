package node

import (
	"fmt"

	"github.com/erlgo/erlgo/etf"
)

// Spawn starts a process running b from the node itself (no parent). Init
// runs before Spawn returns; its error is returned (see Behavior.Init).
func (n *Node) Spawn(b Behavior, opts ...SpawnOption) (etf.PID, error) {
	pid, _, err := n.spawn(nil, b, opts, false, false, nil)
	return pid, err
}

// Spawn starts a process running b. It inherits the caller's group leader
// unless WithGroupLeader is given.
func (p *Process) Spawn(b Behavior, opts ...SpawnOption) (etf.PID, error) {
	pid, _, err := p.node.spawn(p, b, opts, false, false, nil)
	return pid, err
}

// SpawnLink is Spawn plus an atomic Link between the caller and the new
// process (erlang:spawn_link).
func (p *Process) SpawnLink(b Behavior, opts ...SpawnOption) (etf.PID, error) {
	pid, _, err := p.node.spawn(p, b, opts, true, false, nil)
	return pid, err
}

// SpawnMonitor is Spawn plus an atomic Monitor of the new process by the
// caller (erlang:spawn_monitor); if Init fails, the DOWN arrives as well.
func (p *Process) SpawnMonitor(b Behavior, opts ...SpawnOption) (etf.PID, etf.Ref, error) {
	return p.node.spawn(p, b, opts, false, true, nil)
}

// spawn creates, registers, links/monitors and initialises a process.
// beforeInit, if set, runs after the process is reachable and before Init
// (remote spawns set up links/monitors there and send SPAWN_REPLY, which
// must precede any signal from the new process).
func (n *Node) spawn(parent *Process, b Behavior, opts []SpawnOption, link, monitor bool, beforeInit func(c *Process)) (etf.PID, etf.Ref, error) {
	var cfg spawnConfig
	for _, o := range opts {
		o(&cfg)
	}
	return n.spawnWith(parent, b, &cfg, link, monitor, beforeInit)
}

// spawnWith is spawn with its options applied; cfg does not escape, so a
// caller that builds it directly keeps it on its stack.
func (n *Node) spawnWith(parent *Process, b Behavior, cfg *spawnConfig, link, monitor bool, beforeInit func(c *Process)) (etf.PID, etf.Ref, error) {
	if b == nil {
		return etf.PID{}, etf.Ref{}, fmt.Errorf("node: spawn: nil Behavior")
	}
	if n.stopped.Load() {
		return etf.PID{}, etf.Ref{}, ErrStopped
	}
	if !cfg.hasGL && parent != nil {
		if gl := parent.GroupLeader(); gl != (etf.PID{}) {
			cfg.groupLeader, cfg.hasGL = gl, true
		}
	}
	c := n.newProcess(b, *cfg)
	n.live.Add(1)
	n.procs.put(pidKey(c.pid), c)
	if cfg.name != "" {
		if err := n.register(cfg.name, c); err != nil {
			n.procs.del(pidKey(c.pid))
			n.live.Done()
			return etf.PID{}, etf.Ref{}, err
		}
	}
	var ref etf.Ref
	if parent != nil && link {
		parent.mu.Lock()
		if parent.links == nil {
			parent.links = make(linkMap)
		}
		parent.links[c.pid] = linkActive
		parent.mu.Unlock()
		c.mu.Lock() // c is already reachable by name: signals may be arriving
		if c.links == nil {
			c.links = make(linkMap)
		}
		c.links[parent.pid] = linkActive
		c.mu.Unlock()
	}
	if parent != nil && monitor {
		ref = n.newRef()
		parent.mu.Lock()
		if parent.monitors == nil {
			parent.monitors = make(map[etf.Ref]monitorTarget)
		}
		parent.monitors[ref] = monitorTarget{pid: c.pid, node: n.name}
		parent.mu.Unlock()
		// Merged under the lock: a MONITOR by name from another node (a
		// caller of a just-restarted rex) may have added a watcher already.
		c.mu.Lock()
		if c.watchers == nil {
			c.watchers = make(map[etf.Ref]watcher)
		}
		c.watchers[ref] = watcher{pid: parent.pid}
		c.mu.Unlock()
	}
	if beforeInit != nil {
		beforeInit(c)
	}
	for _, f := range cfg.beforeInit {
		f(c)
	}
	if err := c.init(); err != nil {
		if parent != nil && link {
			parent.mu.Lock()
			delete(parent.links, c.pid)
			parent.mu.Unlock()
			c.mu.Lock()
			delete(c.links, parent.pid)
			c.mu.Unlock()
		}
		c.exit(n.reasonOf(err), false)
		return etf.PID{}, ref, err
	}
	// Init done: start draining what arrived meanwhile, or go idle.
	c.mu.Lock()
	start := c.normal.len > 0 || len(c.urgent) > 0
	if !start {
		c.state = stateIdle
	}
	c.mu.Unlock()
	switch {
	case start && cfg.runHere:
		c.run()
	case start:
		go c.run()
	}
	return c.pid, ref, nil
}

func (p *Process) init() (err error) {
	defer Recover(&err, p, "Init panicked")
	return p.beh.Init(p)
}
