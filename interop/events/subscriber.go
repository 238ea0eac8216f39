package events

import (
	"errors"
	"fmt"
	"slices"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// This file is the service's subscriber side: one subscription per event
// per node, shared by the node's local subscribers.

func isTaken(err error) bool { return errors.Is(err, ErrTaken) }

func (sv *service) subscribe(r *subReq) {
	re := sv.s.subs[r.ev]
	if re == nil {
		re = &remoteEvent{ev: r.ev, subs: map[etf.PID]int{}}
		sv.s.subs[r.ev] = re
		sv.lookup(re)
		if sv.s.subs[r.ev] == nil { // failed at once
			r.reply <- subResp{err: ErrNoService}
			return
		}
	}
	if re.phase == ready {
		sv.grant(re, r)
		return
	}
	re.waiters = append(re.waiters, r)
}

func (sv *service) grant(re *remoteEvent, r *subReq) {
	re.subs[r.sub]++
	sv.watchSub(r.sub, 1)
	r.reply <- subResp{pid: re.pid, last: re.buf.list()}
}

// lookup asks the event's node for the event process, monitoring that
// node's service so that a node without one, or unreachable, answers too.
func (sv *service) lookup(re *remoteEvent) {
	to := node.Name{Name: ServiceName, Node: re.ev.Node}
	ref, err := sv.p.Monitor(to)
	if err != nil {
		sv.fail(re, ErrNoService)
		return
	}
	re.phase, re.ref = lookingUp, ref
	sv.refs[ref] = re
	_ = sv.p.Send(to, node.GenCallMsg(sv.p.Self(), ref, etf.Tuple{atomLookup, re.ev.Name}))
}

// subscribeTo subscribes this service to the event process pid,
// monitoring it first: if it is gone, the DOWN answers.
func (sv *service) subscribeTo(re *remoteEvent, pid etf.PID) {
	ref, err := sv.p.Monitor(pid)
	if err != nil {
		sv.fail(re, ErrUnknownEvent)
		return
	}
	re.pid, re.phase, re.ref = pid, subscribing, ref
	sv.refs[ref] = re
	_ = sv.p.Send(pid, node.GenCallMsg(sv.p.Self(), ref, atomNodeSub))
}

// answer handles the reply {Ref, Reply} to a lookup or a node_subscribe.
func (sv *service) answer(ref etf.Ref, reply etf.Term) {
	re := sv.refs[ref]
	if re == nil {
		return // the reply to an unsubscribe, or to a request given up
	}
	switch re.phase {
	case lookingUp:
		sv.p.Demonitor(ref)
		delete(sv.refs, ref)
		t, ok := reply.(etf.Tuple)
		if pid, isPid := tupleAt(t, 1).(etf.PID); ok && len(t) == 2 && t[0] == atomOK && isPid && pid.Node == re.ev.Node {
			sv.subscribeTo(re, pid)
			return
		}
		sv.fail(re, fmt.Errorf("%w: %s", ErrUnknownEvent, re.ev))
	case subscribing:
		last, size, ok := parseSubscribed(reply, sv.s.maxBuffer)
		if !ok {
			sv.p.Demonitor(ref)
			delete(sv.refs, ref)
			sv.s.log.Debug("events: bad answer to node_subscribe", "event", re.ev, "reply", reply)
			sv.fail(re, fmt.Errorf("%w: %s", ErrUnknownEvent, re.ev))
			return
		}
		re.buf.reset(last, size)
		re.phase = ready
		for _, w := range re.waiters {
			sv.grant(re, w)
		}
		re.waiters = nil
		sv.releaseIfIdle(re)
	}
}

func tupleAt(t etf.Tuple, i int) etf.Term {
	if i < len(t) {
		return t[i]
	}
	return nil
}

// fail answers every waiter with err and forgets the subscription. Local
// subscribers already granted (a restarted service renewing them) learn
// of the event's end from their own monitors or links.
func (sv *service) fail(re *remoteEvent, err error) {
	for _, w := range re.waiters {
		w.reply <- subResp{err: err}
	}
	re.waiters = nil
	sv.forget(re)
}

func (sv *service) forget(re *remoteEvent) {
	for pid, k := range re.subs {
		sv.unwatchSub(pid, k)
	}
	delete(sv.refs, re.ref)
	if sv.s.subs[re.ev] == re {
		delete(sv.s.subs, re.ev)
	}
}

// releaseIfIdle unsubscribes from an event no local process wants.
func (sv *service) releaseIfIdle(re *remoteEvent) {
	if len(re.subs) > 0 || len(re.waiters) > 0 || re.phase != ready {
		return
	}
	sv.p.Demonitor(re.ref)
	// The reply carries a fresh ref nobody waits for: answer drops it.
	_ = sv.p.Send(re.pid, node.GenCallMsg(sv.p.Self(), sv.s.n.MakeRef(), atomUnsub))
	sv.forget(re)
}

func (sv *service) cancel(r *subReq) bool {
	re := sv.s.subs[r.ev]
	if re == nil {
		return true
	}
	i := slices.Index(re.waiters, r)
	if i < 0 {
		return true
	}
	re.waiters = slices.Delete(re.waiters, i, i+1)
	return false
}

func (sv *service) unsubscribe(ev Event, sub etf.PID) subResp {
	re := sv.s.subs[ev]
	if re == nil || re.subs[sub] == 0 {
		return subResp{err: ErrNotSubscribed}
	}
	pid := re.pid
	if re.subs[sub]--; re.subs[sub] == 0 {
		delete(re.subs, sub)
	}
	sv.unwatchSub(sub, 1)
	sv.releaseIfIdle(re)
	return subResp{pid: pid}
}

func (sv *service) watchSub(pid etf.PID, k int) {
	if w := sv.watch[pid]; w != nil {
		w.n += k
		return
	}
	ref, err := sv.p.Monitor(pid)
	if err != nil {
		return
	}
	sv.watch[pid] = &watched{ref: ref, n: k}
}

func (sv *service) unwatchSub(pid etf.PID, k int) {
	w := sv.watch[pid]
	if w == nil {
		return
	}
	if w.n -= k; w.n <= 0 {
		sv.p.Demonitor(w.ref)
		delete(sv.watch, pid)
	}
}

func (sv *service) down(m node.DownMsg) {
	if re := sv.refs[m.Ref]; re != nil {
		delete(sv.refs, m.Ref)
		switch re.phase {
		case lookingUp:
			err := error(ErrNoService)
			if m.Reason == etf.Atom("noconnection") {
				err = fmt.Errorf("%w: %s: %w", ErrNoService, re.ev.Node, node.ErrNoConnection)
			}
			sv.fail(re, err)
		default:
			// The event ended (or its node went away): each local
			// subscriber has its own DOWN or exit signal.
			sv.fail(re, fmt.Errorf("%w: %s ended: %s", ErrUnknownEvent, re.ev, etf.Format(m.Reason)))
		}
		return
	}
	pid, _ := m.Object.(etf.PID)
	w := sv.watch[pid]
	if w == nil || w.ref != m.Ref {
		return
	}
	delete(sv.watch, pid)
	for _, re := range sv.s.subs {
		if _, ok := re.subs[pid]; ok {
			delete(re.subs, pid)
			sv.releaseIfIdle(re)
		}
	}
}
