package actors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Errors returned by the supervisor functions ({error, Reason} replies).
var (
	ErrChildNotFound   = errors.New("actors: child not found")            // not_found
	ErrChildRunning    = errors.New("actors: child is running")           // running
	ErrChildRestarting = errors.New("actors: child is restarting")        // restarting
	ErrAlreadyPresent  = errors.New("actors: child spec already present") // already_present
	ErrSimpleOneForOne = errors.New("actors: not allowed on a simple_one_for_one supervisor")
)

// AlreadyStartedError is {error, {already_started, Pid}}.
type AlreadyStartedError struct{ PID etf.PID }

func (e *AlreadyStartedError) Error() string {
	return fmt.Sprintf("actors: child already started as %v", e.PID)
}

// SupervisorError is any other {error, Reason} reply of a supervisor.
// When Reason carries an error registered in the caller's type registry
// (a child that failed to start with a registered error: Reason is then
// {error, Name} or {error, Value}, see node.Node.ReasonOf), Unwrap returns
// that error, so errors.Is and errors.As see it.
type SupervisorError struct {
	Reason etf.Term
	err    error
}

func (e *SupervisorError) Error() string { return fmt.Sprintf("actors: supervisor: %v", e.Reason) }

// Unwrap returns the registered error Reason carries, or nil.
func (e *SupervisorError) Unwrap() error { return e.err }

// HandleCall implements the supervisor's gen_server protocol, the requests
// OTP's supervisor module sends.
func (s *Supervisor) HandleCall(p *Process, _ From, req etf.Term) (etf.Term, error) {
	switch r := req.(type) {
	case etf.Atom:
		switch r {
		case "which_children":
			return s.whichChildren(), nil
		case "count_children":
			return s.countChildren(), nil
		}
	case etf.Tuple:
		if len(r) == 2 {
			switch r[0] {
			case etf.Atom("start_child"):
				return s.callStart(r[1]), nil
			case etf.Atom("terminate_child"):
				return s.callTerminate(r[1]), nil
			case etf.Atom("restart_child"):
				return s.callRestart(r[1]), nil
			case etf.Atom("delete_child"):
				return s.callDelete(r[1]), nil
			case etf.Atom("get_childspec"):
				return s.callGetSpec(r[1]), nil
			}
		}
	}
	// OTP's supervisor logs and ignores unknown calls without replying
	// {error, ...}; answering is friendlier and keeps the caller alive.
	return etf.Tuple{atomError, etf.Tuple{etf.Atom("unknown_call"), req}}, nil
}

func errTuple(reason etf.Term) etf.Term { return etf.Tuple{atomError, reason} }

func (s *Supervisor) childTerm(c *child) etf.Term {
	switch {
	case c.running():
		return c.pid
	case c.restarting:
		return etf.Atom("restarting")
	}
	return etf.Atom("undefined")
}

func (s *Supervisor) modules(c *child) etf.List {
	if len(c.spec.Modules) == 0 {
		return etf.List{etf.Atom("go")}
	}
	out := make(etf.List, len(c.spec.Modules))
	for i, m := range c.spec.Modules {
		out[i] = m
	}
	return out
}

func (s *Supervisor) whichChildren() etf.List {
	out := etf.List{}
	for _, c := range s.all() {
		id := c.spec.ID
		if s.dyn != nil {
			id = etf.Atom("undefined")
		}
		out = append(out, etf.Tuple{id, s.childTerm(c), c.spec.Type.Atom(), s.modules(c)})
	}
	return out
}

func (s *Supervisor) countChildren() etf.List {
	var specs, active, sups, workers int
	for _, c := range s.all() {
		specs++
		if c.running() {
			active++
		}
		if c.spec.Type == SupervisorChild {
			sups++
		} else {
			workers++
		}
	}
	if s.dyn != nil {
		specs = 1
	}
	return etf.List{
		etf.Tuple{etf.Atom("specs"), specs},
		etf.Tuple{etf.Atom("active"), active},
		etf.Tuple{etf.Atom("supervisors"), sups},
		etf.Tuple{etf.Atom("workers"), workers},
	}
}

