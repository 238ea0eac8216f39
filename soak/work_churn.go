package soak

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// churnFrom asks the peer to run workers that each do ops rounds of
// remote spawn (spawn_link, spawn_monitor, spawn of Go spawnables), link,
// unlink, monitor (also by name), demonitor and exit against the Go node,
// checking that every EXIT and DOWN arrives with the right reason and
// nothing else does, plus global register/unregister (the lock and the
// registration include the Go node) and pg join/leave. Afterwards the Go
// node's global and pg views must be empty of the workers' names and
// members again.
func (r *run) churnFrom(ctx context.Context, peer *beamPeer, workers, ops int, t *tally) {
	what := peer.kind + "->go churn"
	r.remoteOps(ctx, peer, what,
		etf.Tuple{etf.Atom("churn_go"), workers, ops, r.g.n.Name()},
		func(t *tally, ops, failed int) { t.churn += ops; t.failedChurn += failed }, t)
	// pg and global propagate asynchronously: poll, bounded.
	deadline := time.Now().Add(r.cfg.Deadline)
	for {
		left := r.leftovers(etf.Atom(peer.name))
		if left == "" {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.add(func(t *tally) {
				t.failedChurn++
				t.addErr(what + ": the Go node still sees " + left)
			})
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leftovers describes global names and pg members of peer's churn workers
// that the Go node still knows about ("" when none).
func (r *run) leftovers(peer etf.Atom) string {
	var out []string
	for _, name := range r.g.glob.RegisteredNames() {
		if tp, ok := name.(etf.Tuple); ok && len(tp) == 4 && tp[0] == etf.Atom("soak_global") && tp[1] == peer {
			out = append(out, "global name "+etf.Format(name))
		}
	}
	for _, pid := range r.g.scope.GetMembers(etf.Atom("soak_group")) {
		if pid.Node == peer {
			out = append(out, "pg member "+etf.Format(pid))
		}
	}
	if len(out) > 3 {
		out = append(out[:3], fmt.Sprintf("and %d more", len(out)-3))
	}
	return strings.Join(out, ", ")
}

// churnTo runs workers Go processes that each do ops rounds against
// victims on the peer: link + monitor + die by message (EXIT and DOWN
// expected), monitor + a demonitored second monitor + exit/2 (one DOWN
// only), link + monitor + unlink + die (DOWN only), link + monitor +
// exit(kill) (EXIT and DOWN killed), a demonitored monitor by name +
// monitor + die (one DOWN).
func (r *run) churnTo(ctx context.Context, peer *beamPeer, workers, ops int, t *tally) {
	done := make(chan churnResult, workers)
	srv := node.Name{Name: beamServer, Node: etf.Atom(peer.name)}
	for w := 1; w <= workers; w++ {
		c := &churner{ctx: ctx, dir: "go->" + peer.kind, srv: srv, id: w,
			echo: node.Name{Name: etf.Atom(peer.echo), Node: etf.Atom(peer.name)}, n: ops, deadline: r.cfg.Deadline, done: done}
		if _, err := r.g.n.Spawn(c, node.WithTrapExit()); err != nil {
			t.control("go->"+peer.kind+" spawn churner", err)
			done <- churnResult{}
		}
	}
	for range workers {
		select {
		case res := <-done:
			t.add(func(t *tally) {
				t.churn += res.ops
				t.failedChurn += res.failed
				for _, e := range res.errs {
					t.addErr(e)
				}
			})
		case <-ctx.Done():
			t.control("go->"+peer.kind+" churn", ctx.Err())
			return
		}
	}
}

type churnResult struct {
	ops, failed int
	errs        []string
}

type (
	nextMsg    struct{}
	finishMsg  struct{}
	timeoutMsg struct{ i int }
)

// churner is one Go churn worker; it traps exits, so the EXITs it expects
// arrive as ExitMsg.
type churner struct {
	ctx      context.Context
	dir      string
	srv      node.Name
	echo     node.Name // the peer's echo server, monitored by name
	id, n, i int
	deadline time.Duration
	done     chan<- churnResult

	victim             etf.PID
	ref, flushed       etf.Ref
	reason             etf.Term
	wantExit, wantDown bool
	timer              etf.Ref // the round's timeout (SendAfter), zero if none
	res                churnResult
}

func (c *churner) Init(p *node.Process) error { return p.Send(p.Self(), nextMsg{}) }

func (c *churner) fail(format string, args ...any) {
	c.res.failed++
	if len(c.res.errs) < 3 {
		c.res.errs = append(c.res.errs, fmt.Sprintf("%s churn %d/%d: ", c.dir, c.id, c.i)+fmt.Sprintf(format, args...))
	}
}

func (c *churner) HandleMessage(p *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case nextMsg:
		c.step(p)
	case finishMsg:
		c.done <- c.res
		return &node.ExitError{Reason: node.Normal}
	case node.ExitMsg:
		if c.wantExit && etf.Equal(m.From, c.victim) && etf.Equal(m.Reason, c.reason) {
			c.wantExit = false
			c.advance(p)
		} else {
			c.fail("unexpected EXIT from %s: %s", etf.Format(m.From), etf.Format(m.Reason))
		}
	case node.DownMsg:
		if c.wantDown && etf.Equal(m.Ref, c.ref) && etf.Equal(m.Object, c.victim) && etf.Equal(m.Reason, c.reason) {
			c.wantDown = false
			c.advance(p)
		} else {
			c.fail("unexpected DOWN %s for %s: %s", etf.Format(m.Ref), etf.Format(m.Object), etf.Format(m.Reason))
		}
	case timeoutMsg:
		if m.i == c.i && (c.wantExit || c.wantDown) {
			c.fail("timeout: EXIT pending %v, DOWN pending %v", c.wantExit, c.wantDown)
			c.wantExit, c.wantDown = false, false
			c.advance(p)
		}
	default:
		c.fail("unexpected message %s", etf.Format(msg))
	}
	return nil
}

// step starts round c.i, or finishes after a grace period in which a
// late unexpected signal (an EXIT after unlink, a DOWN of the flushed
// monitor) would still be counted.
func (c *churner) step(p *node.Process) {
	if c.i == c.n {
		p.SendAfter(200*time.Millisecond, p.Self(), finishMsg{})
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.deadline)
	reply, err := p.Call(ctx, c.srv, etf.Atom("spawn_victim"))
	cancel()
	v, ok := reply.(etf.PID)
	if err != nil || !ok {
		c.fail("spawn_victim: %v %s", err, etf.Format(reply))
		c.res.ops++
		c.i++
		_ = p.Send(p.Self(), nextMsg{})
		return
	}
	c.victim = v
	c.reason = etf.Tuple{etf.Atom("soak_die"), c.id, c.i}
	die := etf.Tuple{atomDie, c.reason}
	switch c.i % 5 {
	case 0:
		err = p.Link(v)
		c.ref, _ = p.Monitor(v)
		if err == nil {
			err = p.Send(v, die)
		}
		c.wantExit, c.wantDown = true, true
	case 1:
		c.ref, _ = p.Monitor(v)
		c.flushed, _ = p.Monitor(v)
		p.Demonitor(c.flushed)
		err = p.Exit(v, c.reason)
		c.wantDown = true
	case 2:
		err = p.Link(v)
		c.ref, _ = p.Monitor(v)
		p.Unlink(v)
		if err == nil {
			err = p.Send(v, die)
		}
		c.wantDown = true
	case 3:
		// kill cannot be trapped by the victim; the link and the monitor
		// see killed.
		c.reason = etf.Atom("killed")
		err = p.Link(v)
		c.ref, _ = p.Monitor(v)
		if err == nil {
			err = p.Exit(v, node.Kill)
		}
		c.wantExit, c.wantDown = true, true
	case 4:
		// A monitor by registered name, demonitored: no DOWN for it.
		c.flushed, err = p.Monitor(c.echo)
		p.Demonitor(c.flushed)
		c.ref, _ = p.Monitor(v)
		if err == nil {
			err = p.Send(v, die)
		}
		c.wantDown = true
	}
	if err != nil {
		c.fail("signal: %v", err)
	}
	c.timer = p.SendAfter(c.deadline, p.Self(), timeoutMsg{i: c.i})
}

// advance ends the round once nothing more is expected.
func (c *churner) advance(p *node.Process) {
	if c.wantExit || c.wantDown {
		return
	}
	if c.timer != (etf.Ref{}) {
		p.CancelTimer(c.timer)
	}
	c.res.ops++
	c.i++
	_ = p.Send(p.Self(), nextMsg{})
}

func (c *churner) Terminate(*node.Process, etf.Term) {}
