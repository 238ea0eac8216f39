// Spec: kernel pg, https://www.erlang.org/doc/man/pg.html

package pg

import (
	"slices"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

var (
	atomDiscover = etf.Atom("discover")
	atomJoin     = etf.Atom("join")
	atomLeave    = etf.Atom("leave")
	atomSync     = etf.Atom("sync")
)

type localEntry struct {
	ref    etf.Ref
	groups []etf.Term // with repetition, as OTP keeps it
}

type remoteEntry struct {
	ref    etf.Ref
	groups []remoteGroup
}

type remoteGroup struct {
	name etf.Term
	pids []etf.PID
}

func (r *remoteEntry) find(name etf.Term) int {
	return slices.IndexFunc(r.groups, func(g remoteGroup) bool { return etf.Equal(g.name, name) })
}

type groupMon struct {
	sub   etf.PID
	group etf.Term
}

// scopeProc is the scope process (pg's gen_server).
type scopeProc struct {
	s *Scope
	p *node.Process

	local    map[etf.PID]*localEntry
	remote   map[etf.PID]*remoteEntry // keyed by the peer scope's pid
	scopeMon map[etf.Ref]etf.PID
	groupMon map[etf.Ref]groupMon
}

func newScopeProc(s *Scope) *scopeProc {
	return &scopeProc{
		s:        s,
		local:    map[etf.PID]*localEntry{},
		remote:   map[etf.PID]*remoteEntry{},
		scopeMon: map[etf.Ref]etf.PID{},
		groupMon: map[etf.Ref]groupMon{},
	}
}

func (sp *scopeProc) Init(p *node.Process) error {
	sp.p = p
	p.MonitorNodes(true)
	// Discover the scope on every visible node: pg uses nodes(), hidden
	// peers take no part.
	for _, n := range sp.s.n.Nodes() {
		sp.discover(n)
	}
	return nil
}

func (sp *scopeProc) Terminate(p *node.Process, _ etf.Term) { p.MonitorNodes(false) }

func (sp *scopeProc) discover(n etf.Atom) {
	if n == sp.s.n.Name() {
		return
	}
	_ = sp.p.Send(node.Name{Name: sp.s.name, Node: n}, etf.Tuple{atomDiscover, sp.p.Self()})
}

// broadcast sends msg to every known peer scope.
func (sp *scopeProc) broadcast(msg etf.Term) {
	for peer := range sp.remote {
		_ = sp.p.Send(peer, msg)
	}
}

func pidOrPids(pids []etf.PID) etf.Term {
	if len(pids) == 1 {
		return pids[0]
	}
	l := make(etf.List, len(pids))
	for i, p := range pids {
		l[i] = p
	}
	return l
}

func toPids(t etf.Term) ([]etf.PID, bool) {
	switch v := t.(type) {
	case etf.PID:
		return []etf.PID{v}, true
	case etf.List:
		out := make([]etf.PID, 0, len(v))
		for _, e := range v {
			p, ok := e.(etf.PID)
			if !ok {
				return nil, false
			}
			out = append(out, p)
		}
		return out, true
	case nil:
		return nil, true
	}
	return nil, false
}

func (sp *scopeProc) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case stopSignal:
		return &node.ExitError{Reason: node.Normal}
	case request:
		m.reply <- sp.request(m)
	case node.NodeUpMsg:
		sp.discover(m.Node)
	case node.NodeDownMsg:
		// The DOWN of the peer scope's monitor does the work.
	case node.DownMsg:
		sp.down(m)
	case etf.Tuple:
		sp.tuple(m)
	default:
		sp.s.log.Debug("pg: ignored message", "message", msg)
	}
	return nil
}

func (sp *scopeProc) tuple(m etf.Tuple) {
	if len(m) < 2 {
		return
	}
	if req, ok := node.ParseGenCast(m); ok {
		c, ok := req.(etf.Tuple)
		if ok && len(c) == 3 && c[0] == atomSync {
			peer, ok1 := c[1].(etf.PID)
			groups, ok2 := c[2].(etf.List)
			if ok1 && (ok2 || c[2] == nil) {
				sp.handleSync(peer, groups)
			}
		}
		return
	}
	switch {
	case m[0] == atomDiscover && (len(m) == 2 || len(m) == 3):
		if peer, ok := m[1].(etf.PID); ok {
			sp.handleDiscover(peer)
		}
	case m[0] == atomJoin && len(m) == 4:
		peer, ok1 := m[1].(etf.PID)
		pids, ok2 := toPids(m[3])
		if ok1 && ok2 {
			sp.remoteJoin(peer, m[2], pids)
		}
	case m[0] == atomLeave && len(m) == 4:
		peer, ok1 := m[1].(etf.PID)
		pids, ok2 := toPids(m[2])
		groups, ok3 := m[3].(etf.List)
		if ok1 && ok2 && ok3 {
			sp.remoteLeave(peer, pids, groups)
		}
	default:
		sp.s.log.Debug("pg: ignored message", "message", m)
	}
}

