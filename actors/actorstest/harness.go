// Package actorstest runs one actors.Actor in isolation for unit tests: no
// network, fake time, and every effect of the actor captured.
//
// The actor runs on a real local node (started WithoutDistribution), linked
// to a probe process that stands for the test: calls, casts and messages
// come from the probe, what the actor sends to the probe is collected, and
// everything the actor does through its *actors.Process (sends, replies,
// spawns, links, monitors, timers) is recorded as actors.Event values.
// Each delivery waits until the actor has handled the message (a sys round
// trip), so assertions that follow are deterministic. Timers run on a
// FakeClock that only Advance moves.
package actorstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// waitLimit bounds every wait for the actor: a stuck actor fails the test
// instead of hanging it.
const waitLimit = 10 * time.Second

var nodeSeq atomic.Uint64

// Harness drives one actor. Use it from the test goroutine only.
type Harness struct {
	t testing.TB
	*core
}

// core is the state shared by a Harness and its WithT views.
type core struct {
	n     *node.Node
	clock *FakeClock
	probe *probe
	pid   etf.PID

	mu     sync.Mutex
	events []actors.Event

	received []etf.Term // messages to the probe that are not replies
	replies  map[etf.Ref]etf.Term
	exited   bool
	reason   etf.Term
	mref     etf.Ref
}

// Option configures New.
type Option func(*config)

type config struct {
	args   []any
	spawn  []node.SpawnOption
	start  time.Time
	logger *slog.Logger
}

// WithArgs passes Init arguments.
func WithArgs(args ...any) Option { return func(c *config) { c.args = args } }

// WithSpawnOptions adds spawn options (node.WithName, node.WithTrapExit,
// actors.WithObserver ...).
func WithSpawnOptions(opts ...node.SpawnOption) Option {
	return func(c *config) { c.spawn = append(c.spawn, opts...) }
}

// WithStartTime sets the fake clock's initial time (default 2000-01-01 UTC).
func WithStartTime(t time.Time) Option { return func(c *config) { c.start = t } }

// WithLogger sets the node's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// New starts a local node, a probe and the actor (Init runs now; an Init
// error fails the test — use Start to test it). Everything is stopped at
// test cleanup.
func New(t testing.TB, a actors.Actor, opts ...Option) *Harness {
	t.Helper()
	h, err := Start(t, a, opts...)
	if err != nil {
		t.Fatalf("actorstest: Init of %T failed: %v", a, err)
	}
	return h
}

// Start is New returning Init's error instead of failing the test; the
// harness is usable (Node, Events) even when Init failed.
func Start(t testing.TB, a actors.Actor, opts ...Option) (*Harness, error) {
	t.Helper()
	cfg := config{start: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	name := fmt.Sprintf("actorstest%d@localhost", nodeSeq.Add(1))
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(), node.WithLogger(cfg.logger))
	if err != nil {
		t.Fatalf("actorstest: start node: %v", err)
	}
	h := &Harness{t: t, core: &core{n: n, clock: NewFakeClock(cfg.start), replies: map[etf.Ref]etf.Term{}}}
	t.Cleanup(func() {
		// The probe traps exits, so it would make the node's Stop wait
		// for its deadline: kill it first (the actor gets the exit signal
		// from its parent).
		if h.probe.np != nil {
			_ = h.probe.np.Exit(h.probe.np.Self(), node.Kill)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("actorstest: stopping node: %v", err)
		}
	})
	h.probe = &probe{ch: make(chan etf.Term, 1<<14)}
	if _, err := n.Spawn(h.probe, node.WithTrapExit()); err != nil {
		t.Fatalf("actorstest: start probe: %v", err)
	}
	sopts := append([]node.SpawnOption{
		actors.WithArgs(cfg.args...),
		actors.WithClock(h.clock),
		actors.WithObserver(actors.ObserverFunc(h.observe)),
	}, cfg.spawn...)
	pid, err := actors.StartLink(h.probe.np, a, sopts...)
	if err != nil {
		return h, err
	}
	h.pid = pid
	h.mref, _ = h.probe.np.Monitor(pid)
	return h, nil
}

