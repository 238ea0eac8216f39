package actors

import (
	"fmt"
	"strings"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// ReplaceFunc computes a new state from the old one for ReplaceState. It
// travels inside a local message only: Go functions cannot cross the wire,
// and an Erlang fun sent by sys:replace_state from BEAM cannot run in Go
// (that request fails with callback_failed).
type ReplaceFunc func(old etf.Term) (etf.Term, error)

// system answers a sys message {system, From, Req} (the sys module's
// protocol; see sys(3) and gen_server's system callbacks).
func (s *server) system(from From, req etf.Term) error {
	// Replies go straight through node: they are not the actor's doing, so
	// the Observer does not see them.
	reply := func(v etf.Term) { _ = node.Reply(s.proc.Process, from.Term(), v) }
	switch r := req.(type) {
	case etf.Atom:
		switch r {
		case "get_state":
			reply(s.stateTerm())
			return nil
		case "get_status":
			reply(s.status())
			return nil
		case "suspend":
			s.suspended = true
			reply(atomOK)
			return nil
		case "resume":
			reply(atomOK)
			return s.resume()
		}
	case etf.Tuple:
		if len(r) == 2 {
			switch r[0] {
			case etf.Atom("replace_state"):
				reply(s.replaceState(r[1]))
				return nil
			case etf.Atom("terminate"):
				// Drop the registered name before answering: the caller
				// may address the name again as soon as it sees ok, and
				// must then find no process (noproc) rather than this
				// one on its way out.
				s.proc.Unregister()
				reply(atomOK)
				return &node.ExitError{Reason: r[1]}
			case etf.Atom("debug"):
				if st, ok := r[1].(etf.Tuple); ok && len(st) == 2 && st[0] == etf.Atom("statistics") {
					if v, ok := s.debugStatistics(st[1]); ok {
						reply(v)
						return nil
					}
				}
				reply(atomOK) // tracing and logging are not kept
				return nil
			}
		}
	}
	reply(etf.Tuple{atomError, etf.Tuple{etf.Atom("unknown_system_msg"), req}})
	return nil
}

func (s *server) resume() error {
	s.suspended = false
	for len(s.deferred) > 0 && !s.suspended {
		m := s.deferred[0]
		s.deferred = s.deferred[1:]
		if err := s.dispatch(m); err != nil {
			return err
		}
		if err := s.runContinues(); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) stateTerm() etf.Term {
	if r, ok := s.actor.(StateReporter); ok {
		return r.State()
	}
	if t, err := etf.ToTerm(s.actor); err == nil {
		return t
	}
	return []byte(fmt.Sprintf("%+v", s.actor))
}

func (s *server) replaceState(f etf.Term) etf.Term {
	fail := func(reason etf.Term) etf.Term {
		return etf.Tuple{atomError, etf.Tuple{etf.Atom("callback_failed"),
			etf.Tuple{etf.Atom("gen_server"), etf.Atom("system_replace_state")},
			etf.Tuple{atomError, reason}}}
	}
	fn, ok := f.(ReplaceFunc)
	if !ok {
		return fail(etf.Atom("erlang_fun_not_supported"))
	}
	rs, ok := s.actor.(StateReplacer)
	if !ok {
		return fail(etf.Atom("not_replaceable"))
	}
	var nst etf.Term
	err := s.safe(func() (err error) {
		if nst, err = fn(s.stateTerm()); err != nil {
			return err
		}
		return rs.SetState(nst)
	})
	if err != nil {
		s.selfExit = false // a failed replace does not stop the actor
		return fail([]byte(err.Error()))
	}
	return s.stateTerm()
}

// status builds sys:get_status's answer for a gen_server:
// {status, Pid, {module, gen_server}, [PDict, SysState, Parent, Debug, Misc]}.
func (s *server) status() etf.Term {
	self := s.proc.Self()
	parent := self
	if s.hasParent {
		parent = s.parent
	}
	sysState := etf.Atom("running")
	if s.suspended {
		sysState = "suspended"
	}
	var nameOrPid string
	if n := s.proc.Name(); n != "" {
		nameOrPid = string(n)
	} else {
		nameOrPid = self.String()
	}
	mod := etf.Atom(strings.TrimPrefix(typeName(s.actor), "*"))
	pdict := etf.List{
		etf.Tuple{etf.Atom("$initial_call"), etf.Tuple{mod, etf.Atom("init"), 1}},
		etf.Tuple{etf.Atom("$ancestors"), s.ancestors()}, // the starters, never itself
	}
	misc := etf.List{
		etf.Tuple{etf.Atom("header"), etf.Charlist("Status for generic server " + nameOrPid)},
		etf.Tuple{etf.Atom("data"), etf.List{
			etf.Tuple{etf.Charlist("Status"), sysState},
			etf.Tuple{etf.Charlist("Parent"), parent},
			etf.Tuple{etf.Charlist("Logged events"), etf.List{}},
		}},
		etf.Tuple{etf.Atom("data"), etf.List{etf.Tuple{etf.Charlist("State"), s.stateTerm()}}},
	}
	return etf.Tuple{etf.Atom("status"), self, etf.Tuple{etf.Atom("module"), etf.Atom("gen_server")},
		etf.List{pdict, sysState, parent, etf.List{}, misc}}
}
