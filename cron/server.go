package cron

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// maxSleep caps one wait of the scheduler, so a wall-clock jump (NTP
// step, resumed VM) is noticed within a minute, as Vixie cron wakes every
// minute.
const maxSleep = time.Minute

// server is the cron process: an actors.Actor (a gen_server) owning the
// job table and one timer for the earliest run.
type server struct {
	actors.Base
	cfg *config
	p   *actors.Process
	t   *table

	timer    etf.Ref
	timerSet bool
	timerAt  time.Time
	seq      uint64

	spawned map[etf.Ref]spawnRun // monitors of processes a Spawn job started
	ctx     context.Context      // given to Func actions; ends with the process
	cancel  context.CancelFunc
}

type spawnRun struct {
	j       *job
	at      time.Time
	pending bool // SpawnOn: the spawn reply has not come yet
}

// Messages the cron process sends itself.
type (
	tickMsg  struct{ seq uint64 }
	funcDone struct {
		j   *job
		at  time.Time
		err error
	}
	connected struct {
		j   *job
		at  time.Time
		a   sendAction
		err error
	}
)

// Requests of the Cron handle (local calls carry Go values).
type (
	addReq struct {
		name, spec string
		sched      Schedule
		action     Action
		opts       []JobOption
	}
	removeReq struct{ name string }
	enableReq struct {
		name string
		on   bool
	}
	listReq struct{}
)

func newServer(cfg *config) *server { return &server{cfg: cfg} }

func (s *server) Init(p *actors.Process, _ ...any) error {
	s.p, s.t, s.spawned = p, newTable(), make(map[etf.Ref]spawnRun)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, j := range s.cfg.jobs {
		if err := s.add(addReq{name: j.Name, spec: j.Spec, action: j.Action, opts: j.Options}); err != nil {
			s.cancel()
			return fmt.Errorf("cron: job %q: %w", j.Name, err)
		}
	}
	// Func runs see ctx end whatever ends the process, a kill included.
	exited := p.Node().Watch(p.Self())
	go func() {
		<-exited
		s.cancel()
	}()
	s.arm()
	return nil
}

func (s *server) HandleCall(p *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	var err error
	switch r := req.(type) {
	case addReq:
		err = s.add(r)
	case removeReq:
		if !s.t.remove(r.name) {
			err = fmt.Errorf("%w: %q", ErrNoJob, r.name)
		}
	case enableReq:
		if err = s.t.setEnabled(r.name, r.on, p.Now()); err != nil {
			err = fmt.Errorf("%w: %q", err, r.name)
		}
	case listReq:
		return s.t.list(), nil
	default:
		// Requests come from the Cron handle, as Go values; anything else
		// (a call from another node, say) is answered, not fatal: the cron
		// process and its owner are linked.
		p.Logger().Debug("cron: unknown call", "req", etf.Format(req))
		return etf.Tuple{etf.Atom("error"), etf.Atom("unknown_request")}, nil
	}
	s.arm()
	if err != nil {
		return err, nil
	}
	return etf.Atom("ok"), nil
}

func (s *server) add(r addReq) error {
	if r.name == "" || r.action == nil || !r.action.valid() {
		return fmt.Errorf("%w: a job needs a name and an action (with a target, factory or function)", ErrBadJob)
	}
	sched := r.sched
	if sched == nil {
		var err error
		if sched, err = ParseIn(r.spec, s.cfg.loc); err != nil {
			return err
		}
	}
	j := &job{name: r.name, spec: r.spec, sched: sched, action: r.action, enabled: true}
	for _, o := range r.opts {
		o(j)
	}
	if err := s.t.add(j, s.p.Now()); err != nil {
		return fmt.Errorf("%w: %q", err, r.name)
	}
	return nil
}