func (h *Harness) observe(e actors.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

// PID is the actor's pid.
func (h *Harness) PID() etf.PID { return h.pid }

// Self is the probe's pid: the actor's parent, and the sender of
// everything the harness delivers.
func (h *Harness) Self() etf.PID { return h.probe.np.Self() }

// Node is the local node the actor runs on.
func (h *Harness) Node() *node.Node { return h.n }

// Clock is the actor's fake clock.
func (h *Harness) Clock() *FakeClock { return h.clock }

// Send delivers a plain message (HandleInfo) and waits until it is handled.
func (h *Harness) Send(msg etf.Term) {
	h.t.Helper()
	_ = h.probe.np.Send(h.pid, msg)
	h.Sync()
}

// Cast delivers {'$gen_cast', msg} and waits until it is handled.
func (h *Harness) Cast(msg etf.Term) {
	h.t.Helper()
	_ = actors.Cast(h.probe.np, h.pid, msg)
	h.Sync()
}

// Exit sends an exit signal from the probe (the actor's parent) and waits
// until the actor has reacted: a trapping actor terminates (calling
// Terminate), any other dies unless reason is normal.
func (h *Harness) Exit(reason etf.Term) {
	h.t.Helper()
	_ = h.probe.np.Exit(h.pid, reason)
	h.Sync()
}

// Pending is a call whose reply may come later.
type Pending struct {
	h   *Harness
	tag etf.Ref
	req etf.Term
}

// CallAsync sends a call and waits until the actor has handled it, without
// requiring a reply (for actors that return NoReply and Reply later).
func (h *Harness) CallAsync(req etf.Term) *Pending {
	h.t.Helper()
	tag := h.n.MakeRef()
	msg := node.GenCallMsg(h.Self(), tag, req)
	_ = h.probe.np.Send(h.pid, msg)
	h.Sync()
	return &Pending{h: h, tag: tag, req: req}
}

// Reply returns the reply if it has arrived.
func (p *Pending) Reply() (etf.Term, bool) {
	p.h.mu.Lock()
	defer p.h.mu.Unlock()
	r, ok := p.h.replies[p.tag]
	return r, ok
}

// MustReply returns the reply or fails the test.
func (p *Pending) MustReply() etf.Term {
	p.h.t.Helper()
	r, ok := p.Reply()
	if !ok {
		p.h.t.Fatalf("actorstest: call %v: no reply yet\n%s", p.req, p.h.describe())
	}
	return r
}

// ErrNoReply is returned by TryCall when the actor handled the call
// without replying.
var ErrNoReply = errors.New("actorstest: the actor did not reply")

// TryCall makes a call and returns its reply, ErrNoReply, or an
// *node.ExitError if the actor exited while handling it.
func (h *Harness) TryCall(req etf.Term) (etf.Term, error) {
	h.t.Helper()
	p := h.CallAsync(req)
	if r, ok := p.Reply(); ok {
		return r, nil
	}
	if reason, dead := h.Exited(); dead {
		return nil, &node.ExitError{Reason: reason}
	}
	return nil, ErrNoReply
}

// Call makes a call and returns the reply; no reply or an exit fails the
// test.
func (h *Harness) Call(req etf.Term) etf.Term {
	h.t.Helper()
	r, err := h.TryCall(req)
	if err != nil {
		h.t.Fatalf("actorstest: call %v: %v\n%s", req, err, h.describe())
	}
	return r
}

// Advance moves the fake clock forward by d, delivering each due timer's
// message and waiting until the actor has handled it before looking for
// the next (so timers set by those handlers fire too when due).
func (h *Harness) Advance(d time.Duration) {
	h.t.Helper()
	end := h.clock.Now().Add(d)
	for h.clock.step(end) {
		h.Sync()
	}
	h.Sync()
}

// Sync waits until the actor has handled everything delivered so far (and
// the probe has collected what the actor sent it). It returns early if the
// actor has exited.
func (h *Harness) Sync() {
	h.t.Helper()
	if h.isExited() {
		h.drain(nil)
		return
	}
	tag := h.n.MakeRef()
	_ = h.probe.np.Send(h.pid, node.SystemMsg(h.Self(), tag, etf.Atom("$actorstest_sync")))
	if !h.drain(&tag) {
		h.t.Fatalf("actorstest: actor %v did not answer within %v (blocked in a callback?)\n%s", h.pid, waitLimit, h.describe())
	}
}

func (h *Harness) isExited() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.exited
}

