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
	opts := append([]node.SpawnOption{WithArgs(args...)}, c.spec.Options...)
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
	var ts []stopTarget
	var run []*child
	for _, c := range cs {
		if c.running() {
			ts = append(ts, stopTarget{pid: c.pid, timeout: c.spec.shutdown(), id: c.spec.ID})
			run = append(run, c)
		}
	}
	shutdownLinked(s.p, ts)
	for _, c := range run {
		if s.dyn != nil {
			delete(s.dyn, c.pid)
		}
		c.pid = etf.PID{}
	}
}

// stopTarget is a linked process to shut down.
type stopTarget struct {
	pid     etf.PID
	timeout time.Duration // BrutalKill, Infinity or a duration
	id      etf.Term      // for the log
}

// shutdownLinked stops linked processes as OTP's supervisor does: monitor,
// unlink, exit(Pid, shutdown) (or kill for BrutalKill), wait for the DOWN
// up to the timeout, then kill. All get their signal first, then the
// waits run, so n processes take the longest timeout, not the sum.
func shutdownLinked(p *Process, ts []stopTarget) {
	type watch struct {
		t    stopTarget
		exit <-chan etf.Term // local child: node.Watch
		w    *inbox          // remote child: a helper holding a monitor
	}
	np := p.Process
	n := np.Node()
	ws := make([]watch, 0, len(ts))
	for _, t := range ts {
		x := watch{t: t}
		if t.pid.Node == n.Name() {
			x.exit = n.Watch(t.pid)
		} else {
			w := &inbox{ch: make(chan etf.Term, 4)}
			if _, err := np.Spawn(w); err == nil {
				_, _ = w.np.Monitor(t.pid)
				x.w = w
			}
		}
		p.Unlink(t.pid)
		if t.timeout == BrutalKill {
			_ = p.Exit(t.pid, node.Kill)
		} else {
			_ = p.Exit(t.pid, node.Shutdown)
		}
		ws = append(ws, x)
	}
	for _, x := range ws {
		wait := func(d time.Duration) bool { return waitExit(x.exit, p.s.clock, d) }
		if x.w != nil {
			wait = func(d time.Duration) bool { return waitDown(x.w.ch, p.s.clock, d) }
		} else if x.exit == nil {
			wait = func(time.Duration) bool { return true } // remote, no helper: node stopping
		}
		if !wait(x.t.timeout) {
			p.Logger().Warn("shutdown: process did not stop in time, killing", "id", fmt.Sprint(x.t.id), "pid", x.t.pid)
			_ = p.Exit(x.t.pid, node.Kill)
			wait(Infinity)
		}
		if x.w != nil {
			_ = x.w.np.Exit(x.w.np.Self(), node.Kill)
		}
	}
}

// waitExit waits for a node.Watch channel for up to d (BrutalKill and
// Infinity wait without limit).
func waitExit(ch <-chan etf.Term, clk Clock, d time.Duration) bool {
	if d <= 0 || d == Infinity {
		<-ch
		return true
	}
	expired := make(chan struct{})
	stop := clk.AfterFunc(d, func() { close(expired) })
	defer stop()
	select {
	case <-ch:
		return true
	case <-expired:
		return false
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