func (s *server) HandleInfo(p *actors.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case tickMsg:
		if m.seq == s.seq {
			s.timerSet = false
			s.t.due(p.Now(), func(j *job, at time.Time) { j.action.run(s, j, at) })
			s.arm()
		}
	case funcDone:
		m.j.running = false
		if s.live(m.j) {
			s.finish(m.j, m.at, m.err)
		}
	case connected:
		m.j.running = false
		switch {
		case !s.live(m.j): // removed meanwhile: it sends nothing more
		case m.err != nil:
			s.finish(m.j, m.at, m.err)
		default:
			s.finish(m.j, m.at, m.a.deliver(s))
		}
	case node.SpawnReplyMsg:
		s.spawnReplied(m)
	case node.DownMsg:
		if run, ok := s.spawned[m.Ref]; ok {
			delete(s.spawned, m.Ref)
			if m.Reason != node.Normal && s.live(run.j) {
				s.fail(run.j, run.at, &node.ExitError{Reason: m.Reason})
			}
		}
	}
	// ExitMsg from a linked process other than the owner: the cron
	// process traps exits only to die with its owner, so it ignores them.
	return nil
}

// spawnReplied ends a SpawnOn run's wait: a failed spawn is the run's
// failure; a spawned process stays monitored under the same ref.
func (s *server) spawnReplied(m node.SpawnReplyMsg) {
	run, ok := s.spawned[m.Ref]
	if !ok || !run.pending {
		return
	}
	run.j.running = false
	if m.Err != nil {
		delete(s.spawned, m.Ref)
	} else {
		run.pending = false
		s.spawned[m.Ref] = run
	}
	if s.live(run.j) {
		s.finish(run.j, run.at, m.Err)
	}
}

// live reports whether j is still in the table (not removed, perhaps
// replaced by a new job of the same name).
func (s *server) live(j *job) bool { return s.t.jobs[j.name] == j }

func (s *server) Terminate(*actors.Process, etf.Term) { s.cancel() }

// State is what sys:get_state (and the observer) shows: one map per job.
func (s *server) State() etf.Term {
	jobs := s.t.list()
	out := make(etf.List, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, j.Term())
	}
	return out
}

// arm sets the one timer for the earliest run (at most maxSleep away).
func (s *server) arm() {
	next, ok := s.t.earliest()
	if s.timerSet && ok && s.timerAt.Equal(next) {
		return
	}
	if s.timerSet {
		s.p.CancelTimer(s.timer)
		s.timerSet = false
	}
	if !ok {
		return
	}
	d := max(next.Sub(s.p.Now()), 0)
	s.seq++
	s.timer = s.p.SendAfter(min(d, maxSleep), s.p.Self(), tickMsg{seq: s.seq})
	s.timerSet, s.timerAt = true, next
}

// connectThen connects to peer off the cron process (a handshake can take
// seconds) and sends once it is up; the outcome comes back as connected.
func (s *server) connectThen(j *job, at time.Time, peer etf.Atom, a sendAction) {
	n, self := s.p.Node(), s.p.Self()
	ctx, timeout := s.ctx, s.cfg.connectTimeout
	go func() {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := n.Connect(ctx, peer)
		_ = n.Send(self, connected{j: j, at: at, a: a, err: err})
	}()
}

// finish records a run's outcome; a non-nil err is a failure.
func (s *server) finish(j *job, at time.Time, err error) {
	j.runs++
	j.lastRun = at
	j.lastErr = nil
	if err != nil {
		s.fail(j, at, err)
	}
}

// fail records a failure and tells the job's fallback target, if any.
func (s *server) fail(j *job, at time.Time, err error) {
	j.failures++
	j.lastErr = err
	to := j.fallback
	if to == nil {
		to = s.cfg.fallback
	}
	log := s.p.Logger()
	if to == nil {
		log.Warn("cron job failed", "job", j.name, "at", at, "err", err)
		return
	}
	log.Debug("cron job failed", "job", j.name, "at", at, "err", err, "fallback", etf.Format(to))
	var msg etf.Term = JobFailed{Job: j.name, Err: err, At: at}
	if _, remote := remoteNode(s.p.Node(), to); remote {
		msg = JobFailed{Job: j.name, Err: err, At: at}.Term()
	}
	if serr := s.p.Send(to, msg); serr != nil && !errors.Is(serr, node.ErrNoProc) {
		log.Warn("cron fallback send failed", "job", j.name, "fallback", etf.Format(to), "err", serr)
	} else if serr != nil {
		log.Warn("cron fallback is not registered", "job", j.name, "fallback", etf.Format(to))
	}
}
