package node

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/box"
)

// pendingCall is the Call a process is blocked in. Each process reuses one
// (a process makes one Call at a time), so a call allocates little. The
// reply, a DOWN for the call's monitor, or a killing exit signal completes
// it; the first completion for the current ref wins and stale ones (a late
// reply to an earlier call) are ignored.
type pendingCall struct {
	mu     sync.Mutex
	ref    etf.Ref
	active bool
	ch     chan callResult
	entry  aliasEntry    // the reply alias's table entry
	timer  lazyTimer     // the default timeout; only the calling goroutine touches it
	held   heldDemonitor // the last remote Call's DEMONITOR_P, not sent yet
	self   etf.Term      // the caller's pid, boxed once for every request
	target *Process      // the local target of the current call (callLocal)
	// aliasGone: the reply came through the alias and removed its entry.
	// Written under mu by the completion, read by the caller after wait.
	aliasGone bool
}

// callTerms holds every term of one request {Label, {Pid, [alias|Ref]},
// Req} in one allocation: the two tuples, the tag, the ref, and the slice
// headers the boxed tuples point to. Boxing a value normally allocates a
// copy of it (five allocations per call, most of a local call's garbage);
// here each interface is built around a pointer into callTerms instead, as
// etf's decoder does with its slabs (etf/decode_box.go). Every field is
// written once, before the interface pointing to it exists, and never
// again.
type callTerms struct {
	outer  [3]etf.Term
	from   [2]etf.Term
	tag    etf.ImproperList
	ref    etf.Ref
	fromT  etf.Tuple // from[:], boxed as outer[1]
	outerT etf.Tuple // outer[:], boxed as the message
}

// request builds the call's request with tag [alias|ref], returned also as
// a term already boxed (delivering that boxes nothing).
func (pc *pendingCall) request(label etf.Atom, ref etf.Ref, req etf.Term) (etf.Tuple, etf.Term) {
	ct := new(callTerms)
	ct.ref = ref
	ct.tag = etf.ImproperList{Elems: aliasElems, Tail: box.At(typRef, unsafe.Pointer(&ct.ref))}
	ct.from = [2]etf.Term{pc.self, box.At(typImproperList, unsafe.Pointer(&ct.tag))}
	ct.fromT = ct.from[:]
	ct.outer = [3]etf.Term{GenCall, box.At(typTuple, unsafe.Pointer(&ct.fromT)), req}
	if label != GenCall {
		ct.outer[0] = label
	}
	ct.outerT = ct.outer[:]
	return ct.outerT, box.At(typTuple, unsafe.Pointer(&ct.outerT))
}

// Type words of the types request boxes in place (internal/box); set at
// init, then only read. Each is a type whose interface data word points
// to the value (a slice or a struct that is not pointer-shaped).
var (
	typRef          = box.TypeWord(etf.Ref{})
	typImproperList = box.TypeWord(etf.ImproperList{})
	typTuple        = box.TypeWord(etf.Tuple(nil))
)

type callResult struct {
	reply etf.Term
	err   error
}

func (pc *pendingCall) complete(ref etf.Ref, reply etf.Term, err error) {
	pc.finish(ref, reply, err, false)
}

// completeByAlias completes the call with a reply that came through its
// alias, whose entry lookupForSend has just removed: endCall need not
// remove it again.
func (pc *pendingCall) completeByAlias(ref etf.Ref, reply etf.Term) {
	pc.finish(ref, reply, nil, true)
}

func (pc *pendingCall) finish(ref etf.Ref, reply etf.Term, err error, aliasGone bool) {
	pc.mu.Lock()
	if !pc.active || pc.ref != ref {
		pc.mu.Unlock()
		return
	}
	pc.active = false
	pc.aliasGone = aliasGone
	// Sent under the lock (it cannot block: one send per activation into a
	// buffer of one) so that Call, once it holds the lock, knows whether a
	// result is in the channel.
	pc.ch <- callResult{reply, err}
	pc.mu.Unlock()
}

