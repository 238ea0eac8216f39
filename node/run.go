package node

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// Signals queued in a mailbox next to ordinary messages. They are pointers
// to unexported types, so no user term can be mistaken for one.
type exitSignal struct {
	from   etf.PID
	reason etf.Term
	link   bool // from a broken link (else exit/2)
}

type downSignal struct {
	ref    etf.Ref
	object etf.Term
	reason etf.Term
}

// Scheduling: a producer appends under p.mu and, if the process was idle,
// marks it running and starts a goroutine (or wakes a lingering one, see
// linger.go). The goroutine drains the queue in batches and goes idle under
// the same lock once the queue is empty, so a message can never be left
// behind with no goroutine to handle it.

// deliver enqueues an ordinary message. It returns ErrMailboxFull when a
// bounded mailbox is full; messages to dead processes are dropped silently.
func (p *Process) deliver(msg any) error { return p.deliverFrom(nil, msg) }

// deliverFrom is deliver for a message that c's reader decoded (c nil: any
// other sender). With c, an idle process that gets a $gen_call request
// runs inline on the reader (inline.go).
func (p *Process) deliverFrom(c *dist.Conn, msg any) error {
	p.mu.Lock()
	if pc := p.call; pc != nil && pc.matchesReply(msg) {
		p.mu.Unlock()
		pc.complete(pc.ref, msg.(etf.Tuple)[1], nil)
		return nil
	}
	if p.state >= stateDead {
		p.mu.Unlock()
		return nil
	}
	start, err := p.queueLocked(msg)
	if start && c != nil && isGenCall(msg) {
		e := p.extLocked()
		p.mu.Unlock()
		p.runInline(c, e)
		return nil
	}
	p.mu.Unlock()
	if start {
		go p.run()
	}
	return err
}

// queueLocked queues msg in p's mailbox (p.mu held, p not dead) and makes
// p handle it: start reports that p was idle and is now running, so the
// caller must give it a goroutine once it releases p.mu (wakeLocked). A
// full bounded mailbox queues nothing and counts the drop.
func (p *Process) queueLocked(msg any) (start bool, err error) {
	if p.max > 0 && p.normal.len >= int(p.max) {
		p.extLocked().dropped++
		return false, ErrMailboxFull
	}
	p.normal.push(msg, &p.node.segs)
	return p.wakeLocked(), nil
}

// deliverSignal enqueues a system message or signal, never dropped for a
// full mailbox. urgent signals go ahead of queued messages.
func (p *Process) deliverSignalLocked(s any, urgent bool) (start bool) {
	if urgent {
		p.urgent = append(p.urgent, s)
		p.urgentN.Add(1)
	} else {
		p.normal.push(s, &p.node.segs)
	}
	return p.wakeLocked()
}

// signalExit delivers an exit signal from "from" (Erlang's "Receiving Exit
// Signals"):
//   - a link exit is ignored unless a link to from exists and is active
//     (the link is removed: the peer is gone);
//   - exit/2 with reason kill kills unconditionally with reason killed;
//   - a trapping process gets ExitMsg, queued after earlier messages;
//   - reason normal is ignored, except exit(self(), normal) which exits;
//   - anything else kills the process with that reason, ahead of its
//     queued messages (a Call it is blocked in returns at once).
//
// A failed link attempt (noproc, noconnection) needs no way around the link
// check: the caller booked the link before it failed, so the signal finds it.
func (p *Process) signalExit(from etf.PID, reason etf.Term, link bool) {
	p.mu.Lock()
	if p.state >= stateDead {
		p.mu.Unlock()
		return
	}
	if link {
		if !p.links.active(from) {
			p.mu.Unlock()
			return
		}
		delete(p.links, from)
	}
	untrappable := reason == Kill && !link
	var start bool
	switch {
	case p.trap && !untrappable:
		start = p.deliverSignalLocked(&exitSignal{from: from, reason: reason, link: link}, false)
	case reason == Normal && from != p.pid:
		// ignored
	default:
		start = p.deliverSignalLocked(&exitSignal{from: from, reason: reason, link: link}, true)
		if pc := p.call; pc != nil {
			pc.complete(pc.ref, nil, &ExitError{Reason: exitReason(reason, link)})
		}
		if r := p.node.remote; r != nil {
			defer r.blocked.wake(p.pid) // after p.mu is released
		}
	}
	p.mu.Unlock()
	if start {
		go p.run()
	}
}

