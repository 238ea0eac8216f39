package node

import (
	"github.com/erlgo/erlgo/etf"
)

// Link creates a bidirectional link between the process and pid
// (erlang:link/1). When either side exits, the other gets an exit signal.
// Linking to a dead or unknown local process returns ErrNoProc, as
// erlang:link/1 raises noproc: a handler that returns the error exits with
// reason noproc, one that ignores it carries on (the exception was caught);
// a trapping process also receives ExitMsg{From: pid, Reason: noproc}. A
// link to a process on another node is set up asynchronously: if that
// process does not exist, an exit signal noproc arrives later (noconnection
// if the node cannot be reached) and kills a non-trapping caller, as on
// BEAM.
func (p *Process) Link(pid etf.PID) error {
	if pid == p.pid {
		return nil
	}
	n := p.node
	p.mu.Lock()
	if p.state >= stateDead {
		p.mu.Unlock()
		return ErrNotAlive
	}
	if p.links == nil {
		p.links = make(linkMap)
	}
	if p.links.active(pid) {
		p.mu.Unlock()
		return nil
	}
	p.links[pid] = linkActive
	p.mu.Unlock()
	if pid.Node != n.name {
		if n.remote == nil {
			p.signalExit(pid, NoConnection, true)
			return ErrNoConnection
		}
		return n.remote.link(p.pid, pid)
	}
	if t := n.lookup(pid); t != nil && t != n.sys && t.addLink(p.pid) {
		return nil
	}
	// As erlang:link/1 on a dead local pid: a trapping caller gets
	// {'EXIT', Pid, noproc}; otherwise link raises noproc, which in Go is
	// the returned error (returning it from the handler exits with noproc).
	p.mu.Lock()
	trapping := p.trap
	if !trapping {
		delete(p.links, pid)
	}
	p.mu.Unlock()
	if trapping {
		p.signalExit(pid, NoProc, true)
	}
	return ErrNoProc
}

// addLink records a link to from; false if p is dead.
func (p *Process) addLink(from etf.PID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state >= stateDead {
		return false
	}
	if p.links == nil {
		p.links = make(linkMap)
	}
	if _, ok := p.links[from]; !ok {
		p.links[from] = linkActive
	}
	return true
}

// removeLink removes an active link to peer; reports whether it existed.
func (p *Process) removeLink(peer etf.PID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.links.active(peer) {
		delete(p.links, peer)
		return true
	}
	return false
}

// Unlink removes the link to pid (erlang:unlink/1). Once it returns, the
// link has no further effect on the caller (an ExitMsg already queued for a
// trapping process may still be delivered, as in Erlang).
func (p *Process) Unlink(pid etf.PID) {
	n := p.node
	if pid.Node != n.name && n.remote != nil {
		n.remote.unlinkRemote(p, pid)
		return
	}
	p.mu.Lock()
	delete(p.links, pid)
	p.mu.Unlock()
	if t := n.lookup(pid); t != nil {
		t.mu.Lock()
		delete(t.links, p.pid)
		t.mu.Unlock()
	}
}

// Links returns the pids the process is linked to.
func (p *Process) Links() []etf.PID {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]etf.PID, 0, len(p.links))
	for pid, st := range p.links {
		if !st.unlinking() {
			out = append(out, pid)
		}
	}
	return out
}

// Exit sends an exit signal with reason to "to" (erlang:exit/2): see
// signalExit's rules; kill is untrappable and becomes killed, normal is
// ignored unless the target traps exits or is the caller itself. An unknown
// target is ignored.
func (p *Process) Exit(to etf.PID, reason etf.Term) error {
	p.node.sendExit(p.pid, to, reason, false)
	return nil
}

// Exit sends an exit signal from the node itself (its anonymous pid) to
// "to", with Process.Exit's rules; e.g. Exit(pid, node.Kill) from outside
// any process.
func (n *Node) Exit(to etf.PID, reason etf.Term) error {
	n.sendExit(n.sys.pid, to, reason, false)
	return nil
}

// sendExit delivers an exit signal (link exit or exit/2) wherever "to" lives.
func (n *Node) sendExit(from, to etf.PID, reason etf.Term, link bool) {
	if to.Node == n.name {
		if t := n.lookup(to); t != nil {
			t.signalExit(from, reason, link)
		}
		return
	}
	if n.remote != nil {
		n.remote.exit(from, to, reason, link)
	}
}