// matchesReply reports whether msg is {Tag, Reply} for this call, with the
// tag as sent ([alias|Ref]) or a plain Ref (servers replying to the pid).
func (pc *pendingCall) matchesReply(msg any) bool {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 2 {
		return false
	}
	if r, ok := t[0].(etf.Ref); ok {
		return r == pc.ref
	}
	r, ok := aliasRef(t[0])
	return ok && r == pc.ref
}

// Call makes a synchronous request with gen_server's protocol: it monitors
// "to" (PID, local name, Name or {Name, Node}), sends
// {'$gen_call', {Self, [alias|Ref]}, req} and waits for {Tag, Reply}.
//
// It returns the reply, or: ErrNoProc at once if the target does not exist
// (or exits before replying with reason noproc), ErrNoConnection if its
// node is unreachable or lost (inside the connect back-off window after a
// failed attempt, Call dials anyway, as Connect does), an
// *ExitError with the target's exit reason
// if it exits before replying, ErrTimeout (which also matches
// context.DeadlineExceeded) when the deadline passes, ctx.Err() if ctx is
// cancelled. Without a ctx deadline the node's call timeout (default 5s)
// applies. A reply arriving after Call returned is dropped: it is routed by
// an alias that Call deactivates, so it never reaches the mailbox.
//
// Calling the process itself fails at once with reason calling_self.
//
// Call blocks the process's goroutine; messages arriving meanwhile wait in
// the mailbox, except an exit signal that kills the process, which makes
// Call return at once with an *ExitError.
func (p *Process) Call(ctx context.Context, to etf.Term, req etf.Term) (etf.Term, error) {
	return p.genCall(ctx, to, GenCall, req, true)
}

// genCall is gen:call/4: a request labelled GenCall or System, or, with label
// "", no request at all: only the monitor, so that the call ends with the
// target's DOWN (WaitDown). defaultTimeout applies the node's call
// timeout when ctx has no deadline.
func (p *Process) genCall(ctx context.Context, to etf.Term, label etf.Atom, req etf.Term, defaultTimeout bool) (etf.Term, error) {
	n := p.node
	t, err := p.callTarget(to)
	if err != nil {
		return nil, err
	}
	if n.remote.backoffFor(t.node) != nil {
		// Inside the connect back-off window the monitor would be DOWN
		// noconnection at once. A caller waits for an answer, so it gets
		// a real attempt, as gen_server:call auto-connects on BEAM (a
		// call right after a healed partition must reach the peer); the
		// window spares only what nobody waits for: sends, links,
		// monitors. Its outcome counts like Connect's.
		if err := n.Connect(ctx, t.node); err != nil {
			return nil, err
		}
	}
	ref := n.newRef()
	pc, err := p.beginCall(ref)
	if err != nil {
		return nil, err
	}
	hooks, start := n.hooks.callStart(label)
	n.aliases.put(ref, &pc.entry)
	var msg etf.Tuple
	var boxed etf.Term // msg as a term
	if label != "" {
		msg, boxed = pc.request(label, ref, req)
	}
	if !p.callRemote(pc, ref, t, msg) && !p.callLocal(pc, ref, t, boxed) {
		p.monitorRef(ref, t, aliasNone)
		if msg != nil {
			if err := n.sendAs(p.pid, (*sendWaiter)(p), to, boxed); err != nil && !errors.Is(err, ErrNoProc) {
				pc.complete(ref, nil, err)
			}
		}
	}
	var timeout time.Duration
	if _, ok := ctx.Deadline(); !ok && defaultTimeout {
		timeout = n.cfg.callTimeout
	}
	p.handOffInline() // the reply may come over the connection p runs on
	res := pc.wait(ctx, timeout, t.node == n.name)
	p.endCall(ref)
	callDone(hooks, start, res.err)
	return res.reply, res.err
}