// handleDiscover answers {discover, Peer}: our local members as a sync
// cast, and a discover back if Peer is new to us.
func (sp *scopeProc) handleDiscover(peer etf.PID) {
	_ = sp.p.Send(peer, node.GenCastMsg(etf.Tuple{atomSync, sp.p.Self(), sp.localGroups()}))
	if _, ok := sp.remote[peer]; ok {
		return
	}
	ref, _ := sp.p.Monitor(peer)
	sp.remote[peer] = &remoteEntry{ref: ref}
	_ = sp.p.Send(peer, etf.Tuple{atomDiscover, sp.p.Self()})
}

// localGroups is all_local_pids: [{Group, [Pid]}].
func (sp *scopeProc) localGroups() etf.List {
	var gs []remoteGroup
	for pid, e := range sp.local {
		for _, g := range e.groups {
			i := slices.IndexFunc(gs, func(x remoteGroup) bool { return etf.Equal(x.name, g) })
			if i < 0 {
				gs = append(gs, remoteGroup{name: g})
				i = len(gs) - 1
			}
			gs[i].pids = append(gs[i].pids, pid)
		}
	}
	out := make(etf.List, 0, len(gs))
	for _, g := range gs {
		pids := make(etf.List, len(g.pids))
		for i, p := range g.pids {
			pids[i] = p
		}
		out = append(out, etf.Tuple{g.name, pids})
	}
	return out
}

// handleSync replaces everything we know of peer's members.
func (sp *scopeProc) handleSync(peer etf.PID, groups etf.List) {
	r, ok := sp.remote[peer]
	if !ok {
		ref, _ := sp.p.Monitor(peer)
		r = &remoteEntry{ref: ref}
		sp.remote[peer] = r
	}
	old := r.groups
	var fresh []remoteGroup
	for _, g := range groups {
		t, ok := g.(etf.Tuple)
		if !ok || len(t) != 2 {
			continue
		}
		pids, ok := toPids(t[1])
		if !ok {
			continue
		}
		fresh = append(fresh, remoteGroup{name: t[0], pids: pids})
	}
	for _, g := range fresh {
		i := slices.IndexFunc(old, func(x remoteGroup) bool { return etf.Equal(x.name, g.name) })
		switch {
		case i < 0:
			sp.s.tab.join(g.name, g.pids, false)
			sp.notify(true, g.name, g.pids)
		default:
			if !slices.Equal(old[i].pids, g.pids) {
				sp.s.tab.replaceRemote(g.name, old[i].pids, g.pids)
			}
			old = slices.Delete(slices.Clone(old), i, i+1)
		}
	}
	for _, g := range old {
		sp.s.tab.leave(g.name, g.pids, false)
		sp.notify(false, g.name, g.pids)
	}
	r.groups = fresh
}

func (sp *scopeProc) remoteJoin(peer etf.PID, group etf.Term, pids []etf.PID) {
	r, ok := sp.remote[peer]
	if !ok {
		return // not (or no longer) in the overlay: ignore, as pg does
	}
	sp.s.tab.join(group, pids, false)
	sp.notify(true, group, pids)
	if i := r.find(group); i >= 0 {
		r.groups[i].pids = append(slices.Clone(pids), r.groups[i].pids...)
	} else {
		r.groups = append(r.groups, remoteGroup{name: group, pids: slices.Clone(pids)})
	}
}

func (sp *scopeProc) remoteLeave(peer etf.PID, pids []etf.PID, groups etf.List) {
	r, ok := sp.remote[peer]
	if !ok {
		return
	}
	for _, g := range groups {
		if sp.s.tab.leave(g, pids, false) {
			sp.notify(false, g, pids)
		}
		if i := r.find(g); i >= 0 {
			left := subtract(r.groups[i].pids, pids)
			if len(left) == 0 {
				r.groups = slices.Delete(r.groups, i, i+1)
			} else {
				r.groups[i].pids = left
			}
		}
	}
}