// Monitor starts monitoring "to" (erlang:monitor(process, To)): a pid, a
// local name (etf.Atom), a Name / {Name, Node} tuple. When the target exits,
// the process receives DownMsg with the returned ref. A target that does not
// exist gives an immediate DOWN with reason noproc; an unreachable node a
// DOWN with noconnection. The error is non-nil only for a bad target.
func (p *Process) Monitor(to etf.Term) (etf.Ref, error) {
	return p.monitor(to, aliasNone)
}

// MonitorAlias is Monitor whose ref is also an alias of the process
// (erlang:monitor/3 with {alias, Mode}): mode is AliasExplicitUnalias,
// AliasDemonitor (deactivated when the monitor goes: Demonitor or DOWN) or
// AliasReplyDemonitor (also deactivated, with the monitor, by the first
// message received through it).
func (p *Process) MonitorAlias(to etf.Term, mode AliasMode) (etf.Ref, error) {
	if mode != AliasExplicitUnalias && mode != AliasDemonitor && mode != AliasReplyDemonitor {
		mode = AliasDemonitor
	}
	return p.monitor(to, mode)
}

func (p *Process) monitor(to etf.Term, mode AliasMode) (etf.Ref, error) {
	n := p.node
	t, err := n.parseTarget(to)
	if err != nil || t.kind == targetAlias {
		if err == nil {
			err = ErrBadTarget
		}
		return etf.Ref{}, err
	}
	ref := n.newRef()
	if mode != aliasNone {
		p.addAlias(ref, mode, nil)
	}
	p.monitorRef(ref, t, mode)
	return ref, nil
}

// monitorRef installs monitor ref on target t (used by Monitor and Call).
func (p *Process) monitorRef(ref etf.Ref, t target, mode AliasMode) {
	n := p.node
	mt := monitorTarget{pid: t.pid, node: t.node, alias: mode}
	if t.kind == targetName {
		mt.name = t.name
	}
	p.mu.Lock()
	if p.monitors == nil {
		p.monitors = make(map[etf.Ref]monitorTarget)
	}
	p.monitors[ref] = mt
	p.mu.Unlock()
	if t.node != n.name {
		if n.remote == nil {
			p.signalDown(ref, t.object(), NoConnection)
			return
		}
		n.remote.monitor(p, ref, t)
		return
	}
	var tp *Process
	if t.kind == targetName {
		tp = n.whereisProc(t.name)
	} else {
		tp = n.lookup(t.pid)
	}
	w := watcher{pid: p.pid}
	if t.kind == targetName {
		w.name = t.name
	}
	if tp == nil || tp == n.sys || !tp.addWatcher(ref, w) {
		p.signalDown(ref, t.object(), NoProc)
		return
	}
	if t.kind == targetName {
		// Remember the resolved pid for Demonitor.
		p.mu.Lock()
		if m, ok := p.monitors[ref]; ok {
			m.pid = tp.pid
			p.monitors[ref] = m
		}
		p.mu.Unlock()
	}
}

func (p *Process) addWatcher(ref etf.Ref, w watcher) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state >= stateDead {
		return false
	}
	if p.watchers == nil {
		p.watchers = make(map[etf.Ref]watcher)
	}
	p.watchers[ref] = w
	return true
}

func (p *Process) removeWatcherRef(ref etf.Ref) {
	p.mu.Lock()
	delete(p.watchers, ref)
	p.mu.Unlock()
}

// Demonitor removes the monitor ref (erlang:demonitor(Ref, [flush])): once
// it returns, no DownMsg for ref is delivered, even one already queued. It
// reports whether the monitor was active.
func (p *Process) Demonitor(ref etf.Ref) bool {
	p.mu.Lock()
	t, ok := p.monitors[ref]
	delete(p.monitors, ref)
	p.mu.Unlock()
	if !ok {
		return false
	}
	if t.alias == AliasDemonitor || t.alias == AliasReplyDemonitor {
		p.dropAlias(ref)
	}
	p.node.removeWatcher(p.pid, ref, t)
	return true
}

// removeWatcher undoes the target side of monitor ref held by owner.
func (n *Node) removeWatcher(owner etf.PID, ref etf.Ref, t monitorTarget) {
	if t.node != n.name {
		if n.remote != nil {
			n.remote.demonitor(owner, ref, t)
		}
		return
	}
	if tp := n.lookup(t.pid); tp != nil {
		tp.removeWatcherRef(ref)
	}
}

// sendDown delivers a DOWN from the exited process "from" to the watcher.
func (n *Node) sendDown(from, to etf.PID, ref etf.Ref, object, reason etf.Term) {
	if to.Node == n.name {
		if w := n.lookup(to); w != nil {
			w.signalDown(ref, object, reason)
		}
		return
	}
	if n.remote != nil {
		n.remote.down(from, to, ref, object, reason)
	}
}