func (s *Supervisor) callStart(arg etf.Term) etf.Term {
	if s.dyn != nil {
		extra, ok := arg.(etf.List)
		if !ok && arg != nil {
			extra = etf.List{arg}
		}
		c := &child{spec: s.Children[0], extra: extra}
		if err := s.start(c); err != nil {
			return errTuple(s.p.Node().ReasonOf(err))
		}
		return etf.Tuple{atomOK, c.pid}
	}
	spec, err := s.specFromTerm(arg)
	if err != nil {
		return errTuple(etf.Tuple{etf.Atom("invalid_child_spec"), []byte(err.Error())})
	}
	if c := s.byID(spec.ID); c != nil {
		if c.running() {
			return errTuple(etf.Tuple{etf.Atom("already_started"), c.pid})
		}
		return errTuple(etf.Atom("already_present"))
	}
	c := &child{spec: spec}
	if err := s.start(c); err != nil {
		return errTuple(s.p.Node().ReasonOf(err))
	}
	s.kids = append(s.kids, c)
	return etf.Tuple{atomOK, c.pid}
}

func (s *Supervisor) callTerminate(id etf.Term) etf.Term {
	if s.dyn != nil {
		pid, ok := id.(etf.PID)
		if !ok {
			return errTuple(etf.Atom("simple_one_for_one"))
		}
		c := s.dyn[pid]
		if c == nil {
			return errTuple(etf.Atom("not_found"))
		}
		s.terminate(c)
		return atomOK
	}
	c := s.byID(id)
	if c == nil {
		return errTuple(etf.Atom("not_found"))
	}
	s.terminate(c)
	c.restarting = false
	if c.spec.Restart == Temporary {
		s.remove(c)
	}
	return atomOK
}

// stoppedChild finds the static child id for restart_child and
// delete_child, which both need it stopped; else the error they answer.
func (s *Supervisor) stoppedChild(id etf.Term) (*child, etf.Term) {
	if s.dyn != nil {
		return nil, errTuple(etf.Atom("simple_one_for_one"))
	}
	c := s.byID(id)
	switch {
	case c == nil:
		return nil, errTuple(etf.Atom("not_found"))
	case c.running():
		return nil, errTuple(etf.Atom("running"))
	case c.restarting:
		return nil, errTuple(etf.Atom("restarting"))
	}
	return c, nil
}

func (s *Supervisor) callRestart(id etf.Term) etf.Term {
	c, refused := s.stoppedChild(id)
	if c == nil {
		return refused
	}
	if err := s.start(c); err != nil {
		return errTuple(s.p.Node().ReasonOf(err))
	}
	return etf.Tuple{atomOK, c.pid}
}

func (s *Supervisor) callDelete(id etf.Term) etf.Term {
	c, refused := s.stoppedChild(id)
	if c == nil {
		return refused
	}
	s.remove(c)
	return atomOK
}

func (s *Supervisor) callGetSpec(id etf.Term) etf.Term {
	var c *child
	if s.dyn != nil {
		if pid, ok := id.(etf.PID); ok {
			c = s.dyn[pid]
		}
	} else {
		c = s.byID(id)
	}
	if c == nil {
		return errTuple(etf.Atom("not_found"))
	}
	sd := c.spec.shutdown()
	var shutdown etf.Term
	switch sd {
	case BrutalKill:
		shutdown = etf.Atom("brutal_kill")
	case Infinity:
		shutdown = etf.Atom("infinity")
	default:
		shutdown = int(sd / time.Millisecond)
	}
	return etf.Tuple{atomOK, etf.Map{
		{Key: etf.Atom("id"), Value: c.spec.ID},
		{Key: etf.Atom("start"), Value: etf.Tuple{etf.Atom("go"), etf.Atom("start_link"), etf.List{}}},
		{Key: etf.Atom("restart"), Value: c.spec.Restart.Atom()},
		{Key: etf.Atom("shutdown"), Value: shutdown},
		{Key: etf.Atom("type"), Value: c.spec.Type.Atom()},
		{Key: etf.Atom("modules"), Value: s.modules(c)},
		{Key: etf.Atom("significant"), Value: c.spec.Significant},
	}}
}

