// Spec: kernel global, https://www.erlang.org/doc/man/global.html

package global

import (
	"math/big"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Messages from the locker and resolvers to the server.
type (
	lockIsSet struct {
		node   etf.Atom
		tag    int
		lockID etf.Term
	}
	exchangeOps struct {
		node     etf.Atom
		tag      int
		ops      etf.List // applied here
		resolved etf.List // sent to the peer
	}
	extraNodedown struct{ node etf.Atom }
)

func (sp *serverProc) self() etf.Atom { return sp.s.n.Name() }

// nodeUp starts a name exchange with a newly connected node: cast
// init_connect with our locker's pid and a fresh tag.
func (sp *serverProc) nodeUp(n etf.Atom) {
	if n == sp.self() {
		return
	}
	sp.connected[n] = true
	if !sp.s.cfg.connectAll {
		return
	}
	if _, ok := sp.known[n]; ok {
		return
	}
	if _, ok := sp.sessions[n]; ok {
		return
	}
	sp.nextTag++
	ss := &session{myTag: sp.nextTag}
	sp.sessions[n] = ss
	initMsg := etf.Tuple{etf.Atom("locker"), etf.Atom("no_longer_a_pid"), sp.knownList(0), sp.s.locker()}
	cast(sp.p, n, etf.Tuple{etf.Atom("init_connect"), etf.Tuple{protocolVersion, ss.myTag}, sp.self(), initMsg})
	if pre, ok := sp.preConnect[n]; ok {
		delete(sp.preConnect, n)
		sp.initConnect(pre)
	}
}

// initConnect handles {init_connect, {Vsn, HisTag}, Node, {locker, _, _, HisLocker}}.
func (sp *serverProc) initConnect(c etf.Tuple) {
	n, ok := c[2].(etf.Atom)
	if !ok {
		return
	}
	vt, _ := c[1].(etf.Tuple)
	if len(vt) < 2 {
		sp.s.log.Warn("global: illegal protocol version", "vsn", c[1], "peer", n)
		return
	}
	hisVsn, _ := asInt(vt[0])
	ss, ok := sp.sessions[n]
	if !ok {
		// init_connect before our nodeup: keep it for nodeUp.
		sp.preConnect[n] = c
		return
	}
	lt, ok := tuple(c[3], 4)
	if !ok {
		return
	}
	hisLocker, ok := lt[3].(etf.PID)
	if !ok {
		return
	}
	ss.hisTag, ss.hisVsn, ss.inited = vt[1], hisVsn, true
	ss.vsn = min(hisVsn, protocolVersion)
	sp.pending[n] = hisVsn
	_ = sp.p.Send(sp.s.locker(), hisTheLocker{node: n, locker: hisLocker, vsn: hisVsn, myTag: ss.myTag})
}

// lockIsSet: our locker holds the lock in both partitions; send our names.
func (sp *serverProc) lockIsSet(m lockIsSet) {
	ss, ok := sp.sessions[m.node]
	if !ok || ss.myTag != m.tag {
		sp.cancelLocker(m.node, m.tag, nil)
		return
	}
	cast(sp.p, m.node, etf.Tuple{etf.Atom("exchange"), sp.self(), sp.s.names.exchangeList(), etf.List(nil), ss.hisTag})
	ss.lockID, ss.lockSet = m.lockID, true
	if ss.gotExchange {
		sp.startResolver(m.node, ss, ss.exchangeNames)
	}
}

func (sp *serverProc) exchange(n etf.Atom, names etf.List, tag etf.Term) {
	ss, ok := sp.sessions[n]
	if !ok || !etf.Equal(tag, ss.myTag) {
		t, _ := asInt(tag)
		sp.cancelLocker(n, t, nil)
		return
	}
	if ss.lockSet {
		sp.startResolver(n, ss, names)
		return
	}
	ss.gotExchange, ss.exchangeNames = true, names
}

func (sp *serverProc) exchangeOps(m exchangeOps) {
	ss, ok := sp.sessions[m.node]
	if !ok || ss.myTag != m.tag {
		sp.cancelLocker(m.node, m.tag, nil)
		return
	}
	cast(sp.p, m.node, etf.Tuple{etf.Atom("resolved"), sp.self(), m.resolved, sp.knownList(ss.vsn), atomUnused, etf.List(nil), ss.hisTag})
	ss.opsReady, ss.ops = true, m.ops
	if ss.gotResolved {
		sp.resolved(m.node, ss)
	}
}

func (sp *serverProc) resolvedMsg(n etf.Atom, hisResolved etf.List, hisKnown, tag etf.Term) {
	ss, ok := sp.sessions[n]
	if !ok || !etf.Equal(tag, ss.myTag) {
		t, _ := asInt(tag)
		sp.cancelLocker(n, t, nil)
		return
	}
	ss.gotResolved, ss.hisResolved, ss.hisKnown = true, hisResolved, hisKnown
	if ss.opsReady {
		sp.resolved(n, ss)
	}
}

// resolved completes the exchange with n: apply the operations, tell our
// partition about n's partition (new_nodes, sent by the locker before it
// releases the lock) and learn n's known nodes.
func (sp *serverProc) resolved(n etf.Atom, ss *session) {
	ops := append(append(etf.List{}, ss.ops...), ss.hisResolved...)
	hisKnown := nodeList(ss.hisKnown)
	newNodes := append([]nodeVsn{{node: n, vsn: ss.hisVsn}}, hisKnown...)
	for i := range newNodes {
		if newNodes[i].vsn == 0 {
			newNodes[i].vsn = sp.nodeVsn(newNodes[i].node)
		}
	}
	sp.syncOthers(hisKnown)
	sp.doOps(ops)
	sp.notifySyncers(n)
	for _, k := range hisKnown {
		if ks, ok := sp.sessions[k.node]; ok {
			delete(sp.pending, k.node)
			sp.cancelLocker(k.node, ks.myTag, nil)
			delete(sp.sessions, k.node)
		}
	}
	extra := etf.List{etf.Tuple{etf.Atom("vsn"), ss.vsn}, etf.Tuple{etf.Atom("lock"), ss.lockID}}
	withVsn := make(etf.List, 0, len(newNodes))
	plain := make(etf.List, 0, len(newNodes))
	for _, nv := range newNodes {
		withVsn = append(withVsn, etf.Tuple{nv.node, nv.vsn})
		plain = append(plain, nv.node)
	}
	var casts []pendingCast
	for k, v := range sp.known {
		nodes := withVsn
		if v < popVsn {
			nodes = plain
		}
		casts = append(casts, pendingCast{to: k, msg: etf.Tuple{etf.Atom("new_nodes"), sp.self(), ops, etf.List(nil), nodes, extra}})
	}
	delete(sp.pending, n)
	sp.cancelLocker(n, ss.myTag, casts)
	delete(sp.sessions, n)
	added := sp.addToKnown(newNodes)
	_ = sp.p.Send(sp.s.locker(), lockerKnown{add: added})
	sp.synced[n] = true
}

// newNodes: another node of our partition connected to a new partition.
func (sp *serverProc) newNodes(ops etf.List, nodes etf.Term) {
	added := sp.addToKnown(nodeList(nodes))
	var nv []nodeVsn
	for _, a := range added {
		nv = append(nv, nodeVsn{node: a})
	}
	sp.syncOthers(nv)
	sp.doOps(ops)
	_ = sp.p.Send(sp.s.locker(), lockerKnown{add: added})
}

func (sp *serverProc) inSync(n etf.Atom) {
	sp.notifySyncers(n)
	sp.synced[n] = true
	delete(sp.pending, n)
	if ss, ok := sp.sessions[n]; ok {
		sp.cancelLocker(n, ss.myTag, nil)
		delete(sp.sessions, n)
	}
	delete(sp.preConnect, n)
}

func (sp *serverProc) addToKnown(nodes []nodeVsn) []etf.Atom {
	var added []etf.Atom
	for _, nv := range nodes {
		if nv.node == sp.self() {
			continue
		}
		if _, ok := sp.known[nv.node]; !ok {
			added = append(added, nv.node)
			sp.known[nv.node] = nv.vsn
		} else if nv.vsn > 0 {
			sp.known[nv.node] = nv.vsn
		}
	}
	return added
}

// knownList is global's mk_known_list: [{Node, Vsn}] for peers of
// protocol 7+, else plain node names.
func (sp *serverProc) knownList(peerVsn int) etf.List {
	l := make(etf.List, 0, len(sp.known))
	for n, v := range sp.known {
		if peerVsn >= popVsn {
			l = append(l, etf.Tuple{n, v})
		} else {
			l = append(l, n)
		}
	}
	return l
}

func (sp *serverProc) nodeVsn(n etf.Atom) int {
	if v, ok := sp.known[n]; ok && v > 0 {
		return v
	}
	if v, ok := sp.pending[n]; ok {
		return v
	}
	if ss, ok := sp.sessions[n]; ok {
		return ss.hisVsn
	}
	return 0
}

func (sp *serverProc) potentiallyKnown(n etf.Atom) bool {
	_, k := sp.known[n]
	_, p := sp.pending[n]
	return k || p
}

// cancelLocker tells the locker to drop the session (after sending casts,
// which must reach their nodes before the lock is released).
func (sp *serverProc) cancelLocker(n etf.Atom, tag int, casts []pendingCast) {
	_ = sp.p.Send(sp.s.locker(), lockerCancel{node: n, tag: tag, casts: casts})
}

// syncOthers connects to each node (monitor_node connects, as in OTP) and
// casts {in_sync, node(), true}; a node that cannot be reached is handled
// as down.
func (sp *serverProc) syncOthers(nodes []nodeVsn) {
	for _, nv := range nodes {
		if nv.node == sp.self() {
			continue
		}
		_, _ = sp.s.n.Spawn(&syncOther{peer: nv.node, server: sp.p.Self()})
	}
}

type syncOther struct {
	peer   etf.Atom
	server etf.PID
}

type kick struct{}

func (o *syncOther) Init(p *node.Process) error {
	p.MonitorNode(o.peer, true) // delivers NodeDownMsg first if unreachable
	return p.Send(p.Self(), kick{})
}

func (o *syncOther) HandleMessage(p *node.Process, msg etf.Term) error {
	switch msg.(type) {
	case node.NodeDownMsg:
		_ = p.Send(o.server, extraNodedown{node: o.peer})
	case kick:
		cast(p, o.peer, etf.Tuple{etf.Atom("in_sync"), p.Node().Name(), atomTrue})
	}
	p.MonitorNode(o.peer, false)
	return &node.ExitError{Reason: node.Normal}
}

func (o *syncOther) Terminate(*node.Process, etf.Term) {}

// --- node down -------------------------------------------------------------

type nodedownKind int

const (
	ndDisconnected nodedownKind = iota
	ndRemoveConnection
)

func (sp *serverProc) nodeDown(n etf.Atom) {
	delete(sp.connected, n)
	sp.notifySyncers(n)
	sp.handleNodedown(n, ndDisconnected)
	// Names and locks of processes on n: DOWN signals (noconnection) remove
	// them; do it here too in case a monitor could not be set up.
	for _, e := range sp.s.names.all() {
		if e.pid.Node == n {
			sp.delName(e.name)
		}
	}
}

func (sp *serverProc) handleNodedown(n etf.Atom, kind nodedownKind) {
	tag := 0
	if ss, ok := sp.sessions[n]; ok {
		tag = ss.myTag
	}
	sp.cancelLocker(n, tag, nil)
	_ = sp.p.Send(sp.s.locker(), lockerKnown{remove: n})
	delete(sp.sessions, n)
	delete(sp.preConnect, n)
	switch kind {
	case ndRemoveConnection:
		sp.removing[n] = true
	default:
		if sp.removing[n] {
			delete(sp.removing, n)
		} else if _, known := sp.known[n]; known {
			sp.informConnectionLoss(n)
		}
	}
	delete(sp.pending, n)
	delete(sp.known, n)
	delete(sp.synced, n)
}

// informConnectionLoss multicasts {lost_connection, node(), XCreation,
// OpId, Lost} (prevent_overlapping_partitions).
func (sp *serverProc) informConnectionLoss(lostNode etf.Atom) {
	if !sp.s.cfg.connectAll || !sp.s.cfg.pop {
		return
	}
	sp.nextOp++
	msg := etf.Tuple{etf.Atom("lost_connection"), sp.self(), int(sp.s.n.Creation()), int(sp.nextOp), lostNode}
	sp.multicast(msg, lostNode)
}

func (sp *serverProc) multicast(msg etf.Tuple, ignore etf.Atom) {
	for n, v := range sp.known {
		if n != ignore && v >= popVsn {
			send(sp.p, n, msg)
		}
	}
	for n, v := range sp.pending {
		if _, k := sp.known[n]; !k && n != ignore && v >= popVsn {
			send(sp.p, n, msg)
		}
	}
}

func (sp *serverProc) lostConnection(m etf.Tuple) {
	if !sp.s.cfg.connectAll || !sp.s.cfg.pop {
		return
	}
	a, ok1 := m[1].(etf.Atom)
	b, ok2 := m[4].(etf.Atom)
	if !ok1 || !ok2 {
		return
	}
	key := [2]etf.Atom{a, b}
	if old, ok := sp.lost[key]; ok && etf.Equal(old.xcreation, m[2]) && !opNewer(m[3], old.opID) {
		return
	}
	sp.multicast(m, a)
	sp.lost[key] = lostInfo{xcreation: m[2], opID: m[3], at: time.Now()}
	for k, v := range sp.lost {
		if time.Since(v.at) > time.Hour {
			delete(sp.lost, k)
		}
	}
	rm := b
	if b == sp.self() {
		rm = a
	}
	if !sp.potentiallyKnown(rm) {
		return
	}
	if sp.nodeVsn(rm) < popVsn {
		if d, ok := any(sp.s.n).(disconnecter); ok {
			_ = d.Disconnect(rm)
		}
	} else {
		send(sp.p, rm, etf.Tuple{etf.Atom("remove_connection"), sp.self()})
	}
	sp.s.log.Warn("global: requested disconnect to prevent overlapping partitions", "peer", rm, "reported_by", a)
	sp.handleNodedown(rm, ndRemoveConnection)
}

// opNewer reports a > b for integer op ids (any integer size).
func opNewer(a, b etf.Term) bool {
	return toBig(a).Cmp(toBig(b)) > 0
}

func toBig(t etf.Term) *big.Int {
	switch v := t.(type) {
	case int:
		return big.NewInt(int64(v))
	case *big.Int:
		return v
	}
	return new(big.Int)
}
