// Spec: kernel global, https://www.erlang.org/doc/man/global.html

package global

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Messages from the server to the locker.
type (
	hisTheLocker struct {
		node   etf.Atom
		locker etf.PID
		vsn    int
		myTag  int
	}
	lockerCancel struct {
		node  etf.Atom
		tag   int
		casts []pendingCast // sent before the lock is released
	}
	lockerKnown struct {
		add    []etf.Atom
		remove etf.Atom
	}
	lockerTick  struct{}
	pendingCast struct {
		to  etf.Atom
		msg etf.Tuple
	}
)

type lockerState int

const (
	lockerIdle     lockerState = iota
	lockerAwaiting             // we locked our side and sent lock_set; waiting for his
	lockerHolding              // both sides locked; waiting for the server's cancel
)

// locker is global's the_locker: it takes the lock {global, [LockerA,
// LockerB]} on every node of our partition for one connecting node at a
// time, and keeps it until the server has finished the name exchange. It
// answers a peer locker that locked first ("spontaneous" lock_set) and
// also takes the initiative itself, like OTP's locker, after a delay.
type locker struct {
	s *Server
	p *node.Process

	known []etf.Atom
	hims  []hisTheLocker
	state lockerState
	cur   hisTheLocker
	lock  etf.Tuple  // current lock id
	nodes []etf.Atom // nodes the current lock is set on

	timer bool
}

func (l *locker) Init(p *node.Process) error { l.p = p; return nil }

func (l *locker) Terminate(*node.Process, etf.Term) {}

func (l *locker) HandleMessage(p *node.Process, msg etf.Term) error {
	p.Logger().Debug("global: locker in", "message", msg, "state", l.state)
	switch m := msg.(type) {
	case stopSignal:
		return &node.ExitError{Reason: node.Normal}
	case hisTheLocker:
		l.hims = append(l.hims, m)
	case lockerCancel:
		l.cancel(m)
	case lockerKnown:
		for _, a := range m.add {
			if !slices.Contains(l.known, a) && a != l.self() {
				l.known = append(l.known, a)
			}
		}
		if m.remove != "" {
			l.known = slices.DeleteFunc(l.known, func(a etf.Atom) bool { return a == m.remove })
		}
	case lockerTick:
		l.timer = false
		if l.state == lockerIdle {
			l.selectNode()
		}
	case etf.Tuple:
		if len(m) >= 4 && m[0] == etf.Atom("lock_set") {
			l.lockSet(m)
		}
	}
	l.arm()
	return nil
}

func (l *locker) self() etf.Atom { return l.s.n.Name() }

// arm schedules the next locking attempt while nodes wait, with OTP's
// delays (200 ms when we know nobody, else 1 s + 100 ms per known node,
// at most 3 s).
func (l *locker) arm() {
	if l.timer || l.state != lockerIdle || len(l.candidates()) == 0 {
		return
	}
	d := 200 * time.Millisecond
	if len(l.known) > 0 {
		d = min(time.Second+time.Duration(len(l.known))*100*time.Millisecond, 3*time.Second)
	}
	l.timer = true
	l.p.SendAfter(d, l.p.Self(), lockerTick{})
}

func (l *locker) candidates() []hisTheLocker {
	var out []hisTheLocker
	for _, h := range l.hims {
		if !slices.Contains(l.known, h.node) {
			out = append(out, h)
		}
	}
	return out
}

func (l *locker) findHim(n etf.Atom) (hisTheLocker, bool) {
	for _, h := range l.hims {
		if h.node == n {
			return h, true
		}
	}
	return hisTheLocker{}, false
}

func (l *locker) removeHim(n etf.Atom, tag int) {
	l.hims = slices.DeleteFunc(l.hims, func(h hisTheLocker) bool { return h.node == n && h.myTag == tag })
}

// selectNode takes the initiative for one waiting node.
func (l *locker) selectNode() {
	c := l.candidates()
	if len(c) == 0 {
		return
	}
	him := c[rand.IntN(len(c))]
	id := l.lockID(him.locker)
	nodes, ok := l.lockNodesSafely(id, []etf.Atom{him.node})
	if !ok {
		return
	}
	l.state, l.cur, l.lock, l.nodes = lockerAwaiting, him, id, nodes
	l.sendLockSet(true, him.locker)
}

// lockSet handles {lock_set, HisLocker, IsSet, HisKnown [, Tag]} relayed by
// the server.
func (l *locker) lockSet(m etf.Tuple) {
	hisLocker, ok := m[1].(etf.PID)
	if !ok {
		return
	}
	set := m[2] == atomTrue
	n := hisLocker.Node
	switch {
	case l.state == lockerAwaiting && n == l.cur.node:
		if set {
			l.state = lockerHolding
			_ = l.p.Send(l.s.PID(), lockIsSet{node: n, tag: l.cur.myTag, lockID: l.lock})
			return
		}
		l.release()
	case !set:
		// A spurious refusal; nothing to undo.
	case l.state != lockerIdle:
		// Busy with another node: refuse, the peer retries later.
		l.sendLockSet(false, hisLocker)
	default:
		him, ok := l.findHim(n)
		if !ok {
			l.sendLockSet(false, hisLocker)
			return
		}
		id := l.lockID(hisLocker)
		nodes, ok := l.lockNodesSafely(id, nil)
		if !ok {
			// The peer locked us with its own sort of the two pids; should
			// our idea of ERTS's pid order ever differ from its, the
			// reversed pair still matches its requester id.
			pair := id[1].(etf.List)
			id = etf.Tuple{resourceGlobal, etf.List{pair[1], pair[0]}}
			nodes, ok = l.lockNodesSafely(id, nil)
		}
		l.sendLockSet(ok, hisLocker)
		if ok {
			l.state, l.cur, l.lock, l.nodes = lockerHolding, him, id, nodes
			_ = l.p.Send(l.s.PID(), lockIsSet{node: n, tag: him.myTag, lockID: id})
		}
	}
}

