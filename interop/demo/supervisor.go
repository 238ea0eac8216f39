package demo

import (
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Supervisor is a simple_one_for_one supervisor with transient children:
// every child runs the same factory with the arguments given to
// supervisor:start_child/2; a child that exits abnormally is restarted
// with the same arguments, at most MaxRestarts times within Period (then
// the supervisor gives up and exits with shutdown, taking its children
// down, as OTP's does). It answers the supervisor calls BEAM tools make:
// start_child, terminate_child, which_children, count_children.
//
// It must be spawned WithTrapExit.
type Supervisor struct {
	Factory     node.SpawnFactory
	MaxRestarts int
	Period      time.Duration

	children map[etf.PID]etf.List
	restarts []time.Time
}

// NewSupervisor returns a Supervisor of factory allowing 10 restarts in 5
// seconds (more than OTP's default of 1, since the demo crashes children
// on purpose).
func NewSupervisor(factory node.SpawnFactory) *Supervisor {
	return &Supervisor{Factory: factory, MaxRestarts: 10, Period: 5 * time.Second}
}

// Init prepares the child table.
func (s *Supervisor) Init(p *node.Process) error {
	s.children = make(map[etf.PID]etf.List)
	return nil
}

// Terminate shuts the children down.
func (s *Supervisor) Terminate(p *node.Process, _ etf.Term) {
	for pid := range s.children {
		_ = p.Exit(pid, node.Shutdown)
	}
}

var (
	atomOK    = etf.Atom("ok")
	atomError = etf.Atom("error")
)

// HandleMessage serves supervisor calls and child exits.
func (s *Supervisor) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case node.ExitMsg:
		return s.childExit(p, m)
	case etf.Tuple:
		if len(m) == 3 && m[0] == etf.Atom("$gen_call") {
			return node.Reply(p, m[1], s.call(p, m[2]))
		}
	}
	return nil
}

func (s *Supervisor) call(p *node.Process, req etf.Term) etf.Term {
	switch r := req.(type) {
	case etf.Tuple:
		switch {
		case len(r) == 2 && r[0] == etf.Atom("start_child"):
			args, ok := r[1].(etf.List)
			if !ok && r[1] != nil {
				return etf.Tuple{atomError, etf.Atom("badarg")}
			}
			pid, err := s.start(p, args)
			if err != nil {
				return etf.Tuple{atomError, etf.Binary(err.Error())}
			}
			return etf.Tuple{atomOK, pid}
		case len(r) == 3 && r[0] == etf.Atom("terminate_child"):
			pid, ok := r[2].(etf.PID)
			if _, known := s.children[pid]; !ok || !known {
				return etf.Tuple{atomError, etf.Atom("not_found")}
			}
			delete(s.children, pid)
			p.Unlink(pid)
			_ = p.Exit(pid, node.Shutdown)
			return atomOK
		case len(r) >= 2 && (r[0] == etf.Atom("delete_child") || r[0] == etf.Atom("restart_child")):
			return etf.Tuple{atomError, etf.Atom("simple_one_for_one")}
		}
	case etf.Atom:
		switch r {
		case "which_children":
			out := make(etf.List, 0, len(s.children))
			for pid := range s.children {
				out = append(out, etf.Tuple{etf.Atom("undefined"), pid, etf.Atom("worker"), etf.List{WorkerModule}})
			}
			return out
		case "count_children":
			n := len(s.children)
			return etf.List{
				etf.Tuple{etf.Atom("specs"), 1},
				etf.Tuple{etf.Atom("active"), n},
				etf.Tuple{etf.Atom("supervisors"), 0},
				etf.Tuple{etf.Atom("workers"), n},
			}
		}
	}
	return etf.Tuple{atomError, etf.Tuple{etf.Atom("unsupported"), req}}
}

func (s *Supervisor) start(p *node.Process, args etf.List) (etf.PID, error) {
	b, err := s.Factory(args)
	if err != nil {
		return etf.PID{}, err
	}
	pid, err := p.SpawnLink(b)
	if err != nil {
		return etf.PID{}, err
	}
	s.children[pid] = args
	return pid, nil
}

// childExit restarts a transient child that exited abnormally.
func (s *Supervisor) childExit(p *node.Process, m node.ExitMsg) error {
	args, ok := s.children[m.From]
	if !ok {
		// Not a child: the node (or whoever owns the supervisor) asks
		// it to stop.
		return &node.ExitError{Reason: m.Reason}
	}
	delete(s.children, m.From)
	if normalExit(m.Reason) {
		return nil
	}
	now := time.Now()
	kept := s.restarts[:0]
	for _, t := range s.restarts {
		if now.Sub(t) < s.Period {
			kept = append(kept, t)
		}
	}
	s.restarts = append(kept, now)
	if len(s.restarts) > s.MaxRestarts {
		p.Logger().Error("demo_sup: reached max restart intensity, shutting down")
		return &node.ExitError{Reason: node.Shutdown}
	}
	if _, err := s.start(p, args); err != nil {
		p.Logger().Error("demo_sup: restart failed", "err", err)
	}
	return nil
}

// normalExit reports whether reason does not restart a transient child.
func normalExit(reason etf.Term) bool {
	switch r := reason.(type) {
	case etf.Atom:
		return r == node.Normal || r == node.Shutdown
	case etf.Tuple:
		return len(r) == 2 && r[0] == node.Shutdown
	}
	return false
}
