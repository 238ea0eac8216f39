package discovery

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// startPoll asks the strategy for the node list on its own goroutine, so a
// slow lookup never delays nodedown handling or connection results.
func (r *Runner) startPoll(ctx context.Context) {
	r.wg.Go(func() {
		names, err := r.safeNodes(ctx)
		select {
		case r.polls <- pollResult{names, err}:
		case <-ctx.Done():
		}
	})
}

// safeNodes calls the strategy under the lookup timeout; a panic becomes
// ErrStrategyPanic.
func (r *Runner) safeNodes(ctx context.Context) (names []etf.Atom, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.lookupTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("discovery: strategy panicked", "panic", v, "stack", string(debug.Stack()))
			names, err = nil, fmt.Errorf("%w: %v", ErrStrategyPanic, v)
		}
	}()
	return r.s.Nodes(ctx)
}

// applyPoll merges a node list: new names become candidates due at once;
// after a successful poll, names no longer listed are forgotten. A failed
// poll only adds.
func (r *Runner) applyPoll(p pollResult) {
	r.logPoll(p.err)
	now := time.Now()
	want := make(map[etf.Atom]bool, len(p.names))
	self := r.n.Name()
	r.mu.Lock()
	for _, name := range p.names {
		if name == self || want[name] {
			continue
		}
		if err := checkNodeName(string(name)); err != nil {
			r.log.Debug("discovery: strategy listed a bad name; skipped", "err", err)
			continue
		}
		want[name] = true
		if r.cands[name] == nil {
			r.cands[name] = &candidate{status: NodeStatus{Node: name, NextAttempt: now}}
		}
	}
	if p.err == nil {
		for name := range r.cands {
			if !want[name] {
				delete(r.cands, name)
			}
		}
	}
	r.mu.Unlock()
	r.reconcile(now)
}

// logPoll warns about a failing poll once per distinct error, so a DNS
// server that stays down does not fill the log.
func (r *Runner) logPoll(err error) {
	if err == nil {
		if r.lastWarn != "" {
			r.log.Info("discovery: strategy answers again")
		}
		r.lastWarn = ""
		return
	}
	if msg := err.Error(); msg != r.lastWarn {
		r.lastWarn = msg
		r.log.Warn("discovery: poll failed; keeping the known nodes", "err", err)
		return
	}
	r.log.Debug("discovery: poll failed again", "err", err)
}

// reconcile brings every candidate's connected flag in line with the
// node's connection list: it catches what node monitoring does not report
// (hidden connections, a candidate that was connected before it was
// listed, events missed while the watcher restarted).
func (r *Runner) reconcile(now time.Time) {
	connected := make(map[etf.Atom]bool)
	for _, n := range r.n.ConnectedNodes() {
		connected[n] = true
	}
	var evs []Event
	r.mu.Lock()
	for name, c := range r.cands {
		up := connected[name]
		if c.status.Connected && !up {
			// The node announces nodeup a moment before it lists the
			// connection: one look may fall in between. Believe a
			// missing connection on the second look (a visible node's
			// nodedown comes from the watcher at once anyway).
			if c.missing++; c.missing < 2 {
				continue
			}
		}
		c.missing = 0
		if ev, ok := r.setLocked(c, up, now); ok {
			evs = append(evs, ev)
		}
	}
	r.mu.Unlock()
	r.emit(evs...)
}

// observe handles a nodeup or nodedown from the watcher.
func (r *Runner) observe(name etf.Atom, up bool) {
	r.mu.Lock()
	c := r.cands[name]
	var ev Event
	var ok bool
	if c != nil {
		ev, ok = r.setLocked(c, up, time.Now())
	}
	r.mu.Unlock()
	if ok {
		r.emit(ev)
	}
}

// setLocked records a candidate's connection state and returns the event
// when it changed. A lost node is retried after the first back-off step:
// at once would fight a deliberate disconnect_node and a node that is
// restarting.
func (r *Runner) setLocked(c *candidate, up bool, now time.Time) (Event, bool) {
	s := &c.status
	c.missing = 0
	if s.Connected == up {
		return Event{}, false
	}
	s.Connected = up
	if up {
		s.Failures, s.LastError, s.NextAttempt = 0, nil, time.Time{}
	} else {
		s.NextAttempt = now.Add(jitter(r.cfg.minBackoff))
	}
	return Event{Node: s.Node, Up: up}, true
}

// emit reports events to OnEvent, logging (and surviving) its panics.
func (r *Runner) emit(evs ...Event) {
	for _, ev := range evs {
		r.log.Debug("discovery: node event", "peer", ev.Node, "up", ev.Up)
		if r.cfg.onEvent == nil {
			continue
		}
		func() {
			defer func() {
				if v := recover(); v != nil {
					r.log.Error("discovery: OnEvent panicked", "panic", v, "event", ev)
				}
			}()
			r.cfg.onEvent(ev)
		}()
	}
}
