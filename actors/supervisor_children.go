package actors

import (
	"context"
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
	n := p.Node()
	exits := make([]<-chan etf.Term, len(ts))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // ends the waits of remote children that never went down
	for i, t := range ts {
		exits[i] = watchChild(ctx, n, t.pid)
		p.Unlink(t.pid)
		if t.timeout == BrutalKill {
			_ = p.Exit(t.pid, node.Kill)
		} else {
			_ = p.Exit(t.pid, node.Shutdown)
		}
	}
	for i, t := range ts {
		if !waitExit(exits[i], p.s.clock, t.timeout) {
			p.Logger().Warn("shutdown: process did not stop in time, killing", "id", fmt.Sprint(t.id), "pid", t.pid)
			_ = p.Exit(t.pid, node.Kill)
			waitExit(exits[i], p.s.clock, Infinity)
		}
	}
}

// watchChild returns a channel that receives the child's exit reason: a
// local child through node.Watch, a remote one through a monitor held by
// node.WaitDown (an exit before the monitor is set up answers noproc,
// which means the same: it is gone). The channel is closed without a
// value when ctx ends first.
func watchChild(ctx context.Context, n *node.Node, pid etf.PID) <-chan etf.Term {
	if pid.Node == n.Name() {
		return n.Watch(pid)
	}
	ch := make(chan etf.Term, 1)
	go func() {
		defer close(ch)
		if reason, err := n.WaitDown(ctx, pid); err == nil {
			ch <- reason
		}
	}()
	return ch
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
