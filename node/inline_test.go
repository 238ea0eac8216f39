package node

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Inline runs (inline.go, dist/reader_takeover.go): a request from another
// node to an idle server is handled on the connection's reader goroutine.
// These tests make such a handler block in every way that matters and
// check that the connection keeps going.

// serverFunc spawns on n a process that answers each $gen_call with
// handle(p, req) and counts the plain messages it gets in casts.
func serverFunc(t *testing.T, n *Node, handle func(p *Process, req etf.Term) (etf.Term, error)) etf.PID {
	t.Helper()
	pid, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		from, req, ok := ParseGenCall(m)
		if !ok {
			return nil
		}
		r, err := handle(p, req)
		if err != nil {
			return err
		}
		return Reply(p, from, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// callFrom makes one call from a fresh process on n and returns its result.
func callFrom(t *testing.T, n *Node, to, req etf.Term) (etf.Term, error) {
	t.Helper()
	type res struct {
		r   etf.Term
		err error
	}
	ch := make(chan res, 1)
	pr := spawnProbe(t, n)
	pr.async(func(p *Process) error {
		r, err := p.Call(context.Background(), to, req)
		ch <- res{r, err}
		return nil
	})
	select {
	case r := <-ch:
		return r.r, r.err
	case <-time.After(waitFor):
		t.Fatalf("call to %v never returned", to)
		return nil, nil
	}
}

// TestInlineCallBack: a server's handler calls a process on the caller's
// node; the reply comes over the connection whose reader runs the handler,
// so the handler must hand the reader off first (without, it deadlocks).
func TestInlineCallBack(t *testing.T) {
	a, b := goPair(t)
	echo := serverFunc(t, a, func(_ *Process, req etf.Term) (etf.Term, error) { return req, nil })
	srv := serverFunc(t, b, func(p *Process, req etf.Term) (etf.Term, error) {
		r, err := p.Call(context.Background(), echo, req)
		if err != nil {
			return nil, err
		}
		return etf.Tuple{etf.Atom("via"), r}, nil
	})
	for i := range 50 {
		r, err := callFrom(t, a, srv, i)
		if err != nil || !etf.Equal(r, etf.Tuple{etf.Atom("via"), i}) {
			t.Fatalf("call %d: %#v, %v", i, r, err)
		}
	}
}

// TestInlineBlockedHandler: a handler blocks (not in a Call) until 10,000
// messages for another process on the same connection have been
// delivered: the watchdog must hand the connection to a new reader. Then
// the blocked call completes too, and a handler that sleeps 200 ms does not
// hold the other messages back either.
func TestInlineBlockedHandler(t *testing.T) {
	a, b := goPair(t)
	const msgs = 10000
	var got atomic.Int64
	all := make(chan struct{})
	sink, err := b.Spawn(BehaviorFunc(func(_ *Process, _ etf.Term) error {
		if got.Add(1) == msgs {
			close(all)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{}, 1)
	srv := serverFunc(t, b, func(_ *Process, req etf.Term) (etf.Term, error) {
		entered <- struct{}{}
		switch req {
		case etf.Atom("block"):
			select {
			case <-all:
			case <-time.After(waitFor):
				return nil, errors.New("the other messages never arrived")
			}
		case etf.Atom("sleep"):
			time.Sleep(200 * time.Millisecond)
		}
		return etf.Atom("done"), nil
	})
	for _, req := range []etf.Atom{"block", "sleep"} {
		all = make(chan struct{})
		got.Store(0)
		res := make(chan error, 1)
		go func() {
			r, err := callFrom(t, a, srv, req)
			if err == nil && r != etf.Atom("done") {
				err = fmt.Errorf("reply %#v", r)
			}
			res <- err
		}()
		<-entered
		t0 := time.Now()
		pr := spawnProbe(t, a)
		pr.do(func(p *Process) error {
			for i := range msgs {
				if err := p.Send(sink, i); err != nil {
					return err
				}
			}
			return nil
		})
		select {
		case <-all:
		case <-time.After(waitFor):
			t.Fatalf("%s: %d of %d messages delivered while the handler blocked", req, got.Load(), msgs)
		}
		if req == "sleep" {
			if d := time.Since(t0); d >= 200*time.Millisecond {
				t.Logf("sleep: the messages took %v (a loaded machine?)", d)
			}
		}
		if err := <-res; err != nil {
			t.Fatalf("%s: %v", req, err)
		}
	}
}

// TestInlineOrderManyPairs: 8 callers each mix calls and plain messages to
// their own server; some handlers block past the watchdog's budget, so
// takeovers happen while messages for the same server keep arriving. Each
// server must see every caller's messages in the order sent.
func TestInlineOrderManyPairs(t *testing.T) {
	a, b := goPair(t)
	const pairs, per = 8, 300
	var wg sync.WaitGroup
	errs := make(chan error, pairs)
	for i := range pairs {
		next := 0
		var bad error
		srv, err := b.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
			if from, req, ok := ParseGenCall(m); ok {
				if req == etf.Atom("check") {
					return Reply(p, from, etf.Tuple{next, fmt.Sprint(bad)})
				}
				if seq := req.(int); seq != next && bad == nil {
					bad = fmt.Errorf("call %d after %d", seq, next-1)
				}
				next++
				if next%50 == 0 {
					time.Sleep(3 * time.Millisecond) // past the budget: a takeover
				}
				return Reply(p, from, etf.Atom("ok"))
			}
			if seq := m.(int); seq != next && bad == nil {
				bad = fmt.Errorf("message %d after %d", seq, next-1)
			}
			next++
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		pr := spawnProbe(t, a)
		wg.Go(func() {
			pr.do(func(p *Process) error {
				for seq := 0; seq < per; seq++ {
					if seq%3 == 0 {
						if err := p.Send(srv, seq); err != nil {
							errs <- err
							return nil
						}
						continue
					}
					if _, err := p.Call(context.Background(), srv, seq); err != nil {
						errs <- fmt.Errorf("call %d: %w", seq, err)
						return nil
					}
				}
				r, err := p.Call(context.Background(), srv, etf.Atom("check"))
				if err != nil {
					errs <- err
				} else if want := (etf.Tuple{per, "<nil>"}); !etf.Equal(r, want) {
					errs <- fmt.Errorf("server of pair %d: %#v", i, r)
				}
				return nil
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestInlineKilled: a server killed while its handler blocks inline dies
// with killed once the handler returns. A server
// killed while it is inline in a Call over the same connection leaves that
// Call at once.
func TestInlineKilled(t *testing.T) {
	a, b := goPair(t)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	srv := serverFunc(t, b, func(_ *Process, _ etf.Term) (etf.Term, error) {
		entered <- struct{}{}
		<-release
		return etf.Atom("late"), nil
	})
	down := watch(t, b, srv)
	res := make(chan error, 1)
	go func() { _, err := callFrom(t, a, srv, 1); res <- err }()
	<-entered
	if err := b.Exit(srv, Kill); err != nil {
		t.Fatal(err)
	}
	close(release)
	if r := down(); r != Killed {
		t.Fatalf("server exited with %#v", r)
	}
	// The kill takes effect between messages, as on any goroutine: the
	// handler's reply may already be out.
	if err := <-res; err != nil && !errors.Is(err, ErrNoProc) {
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Reason != Killed {
			t.Fatalf("the call to the killed server: %v", err)
		}
	}

	// Killed inside a Call back to the caller's node.
	quiet, _ := a.Spawn(BehaviorFunc(func(*Process, etf.Term) error { return nil }))
	callErr := make(chan error, 1)
	srv2 := serverFunc(t, b, func(p *Process, _ etf.Term) (etf.Term, error) {
		entered <- struct{}{}
		_, err := p.Call(context.Background(), quiet, 1) // never answered
		callErr <- err
		return nil, err
	})
	down2 := watch(t, b, srv2)
	go func() { _, err := callFrom(t, a, srv2, 1); res <- err }()
	<-entered
	if err := b.Exit(srv2, Kill); err != nil {
		t.Fatal(err)
	}
	var ee *ExitError
	if err := <-callErr; !errors.As(err, &ee) || ee.Reason != Killed {
		t.Fatalf("the inline Call returned %v", err)
	}
	if r := down2(); r != Killed {
		t.Fatalf("server exited with %#v", r)
	}
	if err := <-res; err == nil {
		t.Fatal("the call to a killed server succeeded")
	}
	// The connection still works.
	if r, err := callFrom(t, a, serverFunc(t, b, func(_ *Process, q etf.Term) (etf.Term, error) { return q, nil }), 7); err != nil || r != 7 {
		t.Fatalf("after the kills: %#v, %v", r, err)
	}
}

// TestInlineStop: Node.Stop while a handler blocks inline returns, and the
// caller's Call fails instead of hanging.
func TestInlineStop(t *testing.T) {
	a, b := goPair(t)
	entered, release := make(chan struct{}), make(chan struct{})
	srv := serverFunc(t, b, func(_ *Process, _ etf.Term) (etf.Term, error) {
		close(entered)
		<-release
		return etf.Atom("late"), nil
	})
	res := make(chan error, 1)
	go func() { _, err := callFrom(t, a, srv, 1); res <- err }()
	<-entered
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		stopped <- b.Stop(ctx)
	}()
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := <-res; err == nil {
		t.Log("the call was answered before the node stopped") // allowed: release came first
	}
}

// TestInlineGoesAway: after a burst of calls with hand-offs and
// takeovers, the connection's watchdog, the servers' goroutines and every
// replaced reader are gone: one reader per side is left.
func TestInlineGoesAway(t *testing.T) {
	a, b := goPair(t)
	echo := serverFunc(t, a, func(_ *Process, req etf.Term) (etf.Term, error) { return req, nil })
	srv := serverFunc(t, b, func(p *Process, req etf.Term) (etf.Term, error) {
		if req.(int)%10 == 0 {
			return p.Call(context.Background(), echo, req) // a hand-off
		}
		if req.(int)%25 == 1 {
			time.Sleep(3 * time.Millisecond) // a takeover
		}
		return req, nil
	})
	pr := spawnProbe(t, a)
	doCheck(t, pr, func(p *Process) error { return callN(p, srv, 500) })
	deadline := time.Now().Add(waitFor)
	for {
		st := goroutineStacks()
		w, r, run := strings.Count(st, "dist.(*Conn).watchInline("), strings.Count(st, "dist.(*Conn).readFrom("), strings.Count(st, "node.(*Process).run(")
		if w == 0 && r == 2 && run == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d watchdogs, %d readers, %d process goroutines left:\n%s", w, r, run, st)
		}
		time.Sleep(time.Millisecond)
	}
}

func goroutineStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