// callTarget parses a call's target; an alias and the caller itself are
// refused.
func (p *Process) callTarget(to etf.Term) (target, error) {
	n := p.node
	t, err := n.parseTarget(to)
	if err != nil {
		return target{}, err
	}
	if t.kind == targetAlias {
		return target{}, fmt.Errorf("%w: cannot call an alias", ErrBadTarget)
	}
	if (t.kind == targetPID && t.pid == p.pid) || (t.kind == targetName && t.node == n.name && n.whereisProc(t.name) == p) {
		// gen_server:call/2 exits with calling_self instead of deadlocking.
		return target{}, &ExitError{Reason: etf.Atom("calling_self")}
	}
	return t, nil
}

// beginCall arms the process's reusable pendingCall for ref.
func (p *Process) beginCall(ref etf.Ref) (*pendingCall, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stateDead {
		return nil, ErrNotAlive
	}
	if p.call != nil {
		return nil, errors.New("node: Call: process is already in a Call (use Call from the process's own handlers only)")
	}
	if len(p.urgent) > 0 {
		// A killing exit signal arrived while the handler ran, before
		// this Call: the process is as good as dead, so the Call ends at
		// once, as one in progress would (signalExit), instead of
		// waiting out its deadline.
		if s, ok := p.urgent[0].(*exitSignal); ok {
			return nil, &ExitError{Reason: exitReason(s.reason, s.link)}
		}
	}
	e := p.extLocked()
	pc := e.pc
	if pc == nil {
		pc = &pendingCall{ch: make(chan callResult, 1), self: p.pid}
		pc.entry = aliasEntry{owner: p, mode: AliasReplyDemonitor, call: pc}
		e.pc = pc
	}
	pc.mu.Lock()
	pc.ref, pc.active, pc.aliasGone = ref, true, false
	pc.mu.Unlock()
	p.call = pc
	return pc, nil
}

// callSpins is how many times a caller of a local process yields, checking
// for the reply, before it parks: a local server usually answers within one
// scheduling round, and yielding is cheaper than parking and being woken
// (local call p50 0.86x). A remote reply is tens of microseconds away, so a
// remote caller parks at once.
const callSpins = 2

// spin yields up to callSpins times waiting for the result.
func (pc *pendingCall) spin() (callResult, bool) {
	for range callSpins {
		runtime.Gosched()
		select {
		case res := <-pc.ch:
			return res, true
		default:
		}
	}
	return callResult{}, false
}

// wait blocks until the call completes, ctx ends or, if timeout > 0, the
// timeout passes; local calls spin briefly first.
func (pc *pendingCall) wait(ctx context.Context, timeout time.Duration, local bool) callResult {
	if local {
		if res, ok := pc.spin(); ok {
			return res // complete cleared pc.active before sending
		}
	}
	// A timer instead of context.WithTimeout: it is reused across calls
	// and saves several allocations per call. It is not stopped when the
	// call completes (lazyTimer): with the same default timeout for every
	// call, each call's deadline is later than the one it is armed for.
	var expired <-chan time.Time
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
		expired = pc.timer.arm(deadline)
	}
	var res callResult
	for {
		select {
		case res = <-pc.ch:
		case <-expired:
			if !pc.timer.fired(deadline) {
				continue // armed for an earlier call's deadline
			}
			res.err = ErrTimeout
		case <-ctx.Done():
			res.err = ctx.Err()
			if errors.Is(res.err, context.DeadlineExceeded) {
				res.err = ErrTimeout
			}
		}
		break
	}
	pc.mu.Lock()
	wasActive := pc.active
	pc.active = false
	pc.mu.Unlock()
	if !wasActive && len(pc.ch) == 1 {
		// Completed concurrently with the timeout: prefer the completion
		// (and leave the channel empty for the next call).
		res = <-pc.ch
	}
	return res
}