// exitReason is the reason a process dies with when killed by a signal.
func exitReason(reason etf.Term, link bool) etf.Term {
	if reason == Kill && !link {
		return Killed
	}
	return reason
}

// signalDown delivers a DOWN for the monitor ref held by p. A DOWN for a Call
// in progress completes the call instead of reaching the mailbox.
func (p *Process) signalDown(ref etf.Ref, object, reason etf.Term) {
	p.mu.Lock()
	if pc := p.call; pc != nil && pc.ref == ref {
		delete(p.monitors, ref)
		p.mu.Unlock()
		pc.complete(ref, nil, p.node.errorOf(reason))
		return
	}
	if p.state >= stateDead {
		p.mu.Unlock()
		return
	}
	start := p.deliverSignalLocked(&downSignal{ref: ref, object: object, reason: reason}, false)
	p.mu.Unlock()
	if start {
		go p.run()
	}
}

// deliverInfo queues a system message (NodeDownMsg...) that is not subject
// to the mailbox bound.
func (p *Process) deliverInfo(msg any) {
	p.mu.Lock()
	if p.state >= stateDead {
		p.mu.Unlock()
		return
	}
	start := p.deliverSignalLocked(msg, false)
	p.mu.Unlock()
	if start {
		go p.run()
	}
}

// lingerSpins is how many times a drained process yields (runtime.Gosched)
// before giving its goroutine up.
const lingerSpins = 1

func (p *Process) run() {
	spins := 0
	var l lingerer
	var last any // the last message of the batch: a $gen_call request makes p linger
	for {
		p.mu.Lock()
		if len(p.urgent) > 0 {
			p.mu.Unlock()
			if p.drainUrgent() {
				return
			}
			continue
		}
		if p.normal.len == 0 {
			if p.heldLocked() {
				p.flushCallLocked() // a Call's DEMONITOR_P (call_remote.go)
				continue
			}
			if spins < lingerSpins {
				// Linger briefly before going idle: in request/response
				// traffic the next message is usually a few hundred ns
				// away, and a new goroutine costs a start plus stack growth.
				p.mu.Unlock()
				spins++
				runtime.Gosched()
				continue
			}
			if !isGenCall(last) {
				p.state = stateIdle
				p.mu.Unlock()
				return
			}
			if !l.linger(p) {
				return
			}
			spins, last = 0, nil
			continue
		}
		spins = 0
		p.countTakenLocked(p.normal.len)
		t := p.normal.tail
		last = t.items[t.n-1] // once per batch: cheaper than per message
		chain := p.normal.take()
		p.mu.Unlock()
		if p.dispatchChain(chain) {
			return
		}
	}
}

// dispatchChain handles the messages of a chain taken from the mailbox and
// releases its segments; it returns true if the process exited.
func (p *Process) dispatchChain(chain *segment) bool {
	pool := &p.node.segs
	for seg := chain; seg != nil; {
		for i := 0; i < seg.n; i++ {
			m := seg.items[i]
			seg.items[i] = nil
			if p.urgentN.Load() != 0 && p.drainUrgent() {
				return true
			}
			if p.dispatch(m) {
				return true
			}
		}
		next := seg.next
		releaseSegment(seg, pool)
		seg = next
	}
	return false
}

// drainUrgent handles queued killing signals; it returns true if the process
// exited.
func (p *Process) drainUrgent() bool {
	for {
		p.mu.Lock()
		if len(p.urgent) == 0 {
			p.mu.Unlock()
			return false
		}
		s := p.urgent[0].(*exitSignal)
		p.urgent[0] = nil
		p.urgent = p.urgent[1:]
		p.urgentN.Add(-1)
		trap := p.trap
		p.mu.Unlock()
		if trap && !(s.reason == Kill && !s.link) {
			// trap_exit was turned on after the signal was queued.
			if p.invoke(ExitMsg{From: s.from, Reason: s.reason}) {
				return true
			}
			continue
		}
		p.exit(exitReason(s.reason, s.link), true)
		return true
	}
}

