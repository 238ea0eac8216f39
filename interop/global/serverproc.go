// Spec: kernel global, https://www.erlang.org/doc/man/global.html

package global

import (
	"context"
	"slices"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// session is the state of one name exchange with a node (OTP keeps it in
// global_name_server's process dictionary: sync_tag_my, sync_tag_his,
// wait_lock, save_ops, prot_vsn, lock_id).
type session struct {
	myTag  int
	hisTag etf.Term
	hisVsn int
	vsn    int // negotiated: min(his, ours)
	inited bool

	lockSet       bool     // our locker has the lock
	exchangeNames etf.List // names received before lock_is_set
	gotExchange   bool

	opsReady    bool // our resolver finished
	ops         etf.List
	gotResolved bool
	hisResolved etf.List
	hisKnown    etf.Term

	lockID etf.Term
}

type lostInfo struct {
	xcreation etf.Term
	opID      etf.Term
	at        time.Time
}

type syncWaiter struct {
	left map[etf.Atom]bool
	done chan struct{}
}

// serverProc is the global_name_server process.
type serverProc struct {
	s *Server
	p *node.Process

	locks      *lockTable
	known      map[etf.Atom]int // known node -> protocol version
	pending    map[etf.Atom]int
	removing   map[etf.Atom]bool
	synced     map[etf.Atom]bool
	connected  map[etf.Atom]bool
	sessions   map[etf.Atom]*session
	preConnect map[etf.Atom]etf.Tuple
	lost       map[[2]etf.Atom]lostInfo
	syncers    []*syncWaiter
	nextTag    int
	nextOp     int64

	// resync: after a restart, the nodes to disconnect from and connect
	// to again, so that both sides see a nodeup and exchange names.
	resync map[etf.Atom]bool
}

func newServerProc(s *Server) *serverProc {
	return &serverProc{
		s:          s,
		locks:      newLockTable(),
		known:      map[etf.Atom]int{},
		pending:    map[etf.Atom]int{},
		removing:   map[etf.Atom]bool{},
		synced:     map[etf.Atom]bool{},
		connected:  map[etf.Atom]bool{},
		sessions:   map[etf.Atom]*session{},
		preConnect: map[etf.Atom]etf.Tuple{},
		lost:       map[[2]etf.Atom]lostInfo{},
		nextOp:     time.Now().UnixNano(),
	}
}

func (sp *serverProc) Init(p *node.Process) error {
	sp.p = p
	p.MonitorNodes(true)
	for n := range sp.resync {
		if d, ok := any(sp.s.n).(disconnecter); ok {
			sp.s.log.Info("global: restarted; reconnecting to resynchronise", "peer", n)
			_ = d.Disconnect(n)
		}
	}
	// Nodes connected before the server started count as fresh nodeups.
	for _, n := range sp.s.connectedNodes() {
		if !sp.resync[n] {
			_ = p.Send(p.Self(), node.NodeUpMsg{Node: n})
		}
	}
	return nil
}

// reconnect connects to n again after the restart's disconnect.
func (sp *serverProc) reconnect(n etf.Atom) {
	delete(sp.resync, n)
	s := sp.s
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		if err := s.n.Connect(ctx, n); err != nil {
			s.log.Warn("global: reconnect after restart failed", "peer", n, "err", err)
		}
	}()
}

func (sp *serverProc) Terminate(p *node.Process, _ etf.Term) {
	p.MonitorNodes(false)
	for _, w := range sp.syncers {
		close(w.done)
	}
	sp.syncers = nil
}

func (sp *serverProc) HandleMessage(p *node.Process, msg etf.Term) error {
	sp.s.log.Debug("global: server in", "message", msg)
	switch m := msg.(type) {
	case stopSignal:
		return &node.ExitError{Reason: node.Normal}
	case node.NodeUpMsg:
		sp.nodeUp(m.Node)
	case node.NodeDownMsg:
		sp.nodeDown(m.Node)
		if sp.resync[m.Node] {
			sp.reconnect(m.Node)
		}
	case node.DownMsg:
		sp.down(m)
	case recheckName:
		sp.recheck(m)
	case lockIsSet:
		sp.lockIsSet(m)
	case exchangeOps:
		sp.exchangeOps(m)
	case extraNodedown:
		sp.notifySyncers(m.node)
		sp.handleNodedown(m.node, ndDisconnected)
	case syncRequest:
		sp.syncRequest(m)
	case etf.Tuple:
		sp.tuple(m)
	default:
		sp.s.log.Debug("global: unexpected message", "message", msg)
	}
	return nil
}

