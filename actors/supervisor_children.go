package actors

import (
	"fmt"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// start builds and links a child.
func (s *Supervisor) start(c *child) (err error) {
	if c.spec.Start == nil {
		return fmt.Errorf("actors: child %v has no Start", c.spec.ID)
	}
	var a Actor
	err = s.p.s.safe(func() (err error) { a, err = c.spec.Start(c.extra); return err })
	s.p.s.selfExit = false // a panicking factory is the child's failure, not ours
	if err != nil {
		return err
	}
	args := make([]any, 0, len(c.spec.Args)+len(c.extra))
	args = append(args, c.spec.Args...)
	for _, x := range c.extra {
		args = append(args, x)
	}
	opts := append([]SpawnOption{WithArgs(args...)}, c.spec.Options...)
	pid, err := s.p.StartLink(a, opts...)
	if err != nil {
		return err
	}
	c.pid = pid
	if s.dyn != nil {
		s.dyn[pid] = c
	}
	return nil
}

// terminate stops a running child as OTP's shutdown does: unlink, send
// exit(shutdown), wait for its exit up to the Shutdown time, then kill.
func (s *Supervisor) terminate(c *child) {
	if !c.running() {
		return
	}
	s.stopPIDs([]*child{c})
}

// terminateAll stops every child: static ones one by one in reverse start
// order, dynamic ones all at once (as OTP does for simple_one_for_one).
func (s *Supervisor) terminateAll() {
	if s.dyn != nil {
		s.stopPIDs(s.all())
		return
	}
	for i := len(s.kids) - 1; i >= 0; i-- {
		s.terminate(s.kids[i])
	}
}

// stopPIDs terminates children concurrently and waits for all of them.
func (s *Supervisor) stopPIDs(cs []*child) {
	type watch struct {
		c *child
		w *inbox
	}
	np := s.p.np
	var ws []watch
	for _, c := range cs {
		if !c.running() {
			continue
		}
		w := &inbox{ch: make(chan etf.Term, 4)}
		if _, err := np.Spawn(w); err != nil {
			continue // node stopping: the child goes with it
		}
		_, _ = w.np.Monitor(c.pid)
		s.p.Unlink(c.pid)
		if c.spec.shutdown() == BrutalKill {
			_ = s.p.Exit(c.pid, node.Kill)
		} else {
			_ = s.p.Exit(c.pid, node.Shutdown)
		}
		ws = append(ws, watch{c, w})
	}
	for _, x := range ws {
		d := x.c.spec.shutdown()
		if !waitDown(x.w.ch, s.p.s.clock, d) {
			s.p.Logger().Warn("supervisor: child did not stop in time, killing", "id", fmt.Sprint(x.c.spec.ID), "pid", x.c.pid)
			_ = s.p.Exit(x.c.pid, node.Kill)
			waitDown(x.w.ch, s.p.s.clock, Infinity)
		}
		_ = x.w.np.Exit(x.w.np.Self(), node.Kill)
		if s.dyn != nil {
			delete(s.dyn, x.c.pid)
		}
		x.c.pid = etf.PID{}
	}
}

// waitDown waits for a DownMsg on ch for up to d (BrutalKill and Infinity
// wait without limit).
func waitDown(ch chan etf.Term, clk Clock, d time.Duration) bool {
	var expired chan struct{}
	if d > 0 && d != Infinity {
		expired = make(chan struct{})
		stop := clk.AfterFunc(d, func() { close(expired) })
		defer stop()
	}
	for {
		select {
		case m := <-ch:
			if _, ok := m.(node.DownMsg); ok {
				return true
			}
		case <-expired:
			return false
		}
	}
}