// drain collects probe messages until the sync reply tagged *tag (or the
// actor's DOWN) arrives; with tag nil it takes only what is queued.
func (h *Harness) drain(tag *etf.Ref) bool {
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	for {
		var m etf.Term
		if tag == nil {
			select {
			case m = <-h.probe.ch:
			default:
				return true
			}
		} else {
			select {
			case m = <-h.probe.ch:
			case <-timeout.C:
				return false
			}
		}
		if h.collect(m, tag) {
			return true
		}
	}
}

// collect files one probe message; it reports whether the wait is over.
func (h *Harness) collect(m etf.Term, tag *etf.Ref) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch v := m.(type) {
	case node.DownMsg:
		if v.Ref == h.mref {
			h.exited, h.reason = true, v.Reason
			return tag != nil
		}
	case node.ExitMsg:
		if v.From == h.pid {
			return false // the DOWN carries the same reason
		}
	case etf.Tuple:
		if len(v) == 2 {
			if r, ok := v[0].(etf.Ref); ok {
				if tag != nil && r == *tag {
					return true
				}
				h.replies[r] = v[1]
				return false
			}
		}
	}
	h.received = append(h.received, m)
	return false
}

// Exited reports whether the actor has exited, and why.
func (h *Harness) Exited() (etf.Term, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reason, h.exited
}

// Events returns everything the actor did, in order.
func (h *Harness) Events() []actors.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]actors.Event(nil), h.events...)
}

// EventsOf returns the events of one kind.
func (h *Harness) EventsOf(kind actors.EventKind) []actors.Event {
	var out []actors.Event
	for _, e := range h.Events() {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// ResetEvents forgets the events and received messages so far.
func (h *Harness) ResetEvents() {
	h.mu.Lock()
	h.events, h.received = nil, nil
	h.mu.Unlock()
}

// Received returns the messages the actor sent to the probe (Self), other
// than call replies.
func (h *Harness) Received() []etf.Term {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]etf.Term(nil), h.received...)
}

// State returns the actor's state as sys:get_state shows it.
func (h *Harness) State() etf.Term {
	h.t.Helper()
	st, err := actors.GetState(context.Background(), h.n, h.pid)
	if err != nil {
		h.t.Fatalf("actorstest: get_state: %v", err)
	}
	return st
}

// describe lists what was captured, for failure messages.
func (h *Harness) describe() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "actor %v events (%d):\n", h.pid, len(h.events))
	for i, e := range h.events {
		fmt.Fprintf(&b, "  %2d. %v\n", i+1, e)
	}
	if len(h.received) > 0 {
		fmt.Fprintf(&b, "messages received by the test process (%d):\n", len(h.received))
		for i, m := range h.received {
			fmt.Fprintf(&b, "  %2d. %s\n", i+1, etf.Format(m))
		}
	}
	if h.exited {
		fmt.Fprintf(&b, "actor exited: %s\n", etf.Format(h.reason))
	}
	return b.String()
}

// probe is the process standing for the test.
type probe struct {
	np *node.Process
	ch chan etf.Term
}

func (p *probe) Init(np *node.Process) error { p.np = np; return nil }

func (p *probe) HandleMessage(_ *node.Process, msg etf.Term) error {
	select {
	case p.ch <- msg:
	default: // a test that floods the probe loses the excess
	}
	return nil
}

func (p *probe) Terminate(*node.Process, etf.Term) {}

// WithT returns a view of the harness that reports failures to t (for
// subtests, or to check the harness's own messages).
func (h *Harness) WithT(t testing.TB) *Harness {
	return &Harness{t: t, core: h.core}
}
