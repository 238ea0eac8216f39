package node

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/erlgo/erlgo/etf"
)

// Behavior is the code of a process. A process calls Init once, then
// HandleMessage for each message in arrival order (one at a time, never
// concurrently), then Terminate once when it exits.
//
// Returning a non-nil error from Init or HandleMessage makes the process
// exit: an *ExitError (see ErrNoProc, &ExitError{Reason: node.Normal} ...)
// exits with its Reason, any other error with {error, <<"text">>}. A panic
// exits with {panic, <<"text">>} and is logged with its stack; the node keeps
// running either way.
type Behavior interface {
	// Init runs synchronously inside Spawn (on the spawner's goroutine)
	// before any message is handled. If it fails, Spawn returns the error,
	// the process exits with the matching reason (its spawn link, if any,
	// is removed first so the spawner is not killed) and Terminate is not
	// called.
	Init(p *Process) error
	// HandleMessage handles one message: a term as sent, or one of the
	// typed system messages ExitMsg, DownMsg, NodeDownMsg, NodeUpMsg.
	HandleMessage(p *Process, msg etf.Term) error
	// Terminate runs on the process's goroutine after the process has
	// decided to exit (for any reason, including kill, once the current
	// handler returns), before its links and monitors are notified.
	Terminate(p *Process, reason etf.Term)
}

// BehaviorFunc adapts a function to a Behavior with no-op Init and Terminate.
type BehaviorFunc func(p *Process, msg etf.Term) error

// Init does nothing.
func (BehaviorFunc) Init(*Process) error { return nil }

// HandleMessage calls f.
func (f BehaviorFunc) HandleMessage(p *Process, msg etf.Term) error { return f(p, msg) }

// Terminate does nothing.
func (BehaviorFunc) Terminate(*Process, etf.Term) {}

// Process states, guarded by Process.mu.
const (
	stateIdle    uint8 = iota // no goroutine; the next enqueue starts one
	stateRunning              // a goroutine is draining (or Init is running)
	stateDead                 // exited; everything sent to it is dropped
	stateSystem               // anonymous pid (node sender, Call helper): drops messages
)

// Process is a lightweight process: a pid, a mailbox and a Behavior. An
// idle process holds no goroutine; one is started when a message arrives and
// ends shortly after the mailbox is empty (it waits about 300 µs for the next
// message first, so a busy request/response server keeps its goroutine).
//
// Methods that only send signals (Self, Send, Exit, Link, Monitor, ...) are
// safe from any goroutine. Call, TrapExit, Alias/Unalias and Demonitor are
// meant to be used from the process's own handlers.
type Process struct {
	node *Node
	pid  etf.PID
	beh  Behavior

	urgentN atomic.Int32 // len(urgent), readable without the lock

	mu       sync.Mutex
	state    uint8
	trap     bool
	max      int32  // mailbox bound for ordinary messages, 0 = none
	reds     uint32 // messages taken from the mailbox (low word; fills padding)
	name     etf.Atom
	normal   queue                     // messages, DOWN and trapped exits, in arrival order
	urgent   []any                     // exit signals that will kill the process
	links    linkMap                   // see linkState
	watchers map[etf.Ref]watcher       // monitors held by others on this process
	monitors map[etf.Ref]monitorTarget // monitors this process holds
	call     *pendingCall              // the Call this process is blocked in, if any
	ext      *procExt                  // rarely used fields, allocated on first use
	wake     chan struct{}             // set while the goroutine lingers (linger.go)
}

// procExt holds fields most processes never use, to keep idle processes small.
type procExt struct {
	aliases  map[etf.Ref]struct{}
	logger   *slog.Logger
	logAttrs []any
	gl       etf.PID
	dropped  int
	pc       *pendingCall           // reused by every Call of this process
	exitCh   []chan etf.Term        // Node.Watch subscribers
	timers   map[etf.Ref]*procTimer // pending SendAfter timers
	redsHi   uint32                 // carry of Process.reds
	inline   inlineRun              // the connection an inline run holds (inline.go)
}

type watcher struct {
	pid  etf.PID
	name etf.Atom // set when the monitor was by registered name
}

type monitorTarget struct {
	pid   etf.PID
	name  etf.Atom // monitor by name: the name and node
	node  etf.Atom
	alias AliasMode // aliasNone unless created by MonitorAlias
}

func (n *Node) newProcess(b Behavior, cfg spawnConfig) *Process {
	p := &Process{node: n, pid: n.newPID(), beh: b, state: stateRunning, max: int32(cfg.mailboxMax), trap: cfg.trapExit}
	if len(cfg.logAttrs) > 0 || cfg.hasGL {
		p.ext = &procExt{logAttrs: cfg.logAttrs, gl: cfg.groupLeader}
	}
	return p
}

func (p *Process) extLocked() *procExt {
	if p.ext == nil {
		p.ext = &procExt{}
	}
	return p.ext
}

// Self returns the process's pid.
func (p *Process) Self() etf.PID { return p.pid }

// Node returns the node the process runs on.
func (p *Process) Node() *Node { return p.node }

// Behavior returns the process's Behavior.
func (p *Process) Behavior() Behavior { return p.beh }

// Name returns the registered name, or "" if none.
func (p *Process) Name() etf.Atom {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.name
}

// Register registers the process under name (erlang:register(Name, self())).
func (p *Process) Register(name etf.Atom) error { return p.node.register(name, p) }

// Unregister removes the process's registered name, if any.
func (p *Process) Unregister() bool {
	p.mu.Lock()
	name := p.name
	p.mu.Unlock()
	if name == "" {
		return false
	}
	p.node.unregisterIf(name, p)
	p.mu.Lock()
	if p.name == name {
		p.name = ""
	}
	p.mu.Unlock()
	return true
}

// TrapExit sets the trap_exit flag and returns its previous value. While
// trapping, exit signals (except an exit/2 kill) arrive as ExitMsg.
func (p *Process) TrapExit(on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.trap
	p.trap = on
	return old
}

// TrapsExits reports whether the process traps exits
// (process_info(Pid, trap_exit)).
func (p *Process) TrapsExits() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trap
}

// GroupLeader returns the group leader (the zero PID if none was set).
func (p *Process) GroupLeader() etf.PID {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil {
		return etf.PID{}
	}
	return p.ext.gl
}

// SetGroupLeader sets the group leader (erlang:group_leader/2 on self).
func (p *Process) SetGroupLeader(gl etf.PID) {
	p.mu.Lock()
	p.extLocked().gl = gl
	p.mu.Unlock()
}

// Logger returns a logger carrying the process's pid (and the attributes
// given with WithLogAttrs). It is created on first use.
func (p *Process) Logger() *slog.Logger {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.extLocked()
	if e.logger == nil {
		e.logger = p.node.log.With(append([]any{"pid", p.pid}, e.logAttrs...)...)
	}
	return e.logger
}

// IsAlive reports whether the process has not exited.
func (p *Process) IsAlive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state != stateDead
}

// MessageQueueLen returns the number of queued ordinary messages not yet
// taken by the process's goroutine (an approximation while it is running).
func (p *Process) MessageQueueLen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.normal.len
}