// dispatch converts a queued item to what the handler sees and runs the
// handler. It returns true if the process exited.
func (p *Process) dispatch(m any) bool {
	switch s := m.(type) {
	case *exitSignal:
		m = ExitMsg{From: s.from, Reason: s.reason}
	case *downSignal:
		p.mu.Lock()
		t, ok := p.monitors[s.ref]
		delete(p.monitors, s.ref)
		p.mu.Unlock()
		if !ok {
			return false // demonitored after the DOWN was queued: flushed
		}
		if t.alias != aliasNone {
			p.dropAlias(s.ref)
		}
		m = DownMsg{Ref: s.ref, Type: "process", Object: s.object, Reason: s.reason}
	}
	return p.invoke(m)
}

// invoke runs HandleMessage, converting an error or panic into an exit. It
// returns true if the process exited.
func (p *Process) invoke(m any) (exited bool) {
	err := p.safeHandle(m)
	if err == nil {
		return false
	}
	// A killing signal that arrived while the handler ran wins over the
	// handler's own error (it was first in time).
	if p.urgentN.Load() != 0 && p.drainUrgent() {
		return true
	}
	p.exit(p.node.reasonOf(err), true)
	return true
}

func (p *Process) safeHandle(m any) (err error) {
	defer Recover(&err, p, "process panicked")
	return p.beh.HandleMessage(p, m)
}

// exit runs Terminate (if asked), marks the process dead and notifies links,
// monitors and aliases. It runs once, on the process's goroutine (or the
// spawner's, when Init fails).
func (p *Process) exit(reason etf.Term, terminate bool) {
	n := p.node
	if terminate {
		func() {
			defer Recover(nil, p, "Terminate panicked")
			p.beh.Terminate(p, reason)
		}()
	}
	p.mu.Lock()
	p.flushCallLocked()
	p.mu.Lock()
	p.state = stateDead
	links, watchers, monitors := p.links, p.watchers, p.monitors
	p.links, p.watchers, p.monitors = nil, nil, nil
	name := p.name
	p.name = ""
	var aliases map[etf.Ref]struct{}
	var dropped int
	var exitCh []chan etf.Term
	if p.ext != nil {
		aliases = p.ext.aliases
		p.ext.aliases = nil
		dropped = p.ext.dropped
		exitCh, p.ext.exitCh = p.ext.exitCh, nil
		p.stopSelfTimersLocked()
	}
	p.normal.take()
	p.urgent = nil
	p.urgentN.Store(0)
	p.mu.Unlock()

	n.procs.del(pidKey(p.pid))
	if name != "" {
		n.unregisterIf(name, p)
	}
	for a := range aliases {
		n.aliases.del(a)
	}
	for ref, t := range monitors {
		n.removeWatcher(p.pid, ref, t)
	}
	n.dropNodeMonitors(p.pid)
	for peer, st := range links {
		if !st.unlinking() {
			n.sendExit(p.pid, peer, reason, true)
		} else if n.remote != nil && peer.Node != n.name {
			n.remote.forgetLink(p.pid, peer)
		}
	}
	for _, ch := range exitCh {
		ch <- reason // capacity 1, one send: never blocks
		close(ch)
	}
	for ref, w := range watchers {
		obj := etf.Term(p.pid)
		if w.name != "" {
			obj = Name{Name: w.name, Node: n.name}
		}
		n.sendDown(p.pid, w.pid, ref, obj, reason)
	}
	if dropped > 0 {
		n.log.Warn("process dropped messages: mailbox full", "pid", p.pid, "dropped", dropped)
	}
	if reason != Normal && reason != Shutdown && n.log.Enabled(context.Background(), slog.LevelDebug) {
		// Formatting the reason costs more than the rest of an exit for
		// erpc's processes (they exit with their result), so only when
		// the line is logged.
		n.log.Debug("process exited", "pid", p.pid, "reason", fmt.Sprint(reason))
	}
	n.live.Done()
}