func (l *locker) cancel(m lockerCancel) {
	for _, c := range m.casts {
		cast(l.p, c.to, c.msg)
	}
	if m.tag == 0 {
		return
	}
	if l.state != lockerIdle && l.cur.node == m.node && l.cur.myTag == m.tag {
		l.release()
	}
	l.removeHim(m.node, m.tag)
}

func (l *locker) release() {
	l.deleteGlobalLock(l.lock, l.nodes)
	l.state, l.cur, l.lock, l.nodes = lockerIdle, hisTheLocker{}, nil, nil
}

func (l *locker) sendLockSet(set bool, to etf.PID) {
	kl := make(etf.List, 0, len(l.known))
	for _, k := range l.known {
		kl = append(kl, k)
	}
	cast(l.p, to.Node, etf.Tuple{etf.Atom("lock_set"), l.p.Self(), boolAtom(set), kl})
}

// lockID is {global, lists:sort([Self, HisLocker])}, sorted in ERTS's pid
// order so that both sides compute the same requester id.
func (l *locker) lockID(his etf.PID) etf.Tuple {
	me := l.p.Self()
	pids := etf.List{me, his}
	if pidLess(his, me) {
		pids = etf.List{his, me}
	}
	return etf.Tuple{resourceGlobal, pids}
}

// lockNodesSafely locks the boss (the greatest node name) first, then us
// and extra, then the rest of the partition; on failure it undoes what it
// set.
func (l *locker) lockNodesSafely(id etf.Tuple, extra []etf.Atom) ([]etf.Atom, bool) {
	all := append([]etf.Atom{l.self()}, l.known...)
	boss := slices.Max(all)
	first := []etf.Atom{boss}
	if !setLockOn(l.s, l.p, id, first) {
		return nil, false
	}
	second := without(append([]etf.Atom{l.self()}, extra...), first)
	if !setLockOn(l.s, l.p, id, second) {
		delLockOn(l.s, l.p, id, first)
		return nil, false
	}
	rest := without(l.known, first)
	if !setLockOn(l.s, l.p, id, rest) {
		delLockOn(l.s, l.p, id, append(first, second...))
		return nil, false
	}
	return unique(append(append(first, second...), rest...)), true
}

// deleteGlobalLock releases id on nodes, the boss last.
func (l *locker) deleteGlobalLock(id etf.Tuple, nodes []etf.Atom) {
	deleteLockBossLast(l.s, l.p, id, nodes)
}

func deleteLockBossLast(s *Server, p *node.Process, id etf.Tuple, nodes []etf.Atom) {
	if len(nodes) == 0 {
		return
	}
	boss := slices.Max(nodes)
	delLockOn(s, p, id, without(nodes, []etf.Atom{boss}))
	delLockOn(s, p, id, []etf.Atom{boss})
}

// setLockOn is set_lock_on_nodes: a multi_call {set_lock, Id}; if any node
// refuses, the lock is removed from those that accepted. Nodes that do
// not answer are ignored, as gen_server:multi_call's bad nodes are.
func setLockOn(s *Server, p *node.Process, id etf.Tuple, nodes []etf.Atom) bool {
	var ok []etf.Atom
	for _, n := range nodes {
		r, err := callServer(s, p, n, etf.Tuple{etf.Atom("set_lock"), id})
		if err != nil {
			continue
		}
		if r != atomTrue {
			delLockOn(s, p, id, ok)
			return false
		}
		ok = append(ok, n)
	}
	return true
}

func delLockOn(s *Server, p *node.Process, id etf.Tuple, nodes []etf.Atom) {
	for _, n := range nodes {
		_, _ = callServer(s, p, n, etf.Tuple{etf.Atom("del_lock"), id})
	}
}

// callServer is gen_server:call({global_name_server, Node}, Req).
func callServer(s *Server, p *node.Process, n etf.Atom, req etf.Term) (etf.Term, error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.callTmo)
	defer cancel()
	return p.Call(ctx, node.Name{Name: ServerName, Node: n}, req)
}

func without(l, drop []etf.Atom) []etf.Atom {
	var out []etf.Atom
	for _, a := range l {
		if !slices.Contains(drop, a) {
			out = append(out, a)
		}
	}
	return out
}

func unique(l []etf.Atom) []etf.Atom {
	var out []etf.Atom
	for _, a := range l {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
