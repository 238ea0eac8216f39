package node

import (
	"github.com/erlgo/erlgo/etf"
)

// AliasMode says when an alias is deactivated (OTP 24+ alias options).
type AliasMode uint8

const (
	aliasNone AliasMode = iota
	// AliasExplicitUnalias: active until Unalias or the process exits.
	AliasExplicitUnalias
	// AliasReply: deactivated by the first message received through it.
	AliasReply
	// AliasDemonitor (MonitorAlias only): deactivated with the monitor.
	AliasDemonitor
	// AliasReplyDemonitor (MonitorAlias only): deactivated with the
	// monitor, and the monitor removed, by the first message received
	// through the alias. Call uses this mode for its reply alias.
	AliasReplyDemonitor
)

// Alias creates an alias of the process (erlang:alias/1). Messages sent to
// it (Send with the etf.Alias) arrive in the process's mailbox while it is
// active. mode is AliasExplicitUnalias or AliasReply; other values mean
// AliasExplicitUnalias.
func (p *Process) Alias(mode AliasMode) etf.Alias {
	if mode != AliasReply {
		mode = AliasExplicitUnalias
	}
	ref := p.node.newRef()
	p.addAlias(ref, mode, nil)
	return etf.Alias(ref)
}

func (p *Process) addAlias(ref etf.Ref, mode AliasMode, pc *pendingCall) {
	p.mu.Lock()
	e := p.extLocked()
	if e.aliases == nil {
		e.aliases = make(map[etf.Ref]struct{})
	}
	e.aliases[ref] = struct{}{}
	p.mu.Unlock()
	p.node.aliases.put(ref, &aliasEntry{owner: p, mode: mode, call: pc})
}

// Unalias deactivates an alias of this process (erlang:unalias/1); it
// reports whether the alias was active.
func (p *Process) Unalias(a etf.Alias) bool {
	return p.dropAlias(etf.Ref(a))
}

func (p *Process) dropAlias(ref etf.Ref) bool {
	p.mu.Lock()
	ok := false
	if p.ext != nil {
		_, ok = p.ext.aliases[ref]
	}
	if ok {
		delete(p.ext.aliases, ref)
	}
	p.mu.Unlock()
	if !ok {
		return false
	}
	return p.node.aliases.del(ref) != nil
}

// MonitorNode turns monitoring of node on or off (erlang:monitor_node/2).
// While on, the process receives NodeDownMsg when the connection to node is
// lost; if the node cannot be reached, NodeDownMsg arrives at once. Each
// call with on=true adds one subscription (and one message at nodedown), as
// in Erlang; on=false removes one.
func (p *Process) MonitorNode(node etf.Atom, on bool) {
	n := p.node
	if node == n.name {
		return
	}
	n.nodeMonMu.Lock()
	if n.nodeMons == nil {
		n.nodeMons = make(map[etf.Atom]map[etf.PID]int)
	}
	subs := n.nodeMons[node]
	if on {
		if subs == nil {
			subs = make(map[etf.PID]int)
			n.nodeMons[node] = subs
		}
		subs[p.pid]++
	} else if subs[p.pid] > 0 {
		subs[p.pid]--
		if subs[p.pid] == 0 {
			delete(subs, p.pid)
		}
	}
	n.nodeMonMu.Unlock()
	if on && (n.remote == nil || !n.remote.ensureConnected(node)) {
		n.nodeDown(node, true)
	}
}

// MonitorNodes subscribes the process to NodeUpMsg and NodeDownMsg for all
// nodes (net_kernel:monitor_nodes/1).
func (p *Process) MonitorNodes(on bool) {
	n := p.node
	n.nodeMonMu.Lock()
	if on {
		if n.allNodes == nil {
			n.allNodes = make(map[etf.PID]struct{})
		}
		n.allNodes[p.pid] = struct{}{}
	} else {
		delete(n.allNodes, p.pid)
	}
	n.nodeMonMu.Unlock()
}

func (n *Node) dropNodeMonitors(pid etf.PID) {
	n.nodeMonMu.Lock()
	for node, subs := range n.nodeMons {
		delete(subs, pid)
		if len(subs) == 0 {
			delete(n.nodeMons, node)
		}
	}
	delete(n.allNodes, pid)
	n.nodeMonMu.Unlock()
}

// nodeDown notifies monitor_node subscribers of node (removing their
// subscriptions) and, unless onlyNodeMons, MonitorNodes subscribers.
func (n *Node) nodeDown(node etf.Atom, onlyNodeMons bool) {
	n.nodeMonMu.Lock()
	subs := n.nodeMons[node]
	delete(n.nodeMons, node)
	var all []etf.PID
	if !onlyNodeMons {
		for pid := range n.allNodes {
			all = append(all, pid)
		}
	}
	n.nodeMonMu.Unlock()
	for pid, count := range subs {
		if p := n.lookup(pid); p != nil {
			for range count {
				p.deliverInfo(NodeDownMsg{Node: node})
			}
		}
	}
	for _, pid := range all {
		if p := n.lookup(pid); p != nil {
			p.deliverInfo(NodeDownMsg{Node: node})
		}
	}
}

// nodeUp notifies MonitorNodes subscribers.
func (n *Node) nodeUp(node etf.Atom) {
	n.nodeMonMu.Lock()
	var all []etf.PID
	for pid := range n.allNodes {
		all = append(all, pid)
	}
	n.nodeMonMu.Unlock()
	for _, pid := range all {
		if p := n.lookup(pid); p != nil {
			p.deliverInfo(NodeUpMsg{Node: node})
		}
	}
}
