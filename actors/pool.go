package actors

import (
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Dispatch chooses a pool worker for each message.
type Dispatch uint8

// Dispatch modes.
const (
	// RoundRobin hands messages to the workers in turn.
	RoundRobin Dispatch = iota
	// HashKey sends all messages with the same Key to the same worker,
	// which keeps per-key order. While that worker cannot be restarted
	// (its New or Init keeps failing) its messages are dropped.
	HashKey
)

// Pool is an Actor that runs Size workers behind one (usually registered)
// name. Calls are forwarded unchanged ({'$gen_call', From, Req}), so the
// worker replies straight to the original caller; casts and plain messages
// are forwarded too. Workers are linked and restarted when they exit.
// sys:get_state on the pool returns its worker pids.
//
// A caller monitors the pool, not the worker: if a worker dies while
// handling a forwarded call, the caller gets no DOWN and waits for its
// timeout.
type Pool struct {
	// Size is the number of workers (at least 1).
	Size int
	// New builds worker i (0 <= i < Size), also when it is restarted.
	New func(i int) (Actor, error)
	// Dispatch is RoundRobin (default) or HashKey.
	Dispatch Dispatch
	// Key extracts the hash key from a call request, cast or message for
	// HashKey; the default is the first element of a tuple, else the
	// whole term.
	Key func(msg etf.Term) etf.Term
	// Options are passed to each worker's StartLink.
	Options []node.SpawnOption

	p       *Process
	workers []etf.PID
	next    int
}

// retryDelay spaces out attempts to restart a worker that fails to start.
const retryDelay = 100 * time.Millisecond

// retryWorker restarts a worker whose New or Init failed.
type retryWorker struct{ i int }

// Init starts the workers.
func (pl *Pool) Init(p *Process, _ ...any) error {
	if pl.Size < 1 || pl.New == nil {
		return fmt.Errorf("actors: Pool needs Size >= 1 and New")
	}
	pl.p = p
	p.TrapExit(true)
	pl.workers = make([]etf.PID, pl.Size)
	for i := range pl.workers {
		if err := pl.startWorker(i); err != nil {
			pl.stopWorkers()
			return err
		}
	}
	return nil
}

func (pl *Pool) startWorker(i int) error {
	a, err := pl.New(i)
	if err != nil {
		return err
	}
	pid, err := pl.p.StartLink(a, append([]node.SpawnOption{WithArgs(i)}, pl.Options...)...)
	if err != nil {
		return err
	}
	pl.workers[i] = pid
	return nil
}

func (pl *Pool) pick(msg etf.Term) etf.PID {
	if pl.Dispatch == HashKey {
		key := msg
		if pl.Key != nil {
			key = pl.Key(msg)
		} else if t, ok := msg.(etf.Tuple); ok && len(t) > 0 {
			key = t[0]
		}
		return pl.workers[etf.HashTerm(key)%uint64(len(pl.workers))]
	}
	for range pl.workers {
		w := pl.workers[pl.next%len(pl.workers)]
		pl.next++
		if w != (etf.PID{}) {
			return w
		}
	}
	return etf.PID{}
}

// HandleCall forwards the call to a worker, which replies to the caller.
func (pl *Pool) HandleCall(p *Process, from From, req etf.Term) (etf.Term, error) {
	if w := pl.pick(req); w != (etf.PID{}) {
		_ = p.Send(w, etf.Tuple{node.GenCall, from.Term(), req})
	}
	return NoReply, nil
}

// HandleCast forwards the cast.
func (pl *Pool) HandleCast(p *Process, msg etf.Term) error {
	if w := pl.pick(msg); w != (etf.PID{}) {
		_ = p.Send(w, node.GenCastMsg(msg))
	}
	return nil
}

// HandleInfo restarts exited workers and forwards other messages.
func (pl *Pool) HandleInfo(p *Process, msg etf.Term) error {
	switch m := msg.(type) {
	case node.ExitMsg:
		for i, w := range pl.workers {
			if w == m.From {
				pl.workers[i] = etf.PID{}
				return pl.restart(i)
			}
		}
		return nil
	case *retryWorker:
		return pl.restart(m.i)
	}
	if w := pl.pick(msg); w != (etf.PID{}) {
		_ = p.Send(w, msg)
	}
	return nil
}

func (pl *Pool) restart(i int) error {
	if err := pl.startWorker(i); err != nil {
		pl.p.Logger().Error("pool: restarting worker failed", "worker", i, "error", err)
		pl.p.SendAfter(retryDelay, pl.p.Self(), &retryWorker{i: i})
	}
	return nil
}

// Terminate stops the workers.
func (pl *Pool) Terminate(*Process, etf.Term) { pl.stopWorkers() }

func (pl *Pool) stopWorkers() {
	var ts []stopTarget
	for i, w := range pl.workers {
		if w != (etf.PID{}) {
			ts = append(ts, stopTarget{pid: w, timeout: DefaultShutdown, id: i})
		}
	}
	shutdownLinked(pl.p, ts)
	clear(pl.workers)
}

// State returns the worker pids (sys:get_state).
func (pl *Pool) State() etf.Term {
	out := make(etf.List, len(pl.workers))
	for i, w := range pl.workers {
		if w == (etf.PID{}) {
			out[i] = etf.Atom("restarting")
		} else {
			out[i] = w
		}
	}
	return out
}