func (sp *serverProc) tuple(m etf.Tuple) {
	if len(m) == 0 {
		return
	}
	if from, req, ok := node.ParseGenCall(m); ok {
		sp.call(from, req)
		return
	}
	if req, ok := node.ParseGenCast(m); ok {
		if c, ok := req.(etf.Tuple); ok && len(c) > 0 {
			sp.cast(c)
		}
		return
	}
	tag, _ := m[0].(etf.Atom)
	switch {
	case tag == "lost_connection" && len(m) == 5:
		sp.lostConnection(m)
	case tag == "remove_connection" && len(m) == 2:
		if n, ok := m[1].(etf.Atom); ok && sp.potentiallyKnown(n) {
			sp.s.log.Warn("global: disconnecting to prevent overlapping partitions", "peer", n)
			if d, ok := any(sp.s.n).(disconnecter); ok {
				_ = d.Disconnect(n)
			}
			sp.handleNodedown(n, ndRemoveConnection)
		}
	default:
		// cancel_connect and init_connect_ack belong to protocol version 8,
		// which the Go node does not announce; anything else is logged.
		sp.s.log.Debug("global: ignored message", "message", m)
	}
}

// call answers gen_server calls (local and gen_server:multi_call from other
// nodes).
func (sp *serverProc) call(from, req etf.Term) {
	var reply etf.Term
	switch r := req.(type) {
	case etf.Atom:
		switch r {
		case "get_known":
			l := make(etf.List, 0, len(sp.known))
			for n := range sp.known {
				l = append(l, n)
			}
			reply = l
		case "get_synced":
			l := make(etf.List, 0, len(sp.synced))
			for n := range sp.synced {
				l = append(l, n)
			}
			reply = l
		case "get_protocol_version":
			reply = protocolVersion
		case "get_names_ext":
			reply = etf.List(nil)
		}
	case etf.Tuple:
		op, _ := r[0].(etf.Atom)
		pidOf := func() etf.PID {
			pid, _, _ := node.ParseFrom(from)
			return pid
		}
		switch {
		case op == "register" && len(r) == 4, op == "register_ext" && len(r) == 5:
			if pid, ok := r[2].(etf.PID); ok {
				sp.insName(r[1], pid, r[3])
				reply = atomYes
			}
		case op == "unregister" && len(r) == 2:
			sp.delName(r[1])
			reply = atomOK
		case op == "set_lock" && len(r) == 2:
			if id, ok := tuple(r[1], 2); ok {
				reply = boolAtom(sp.locks.set(id[0], id[1], pidOf(), sp.monitor))
			}
		case op == "del_lock" && len(r) == 2:
			if id, ok := tuple(r[1], 2); ok {
				for _, ref := range sp.locks.del(id[0], id[1], pidOf()) {
					sp.p.Demonitor(ref)
				}
				reply = atomTrue
			}
		}
	}
	if reply == nil {
		sp.s.log.Warn("global: unexpected call", "req", req)
		return
	}
	sp.s.replier.Reply(sp.p, from, reply)
}

func (sp *serverProc) monitor(pid etf.PID) etf.Ref {
	ref, err := sp.p.Monitor(pid)
	if err != nil {
		sp.s.log.Debug("global: monitor failed", "pid", pid, "err", err)
	}
	return ref
}

func (sp *serverProc) cast(c etf.Tuple) {
	op, _ := c[0].(etf.Atom)
	switch {
	case op == "init_connect" && len(c) == 4:
		sp.initConnect(c)
	case op == "exchange" && len(c) == 5:
		n, _ := c[1].(etf.Atom)
		names, _ := etf.AsList(c[2])
		sp.exchange(n, names, c[4])
	case op == "resolved" && len(c) == 7:
		n, _ := c[1].(etf.Atom)
		res, _ := etf.AsList(c[2])
		sp.resolvedMsg(n, res, c[3], c[6])
	case op == "new_nodes" && len(c) == 6:
		ops, _ := etf.AsList(c[2])
		sp.newNodes(ops, c[4])
	case op == "in_sync" && len(c) == 3:
		if n, ok := c[1].(etf.Atom); ok {
			sp.inSync(n)
		}
	case op == "lock_set" && (len(c) == 4 || len(c) == 5):
		// A peer's locker answers ours through us (vsn 6+).
		_ = sp.p.Send(sp.s.locker(), c)
	case op == "async_del_name" || op == "async_del_lock":
		// Pre-R14 leftovers: DOWN signals do the work.
	default:
		sp.s.log.Warn("global: unexpected cast", "message", c)
	}
}