// endCall removes the call's reply alias and monitor; the DEMONITOR_P of a
// remote monitor waits for the process's next Call (call_remote.go).
func (p *Process) endCall(ref etf.Ref) {
	n := p.node
	p.mu.Lock()
	pc := p.call
	p.call = nil
	mt, monitored := p.monitors[ref]
	delete(p.monitors, ref)
	p.mu.Unlock()
	if pc == nil || !pc.aliasGone {
		// A late reply meanwhile finds the entry but not an active call
		// (wait deactivated it), so the order does not matter.
		n.aliases.del(ref)
	}
	var tp *Process
	if pc != nil {
		tp, pc.target = pc.target, nil
	}
	switch {
	case tp != nil: // callLocal's monitor, not in p.monitors
		tp.removeWatcherRef(ref)
	case !monitored:
	case mt.node != n.name && n.remote != nil && pc != nil:
		p.unmonitorRemote(pc, ref, mt)
	default:
		n.removeWatcher(p.pid, ref, mt)
	}
}

// aliasElems is the shared, never modified head of every call tag [alias|Ref].
var aliasElems = []etf.Term{atomAlias}

// Call makes a Call from outside any process, through a temporary
// anonymous process; see Process.Call.
func (n *Node) Call(ctx context.Context, to etf.Term, req etf.Term) (etf.Term, error) {
	return n.anonCall(ctx, to, GenCall, req, true)
}

// CallSystem sends a sys request {system, From, Req} to "to" and waits for
// the reply (gen:call(To, system, Req), what the sys module's functions
// do), from a temporary anonymous process; errors as for Call.
func (n *Node) CallSystem(ctx context.Context, to etf.Term, req etf.Term) (etf.Term, error) {
	return n.anonCall(ctx, to, System, req, true)
}

// WaitDown monitors "to" (a pid, local name, Name or {Name, Node}, on this
// node or another) from a temporary anonymous process and blocks until it
// exits: it returns the reason of the DOWN, noproc if it did not exist,
// noconnection if its node is unreachable or lost. The error is non-nil
// only for a bad target or when ctx ends first (ErrTimeout for its
// deadline); no default timeout applies. For a local pid, Watch needs no
// monitor.
func (n *Node) WaitDown(ctx context.Context, to etf.Term) (etf.Term, error) {
	_, err := n.anonCall(ctx, to, "", nil, false)
	var ee *ExitError
	if !errors.As(err, &ee) || (err == ErrTimeout && ctx.Err() != nil) {
		return nil, err // a bad target, or ctx ended (not a DOWN with reason timeout)
	}
	return ee.Reason, nil
}

// anonCall runs genCall from a temporary anonymous process: a pid in the
// process table (so replies and DOWNs reach it) that is never scheduled.
func (n *Node) anonCall(ctx context.Context, to etf.Term, label etf.Atom, req etf.Term, defaultTimeout bool) (etf.Term, error) {
	if n.stopped.Load() {
		return nil, ErrStopped
	}
	c := n.newProcess(nil, spawnConfig{})
	c.state = stateSystem
	k := pidKey(c.pid)
	n.procs.put(k, c)
	defer n.procs.del(k)
	reply, err := c.genCall(ctx, to, label, req, defaultTimeout)
	c.mu.Lock()
	c.flushCallLocked() // c makes no further Call to carry it
	return reply, err
}

// Reply answers a gen_server-style request: from is the {Pid, Tag} of a
// received {'$gen_call', From, Req}. The reply {Tag, reply} goes to the
// alias when Tag is [alias|Ref] or [[alias|Ref]|_] (OTP 24+ callers), else
// to Pid (plain-ref tags of older callers); see ReplyTarget. Tag is
// otherwise opaque and sent back unchanged. p is the replying process
// (usually the server itself).
func Reply(p *Process, from etf.Term, reply etf.Term) error {
	if p != nil {
		if _, tag, ok := ParseFrom(from); ok {
			if r, ok := TagAlias(tag); ok && r.Node == p.node.name {
				// A local caller's alias: complete its Call without
				// building the reply message (deliverAlias would only
				// take it apart again).
				p.node.replyAlias(r, tag, reply)
				return nil
			}
		}
	}
	to, msg, err := ReplyTarget(from, reply)
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("%w: nil process", ErrBadTarget)
	}
	return p.node.sendAs(p.pid, (*sendWaiter)(p), to, msg)
}
