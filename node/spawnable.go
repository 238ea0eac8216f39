package node

import (
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// SpawnFactory builds the Behavior of a process spawned from another node
// (SPAWN_REQUEST, e.g. erlang:spawn/4, spawn_request or erpc) from the
// call's argument list. An error makes the new process exit at once with
// the matching reason (see Behavior).
type SpawnFactory func(args etf.List) (Behavior, error)

type mfaKey struct {
	module, function etf.Atom
	arity            int
}

// RegisterSpawnable registers factory for remote spawns of
// module:function with any arity (the factory sees the argument list). A
// spawn request for an unregistered function spawns a process that exits
// at once with {undef, [{Module, Function, Args, []}]}, as BEAM does.
//
// The request's spawn_opt options are judged as ERTS judges them: link,
// monitor and {monitor, Opts} act, the other valid ones ({priority, P},
// heap sizes, {message_queue_data, M}, {async_dist, B}) are accepted
// without effect, and an unknown or invalid one gets {spawn_reply, ReqId,
// error, badopt} and no process (spawn_opt/5 raises badarg), as from an
// erl node. A monitor's reference is the request id.
func (n *Node) RegisterSpawnable(module, function etf.Atom, factory SpawnFactory) error {
	if factory == nil {
		return errors.New("node: RegisterSpawnable: nil factory")
	}
	n.spawnMu.Lock()
	defer n.spawnMu.Unlock()
	if n.spawnables == nil {
		n.spawnables = make(map[mfaKey]SpawnFactory)
	}
	n.spawnables[mfaKey{module, function, -1}] = factory
	return nil
}

func (n *Node) spawnable(module, function etf.Atom) SpawnFactory {
	n.spawnMu.RLock()
	defer n.spawnMu.RUnlock()
	return n.spawnables[mfaKey{module, function, -1}]
}

// exitAtOnce is the Behavior of a spawned process that must exit with
// reason right away (undef, a failed factory).
type exitAtOnce struct{ reason etf.Term }

func (e exitAtOnce) Init(p *Process) error {
	_ = p.deliver(e) // handled right after Init
	return nil
}
func (e exitAtOnce) HandleMessage(*Process, etf.Term) error { return &ExitError{Reason: e.reason} }
func (exitAtOnce) Terminate(*Process, etf.Term)             {}

// inSpawn serves a SPAWN_REQUEST as ERTS does (dist.c, DOP_SPAWN_REQUEST):
// an option list ERTS would refuse is answered with badopt and spawns
// nothing (parseSpawnOpts); otherwise the process is spawned with the
// requested group leader, link and monitor, and SPAWN_REPLY always goes
// back (the requester filters it by its own {reply, _}, which never
// travels). The monitor's reference is the request id, as ERTS sets
// so.mref = ReqId: the DOWN the requester gets carries the ref
// spawn_request returned.
func (r *remote) inSpawn(c *dist.Conn, req dist.SpawnRequest, payload etf.Term) {
	_ = growSpawnStack(len(req.Opts))
	n := r.n
	so, ok := parseSpawnOpts(req.Opts)
	if !ok {
		_ = c.SendControl(dist.SpawnReply{ReqID: req.ReqID, To: req.From, Result: etf.Atom("badopt")})
		return
	}
	link, monitor := so.link, so.monitor
	b := n.spawnBehavior(req, payload)
	flags := 0
	if link {
		flags |= dist.SpawnReplyLink
	}
	if monitor {
		flags |= dist.SpawnReplyMonitor
	}
	setup := func(p *Process) {
		p.mu.Lock()
		if link {
			if p.links == nil {
				p.links = make(linkMap)
			}
			p.links[req.From] = linkActive
		}
		if monitor {
			if p.watchers == nil {
				p.watchers = make(map[etf.Ref]watcher)
			}
			p.watchers[req.ReqID] = watcher{pid: req.From}
		}
		p.mu.Unlock()
		if link {
			r.book(c, func(pr *peer) { pr.links[[2]etf.PID{p.pid, req.From}] = struct{}{} })
		}
		if monitor {
			r.book(c, func(pr *peer) { pr.watchers[req.ReqID] = p.pid })
		}
		_ = c.SendControl(dist.SpawnReply{ReqID: req.ReqID, To: req.From, Flags: flags, Result: p.pid})
	}
	// This goroutine exists only for this request (HandleMessage starts
	// it), so the new process's first batch runs on it.
	// The configuration is built here rather than from options: a
	// WithGroupLeader closure and a heap spawnConfig were two allocations
	// per request.
	var cfg spawnConfig
	runOnSpawner()(&cfg)
	if req.GroupLeader != (etf.PID{}) {
		cfg.groupLeader, cfg.hasGL = req.GroupLeader, true
	}
	if _, _, err := n.spawnWith(nil, b, &cfg, false, false, setup); err != nil && errors.Is(err, ErrStopped) {
		_ = c.SendControl(dist.SpawnReply{ReqID: req.ReqID, To: req.From, Result: etf.Atom("system_limit")})
	}
}

// spawnBehavior builds the Behavior of a requested spawn: the registered
// factory's, or one that exits at once as BEAM's process would (badarg,
// undef, the factory's error).
func (n *Node) spawnBehavior(req dist.SpawnRequest, payload etf.Term) Behavior {
	args, ok := spawnArgs(payload)
	if !ok {
		// BEAM's spawn_request raises badarg at the caller for an improper
		// argument list; one arriving anyway ends the new process.
		return exitAtOnce{reason: etf.Atom("badarg")}
	}
	f := n.spawnable(req.Module, req.Function)
	if f == nil {
		return exitAtOnce{reason: etf.Tuple{etf.Atom("undef"),
			etf.List{etf.Tuple{req.Module, req.Function, args, etf.List{}}}}}
	}
	b, err := n.safeFactory(f, args)
	if err != nil {
		return exitAtOnce{reason: n.reasonOf(err)}
	}
	return b
}

func (n *Node) safeFactory(f SpawnFactory, args etf.List) (b Behavior, err error) {
	defer n.recoverTo(&err, "spawn factory panicked")
	b, err = f(args)
	if err == nil && b == nil {
		err = fmt.Errorf("factory returned nil Behavior")
	}
	return b, err
}

// spawnArgs turns a SPAWN_REQUEST argument list into an etf.List. The
// sender's encoder chooses the list's wire shape: a list of small integers
// (spawn(N, M, F, [1,2])) travels as STRING_EXT and decodes to an
// etf.Charlist, the empty list may decode to nil. Every proper list shape
// yields its elements; anything else reports false.
func spawnArgs(t etf.Term) (etf.List, bool) {
	l, ok := etf.AsList(t)
	if ok && l == nil {
		l = etf.List{} // factories get a non-nil List for []
	}
	return l, ok
}

// spawnStackPad is the frame growSpawnStack takes: enough that the one
// growth it causes gives the goroutine the stack a spawn request and the
// new process's first batch need (SPAWN_REPLY's encoder, Init, an erpc
// call and its reply, the exit).
const spawnStackPad = 4 << 10

// growSpawnStack grows the goroutine's stack at once, while it holds two
// frames. A request goroutine starts with the runtime's small initial
// stack, and the path below used to outgrow it twice, deep in the control
// encoder and the process's run, where each copy walks and adjusts a
// dozen frames (morestack/copystack were ~16% of the Go CPU in bench
// shape-erpc32k). The pad is written and read at an index the compiler
// cannot know (seed), so that it stays in the frame.
//
//go:noinline
func growSpawnStack(seed int) byte {
	var pad [spawnStackPad]byte
	pad[seed&(spawnStackPad-1)] = 1
	return pad[(seed+1)&(spawnStackPad-1)]
}
