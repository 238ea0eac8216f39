// Spec: kernel global, https://www.erlang.org/doc/man/global.html

package global

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

type regOp int

const (
	opRegister regOp = iota
	opUnregister
	opSetLock
	opDelLock
	opResolve
)

// regReq is a Go API request run by the registrar process, which is also
// the lock-holding pid for SetLock/Trans from Go.
type regReq struct {
	ctx     context.Context
	op      regOp
	name    etf.Term
	pid     etf.PID
	pid2    etf.PID
	method  etf.Term
	id      etf.Tuple
	nodes   []etf.Atom
	retries int // -1: infinity
	reply   chan regReply
}

type regReply struct {
	v   etf.Term
	err error
}

// call runs r on the registrar and waits for its answer.
func (s *Server) call(ctx context.Context, r regReq) (etf.Term, error) {
	r.ctx = ctx
	r.reply = make(chan regReply, 1)
	if err := s.n.Send(s.registrar(), r); err != nil {
		return nil, ErrStopped
	}
	select {
	case rep := <-r.reply:
		return rep.v, rep.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.ctx.Done():
		return nil, ErrStopped
	}
}

// registrar serialises registrations like global's the_registrar: each one
// takes the lock {global, Self} on every known node (trans_all_known) and
// multi_calls the change.
type registrar struct {
	s *Server
	p *node.Process
}

func (r *registrar) Init(p *node.Process) error { r.p = p; return nil }

func (r *registrar) Terminate(*node.Process, etf.Term) {}

func (r *registrar) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case stopSignal:
		return &node.ExitError{Reason: node.Normal}
	case regReq:
		v, err := r.handle(m)
		m.reply <- regReply{v: v, err: err}
	}
	return nil
}

func (r *registrar) handle(m regReq) (etf.Term, error) {
	if err := m.ctx.Err(); err != nil {
		return nil, err
	}
	switch m.op {
	case opRegister:
		var res etf.Term = atomNo
		err := r.transAllKnown(m.ctx, func(nodes []etf.Atom) {
			if _, ok := r.s.where(m.name); ok || r.s.names.hasPid(m.pid) {
				return
			}
			r.multiCall(nodes, etf.Tuple{etf.Atom("register"), m.name, m.pid, m.method})
			res = atomYes
		})
		return res, err
	case opUnregister:
		err := r.transAllKnown(m.ctx, func(nodes []etf.Atom) {
			r.multiCall(nodes, etf.Tuple{etf.Atom("unregister"), m.name})
		})
		return atomOK, err
	case opSetLock:
		for times := 1; ; times++ {
			if setLockOn(r.s, r.p, m.id, m.nodes) {
				return atomTrue, nil
			}
			if m.retries == 0 {
				return atomFalse, nil
			}
			if m.retries > 0 {
				m.retries--
			}
			if err := randomSleep(m.ctx, times); err != nil {
				return atomFalse, err
			}
		}
	case opDelLock:
		delLockOn(r.s, r.p, m.id, m.nodes)
		return atomTrue, nil
	case opResolve:
		return resolveLocal(r.p, m.method, m.name, m.pid, m.pid2), nil
	}
	return nil, nil
}

func (r *registrar) multiCall(nodes []etf.Atom, req etf.Term) {
	for _, n := range nodes {
		_, _ = callServer(r.s, r.p, n, req)
	}
}

// transAllKnown runs f while holding {global, Self} on this node and every
// node it knows, retrying until the set of known nodes did not change
// while locking.
func (r *registrar) transAllKnown(ctx context.Context, f func(nodes []etf.Atom)) error {
	id := etf.Tuple{resourceGlobal, r.p.Self()}
	for times := 0; ; times++ {
		known, err := r.getKnown()
		if err != nil {
			return err
		}
		nodes := append([]etf.Atom{r.s.n.Name()}, known...)
		boss := []etf.Atom{slices.Max(nodes)}
		if setLockOn(r.s, r.p, id, boss) {
			if setLockOn(r.s, r.p, id, nodes) {
				now, err := r.getKnown()
				if err == nil && len(without(now, known)) == 0 {
					f(nodes)
					deleteLockBossLast(r.s, r.p, id, nodes)
					return nil
				}
			}
			delLockOn(r.s, r.p, id, boss)
		}
		if err := randomSleep(ctx, times); err != nil {
			return err
		}
	}
}

func (r *registrar) getKnown() ([]etf.Atom, error) {
	v, err := callServer(r.s, r.p, r.s.n.Name(), etf.Atom("get_known"))
	if err != nil {
		return nil, err
	}
	l, _ := etf.AsList(v)
	out := make([]etf.Atom, 0, len(l))
	for _, e := range l {
		if a, ok := e.(etf.Atom); ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// randomSleep is global's back-off: uniform in (0, Tmax], Tmax = 1/8 s
// doubling per attempt up to 8 s.
func randomSleep(ctx context.Context, times int) error {
	tmax := 8 * time.Second
	if times <= 5 {
		tmax = time.Duration(1<<times) * time.Second / 8
	}
	t := time.NewTimer(time.Duration(rand.Int64N(int64(tmax))) + time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