// --- names ---------------------------------------------------------------

func (sp *serverProc) insName(name etf.Term, pid etf.PID, method etf.Term) {
	e := &nameEntry{name: name, pid: pid, method: method}
	pending := pid.Node != sp.self() && !sp.connected[pid.Node]
	if pending {
		// Names of a partition we are still connecting to (new_nodes,
		// resolved) arrive before the connection: monitoring now would
		// block the server on connection setup or fail with noconnection.
		// A placeholder ref keeps the entry until the node is up.
		e.ref = sp.s.n.MakeRef()
	} else {
		e.ref = sp.monitor(pid)
	}
	if old := sp.s.names.put(e); old != nil {
		sp.p.Demonitor(old.ref)
	}
	if pending {
		sp.p.SendAfter(recheckDelay, sp.p.Self(), recheckName{name: name, ref: e.ref, tries: 1})
	}
}

func (sp *serverProc) delName(name etf.Term) {
	if old := sp.s.names.delete(name); old != nil {
		sp.p.Demonitor(old.ref)
	}
}

func (sp *serverProc) down(m node.DownMsg) {
	sp.locks.down(m.Ref)
	e, ok := sp.s.names.byMonitor(m.Ref)
	if !ok {
		return
	}
	if m.Reason == node.NoConnection && e.pid.Node != sp.self() {
		// The monitor may have raced the connection being set up (names
		// of a new partition arrive before we are connected to all of
		// it). OTP removes such names at nodedown; check again shortly
		// and keep the name if the node is connected by then.
		sp.p.SendAfter(recheckDelay, sp.p.Self(), recheckName{name: e.name, ref: m.Ref, tries: 1})
		return
	}
	sp.s.names.delete(e.name)
}

// A name whose node is not connected is kept for at most
// recheckTries*recheckDelay, waiting for the connection global itself sets
// up (connect_all).
const (
	recheckDelay = 500 * time.Millisecond
	recheckTries = 10
)

type recheckName struct {
	name  etf.Term
	ref   etf.Ref
	tries int
}

func (sp *serverProc) recheck(r recheckName) {
	e, ok := sp.s.names.lookup(r.name)
	if !ok || e.ref != r.ref {
		return
	}
	switch {
	case sp.connected[e.pid.Node]:
		sp.insName(e.name, e.pid, e.method)
	case r.tries < recheckTries:
		r.tries++
		sp.p.SendAfter(recheckDelay, sp.p.Self(), r)
	default:
		sp.s.names.delete(e.name)
	}
}

// doOps applies resolved operations: {insert, {Name, Pid, Method}} and
// {delete, Name}.
func (sp *serverProc) doOps(ops etf.List) {
	for _, op := range ops {
		t, ok := tuple(op, 2)
		if !ok {
			continue
		}
		switch t[0] {
		case etf.Atom("insert"):
			if nt, ok := tuple(t[1], 3); ok {
				if pid, ok := nt[1].(etf.PID); ok {
					sp.insName(nt[0], pid, nt[2])
				}
			}
		case etf.Atom("delete"):
			sp.delName(t[1])
		}
	}
}

// --- sync API ------------------------------------------------------------

type syncRequest struct {
	nodes []etf.Atom // nil: every connected node
	w     *syncWaiter
}

func (sp *serverProc) syncRequest(r syncRequest) {
	nodes := r.nodes
	if nodes == nil {
		for n := range sp.connected {
			nodes = append(nodes, n)
		}
	}
	for _, n := range nodes {
		if n != sp.s.n.Name() && !sp.synced[n] && sp.connected[n] {
			r.w.left[n] = true
		}
	}
	if len(r.w.left) == 0 {
		close(r.w.done)
		return
	}
	sp.syncers = append(sp.syncers, r.w)
}

// notifySyncers reports node as synced (or down) to waiting Sync calls.
func (sp *serverProc) notifySyncers(n etf.Atom) {
	sp.syncers = slices.DeleteFunc(sp.syncers, func(w *syncWaiter) bool {
		delete(w.left, n)
		if len(w.left) == 0 {
			close(w.done)
			return true
		}
		return false
	})
}