// specFromTerm accepts a Go ChildSpec (local callers) or an Erlang child
// spec map #{id, start => {M, F, A}, restart, shutdown, type, significant}
// or tuple {Id, {M, F, A}, Restart, Shutdown, Type, Modules}, whose M
// names a factory in Supervisor.Factories.
func (s *Supervisor) specFromTerm(t etf.Term) (ChildSpec, error) {
	switch v := t.(type) {
	case ChildSpec:
		return v, nil
	case *ChildSpec:
		return *v, nil
	case etf.Map:
		get := func(k string) etf.Term { x, _ := v.Get(etf.Atom(k)); return x }
		return s.erlSpec(get("id"), get("start"), get("restart"), get("shutdown"), get("type"), get("significant"))
	case etf.Tuple:
		if len(v) == 6 {
			return s.erlSpec(v[0], v[1], v[2], v[3], v[4], nil)
		}
	}
	return ChildSpec{}, fmt.Errorf("unsupported child spec %v", t)
}

func (s *Supervisor) erlSpec(id, start, restart, shutdown, typ, significant etf.Term) (ChildSpec, error) {
	mfa, ok := start.(etf.Tuple)
	if !ok || len(mfa) != 3 {
		return ChildSpec{}, fmt.Errorf("start must be {M, F, A}, got %v", start)
	}
	m, _ := mfa[0].(etf.Atom)
	f := s.Factories[m]
	if f == nil {
		return ChildSpec{}, fmt.Errorf("no Go factory registered for module %s", m)
	}
	args, _ := mfa[2].(etf.List)
	spec := ChildSpec{ID: id, Start: func(etf.List) (Actor, error) { return f(args) }}
	switch restart {
	case etf.Atom("transient"):
		spec.Restart = Transient
	case etf.Atom("temporary"):
		spec.Restart = Temporary
	}
	switch sd := shutdown.(type) {
	case etf.Atom:
		if sd == "brutal_kill" {
			spec.Shutdown = BrutalKill
		} else if sd == "infinity" {
			spec.Shutdown = Infinity
		}
	case int:
		spec.Shutdown = time.Duration(sd) * time.Millisecond
	}
	if typ == etf.Atom("supervisor") {
		spec.Type = SupervisorChild
	}
	spec.Significant = significant == true || significant == etf.Atom("true")
	return spec, nil
}

// ChildInfo is one row of WhichChildren: {Id, Child, Type, Modules}.
// PID is zero when the child is not running (Child is undefined or
// restarting).
type ChildInfo struct {
	ID         etf.Term
	PID        etf.PID
	Restarting bool
	Type       ChildType
	Modules    etf.Term
}

// ChildCounts is CountChildren's answer.
type ChildCounts struct {
	Specs, Active, Supervisors, Workers int
}

// WhichChildren lists a supervisor's children (supervisor:which_children),
// Go or Erlang.
func WhichChildren(ctx context.Context, c Caller, sup etf.Term) ([]ChildInfo, error) {
	r, err := c.Call(ctx, sup, etf.Atom("which_children"))
	if err != nil {
		return nil, err
	}
	l, ok := r.(etf.List)
	if !ok && r != nil {
		return nil, fmt.Errorf("actors: which_children: unexpected reply %v", r)
	}
	out := make([]ChildInfo, 0, len(l))
	for _, e := range l {
		t, ok := e.(etf.Tuple)
		if !ok || len(t) != 4 {
			return nil, fmt.Errorf("actors: which_children: unexpected row %v", e)
		}
		ci := ChildInfo{ID: t[0], Modules: t[3]}
		switch v := t[1].(type) {
		case etf.PID:
			ci.PID = v
		case etf.Atom:
			ci.Restarting = v == "restarting"
		}
		if t[2] == etf.Atom("supervisor") {
			ci.Type = SupervisorChild
		}
		out = append(out, ci)
	}
	return out, nil
}