func (sp *scopeProc) down(m node.DownMsg) {
	pid, _ := m.Object.(etf.PID)
	if e, ok := sp.local[pid]; ok && e.ref == m.Ref {
		delete(sp.local, pid)
		groups := make(etf.List, 0, len(e.groups))
		for _, g := range e.groups {
			sp.s.tab.leave(g, []etf.PID{pid}, true)
			sp.notify(false, g, []etf.PID{pid})
			groups = append(groups, g)
		}
		sp.broadcast(etf.Tuple{atomLeave, sp.p.Self(), pid, groups})
		return
	}
	if r, ok := sp.remote[pid]; ok && r.ref == m.Ref {
		delete(sp.remote, pid)
		for _, g := range r.groups {
			sp.s.tab.leave(g.name, g.pids, false)
			sp.notify(false, g.name, g.pids)
		}
		return
	}
	delete(sp.scopeMon, m.Ref)
	delete(sp.groupMon, m.Ref)
}

// notify sends {Ref, join | leave, Group, Pids} to subscribers.
func (sp *scopeProc) notify(join bool, group etf.Term, pids []etf.PID) {
	if len(pids) == 0 {
		return
	}
	deliver := func(sub etf.PID, ref etf.Ref) {
		ev := Event{Ref: ref, Join: join, Group: group, Pids: slices.Clone(pids)}
		if sub.Node == sp.s.n.Name() {
			_ = sp.p.Send(sub, ev)
		} else {
			_ = sp.p.Send(sub, ev.Term())
		}
	}
	for ref, sub := range sp.scopeMon {
		deliver(sub, ref)
	}
	for ref, gm := range sp.groupMon {
		if etf.Equal(gm.group, group) {
			deliver(gm.sub, ref)
		}
	}
}

func (sp *scopeProc) request(r request) response {
	switch r.op {
	case "join":
		for _, pid := range r.pids {
			e, ok := sp.local[pid]
			if !ok {
				ref, _ := sp.p.Monitor(pid)
				e = &localEntry{ref: ref}
				sp.local[pid] = e
			}
			e.groups = append(e.groups, r.group)
		}
		sp.s.tab.join(r.group, r.pids, true)
		sp.notify(true, r.group, r.pids)
		sp.broadcast(etf.Tuple{atomJoin, sp.p.Self(), r.group, pidOrPids(r.pids)})
	case "leave":
		var left []etf.PID
		for _, pid := range r.pids {
			e, ok := sp.local[pid]
			if !ok {
				continue
			}
			i := slices.IndexFunc(e.groups, func(g etf.Term) bool { return etf.Equal(g, r.group) })
			if i < 0 {
				continue
			}
			e.groups = slices.Delete(e.groups, i, i+1)
			if len(e.groups) == 0 {
				sp.p.Demonitor(e.ref)
				delete(sp.local, pid)
			}
			left = append(left, pid)
		}
		if len(left) == 0 {
			return response{err: ErrNotJoined}
		}
		sp.s.tab.leave(r.group, left, true)
		sp.notify(false, r.group, left)
		sp.broadcast(etf.Tuple{atomLeave, sp.p.Self(), pidOrPids(left), etf.List{r.group}})
	case "monitor":
		ref, err := sp.p.Monitor(r.sub)
		if err != nil {
			return response{err: err}
		}
		sp.groupMon[ref] = groupMon{sub: r.sub, group: r.group}
		return response{ref: ref, members: sp.s.tab.members(r.group, false)}
	case "monitor_scope":
		ref, err := sp.p.Monitor(r.sub)
		if err != nil {
			return response{err: err}
		}
		sp.scopeMon[ref] = r.sub
		var gs []GroupMembers
		for _, g := range sp.s.tab.snapshot() {
			gs = append(gs, GroupMembers{Group: g.name, Members: g.all})
		}
		return response{ref: ref, groups: gs}
	case "demonitor":
		_, a := sp.scopeMon[r.ref]
		_, b := sp.groupMon[r.ref]
		if !a && !b {
			return response{} // unknown ref: pg:demonitor's false
		}
		sp.p.Demonitor(r.ref)
		delete(sp.scopeMon, r.ref)
		delete(sp.groupMon, r.ref)
	}
	return response{}
}