// CountChildren counts a supervisor's children (supervisor:count_children).
func CountChildren(ctx context.Context, c Caller, sup etf.Term) (ChildCounts, error) {
	r, err := c.Call(ctx, sup, etf.Atom("count_children"))
	if err != nil {
		return ChildCounts{}, err
	}
	var cc ChildCounts
	l, _ := r.(etf.List)
	for _, e := range l {
		t, ok := e.(etf.Tuple)
		if !ok || len(t) != 2 {
			continue
		}
		v, _ := t[1].(int)
		switch t[0] {
		case etf.Atom("specs"):
			cc.Specs = v
		case etf.Atom("active"):
			cc.Active = v
		case etf.Atom("supervisors"):
			cc.Supervisors = v
		case etf.Atom("workers"):
			cc.Workers = v
		}
	}
	return cc, nil
}

// StartChild adds and starts a child on a local Go supervisor
// (supervisor:start_child/2 with a spec).
func StartChild(ctx context.Context, c Caller, sup etf.Term, spec ChildSpec) (etf.PID, error) {
	r, err := c.Call(ctx, sup, etf.Tuple{etf.Atom("start_child"), spec})
	return startReply(c, r, err)
}

// StartChildArgs starts a child of a simple_one_for_one supervisor, Go or
// Erlang, with extra arguments (supervisor:start_child/2 with a list).
func StartChildArgs(ctx context.Context, c Caller, sup etf.Term, args ...etf.Term) (etf.PID, error) {
	l := etf.List(args)
	if l == nil {
		l = etf.List{}
	}
	r, err := c.Call(ctx, sup, etf.Tuple{etf.Atom("start_child"), l})
	return startReply(c, r, err)
}

// TerminateChild stops a child, keeping its spec (a pid for
// simple_one_for_one).
func TerminateChild(ctx context.Context, c Caller, sup etf.Term, id etf.Term) error {
	r, err := c.Call(ctx, sup, etf.Tuple{etf.Atom("terminate_child"), id})
	return okReply(c, r, err)
}

// RestartChild restarts a terminated child from its spec.
func RestartChild(ctx context.Context, c Caller, sup etf.Term, id etf.Term) (etf.PID, error) {
	r, err := c.Call(ctx, sup, etf.Tuple{etf.Atom("restart_child"), id})
	return startReply(c, r, err)
}

// DeleteChild removes the spec of a terminated child.
func DeleteChild(ctx context.Context, c Caller, sup etf.Term, id etf.Term) error {
	r, err := c.Call(ctx, sup, etf.Tuple{etf.Atom("delete_child"), id})
	return okReply(c, r, err)
}

func okReply(c Caller, r etf.Term, err error) error {
	if err != nil {
		return err
	}
	if r == atomOK {
		return nil
	}
	return supError(c, r)
}

func startReply(c Caller, r etf.Term, err error) (etf.PID, error) {
	if err != nil {
		return etf.PID{}, err
	}
	if t, ok := r.(etf.Tuple); ok && len(t) >= 2 && t[0] == atomOK {
		if pid, ok := t[1].(etf.PID); ok {
			return pid, nil
		}
	}
	return etf.PID{}, supError(c, r)
}

// supError maps a supervisor's error reply; c's type registry, if it has
// one (*node.Node, *node.Process and *Process do), recognises the
// registered errors inside.
func supError(c Caller, r etf.Term) error {
	reg := registryOf(c)
	if e, ok := r.(error); ok && reg != nil {
		// A reply from another node whose registry term the caller's node
		// already decoded: {error, {error, Name}} arrives as the error.
		return &SupervisorError{Reason: reg.ErrorTerm(e), err: e}
	}
	t, ok := r.(etf.Tuple)
	if !ok || len(t) != 2 || t[0] != atomError {
		return &SupervisorError{Reason: r}
	}
	switch v := t[1].(type) {
	case etf.Atom:
		switch v {
		case "not_found":
			return ErrChildNotFound
		case "running":
			return ErrChildRunning
		case "restarting":
			return ErrChildRestarting
		case "already_present":
			return ErrAlreadyPresent
		case "simple_one_for_one":
			return ErrSimpleOneForOne
		}
	case etf.Tuple:
		if len(v) == 2 && v[0] == etf.Atom("already_started") {
			if pid, ok := v[1].(etf.PID); ok {
				return &AlreadyStartedError{PID: pid}
			}
		}
	}
	se := &SupervisorError{Reason: t[1]}
	if reg != nil {
		se.err, _ = reg.TermError(t[1])
	}
	return se
}
