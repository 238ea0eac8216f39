package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestCallLocalLeavesNothing: a local Call's monitor is set up and removed
// with one lookup of the target (callLocal); after many calls, from one
// process and from outside, neither side keeps a monitor or a watcher.
func TestCallLocalLeavesNothing(t *testing.T) {
	n := localNode(t)
	srv := srvEcho(t, n)
	pr := spawnProbe(t, n)
	doCheck(t, pr, func(p *Process) error { return callN(p, srv, 500) })
	for i := range 50 {
		if r, err := n.Call(context.Background(), srv, i); err != nil || r != i {
			t.Fatalf("call %d: %v, %v", i, r, err)
		}
	}
	sp := n.lookup(srv)
	sp.mu.Lock()
	w := len(sp.watchers)
	sp.mu.Unlock()
	pr.p.mu.Lock()
	m := len(pr.p.monitors)
	pr.p.mu.Unlock()
	if w != 0 || m != 0 {
		t.Fatalf("after the calls: server has %d watchers, caller %d monitors", w, m)
	}
}

// TestCallLocalFullMailbox: a Call to a local process whose bounded
// mailbox is full fails at once with ErrMailboxFull, and the monitor it set
// up is gone.
func TestCallLocalFullMailbox(t *testing.T) {
	n := localNode(t)
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	started := make(chan struct{})
	srv, err := n.Spawn(BehaviorFunc(func(*Process, etf.Term) error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-block
		return nil
	}), WithMailboxLimit(1))
	if err != nil {
		t.Fatal(err)
	}
	_ = n.Send(srv, 1) // taken by the handler, which blocks
	<-started
	_ = n.Send(srv, 2) // fills the mailbox
	pr := spawnProbe(t, n)
	doCheck(t, pr, func(p *Process) error {
		if _, err := p.Call(context.Background(), srv, 3); !errors.Is(err, ErrMailboxFull) {
			t.Errorf("call: %v, want ErrMailboxFull", err)
		}
		return nil
	})
	sp := n.lookup(srv)
	sp.mu.Lock()
	w := len(sp.watchers)
	sp.mu.Unlock()
	if w != 0 {
		t.Fatalf("server keeps %d watchers", w)
	}
}

// TestCallLocalServerExitsAfterReply: servers that reply and exit at once
// (their DOWN races with the end of the call) never leave a DownMsg in the
// caller's mailbox, and every call gets its reply.
func TestCallLocalServerExitsAfterReply(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	doCheck(t, pr, func(p *Process) error {
		for i := range 300 {
			srv, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
				if f, req, ok := ParseGenCall(m); ok {
					_ = Reply(p, f, req)
					return &ExitError{Reason: etf.Atom("done")}
				}
				return nil
			}))
			if err != nil {
				return err
			}
			if r, err := p.Call(context.Background(), srv, i); err != nil || r != i {
				t.Errorf("call %d: %v, %v", i, r, err)
			}
		}
		return nil
	})
	pr.sync() // fails on a DownMsg queued before the marker
	pr.p.mu.Lock()
	m := len(pr.p.monitors)
	pr.p.mu.Unlock()
	if m != 0 {
		t.Fatalf("caller keeps %d monitors", m)
	}
}

// TestCallTimerArmedByEarlierCall: the default-timeout timer is left
// running after a call (pendingCall.wait), so it may fire during a later
// call, at the earlier call's deadline. That call must go on waiting until
// its own deadline: here the reply comes after the first call's deadline
// but well before the second's. The pause between the calls is the
// scenario itself (it puts the first deadline inside the second call).
func TestCallTimerArmedByEarlierCall(t *testing.T) {
	const timeout = time.Second
	n := localNode(t, WithCallTimeout(timeout))
	srv, err := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
		from, req, ok := ParseGenCall(m)
		if !ok {
			return nil
		}
		if req == "late" {
			// Past the first call's deadline, 300 ms before the second's.
			time.AfterFunc(timeout*7/10, func() { _ = Reply(p, from, req) })
			return nil
		}
		return Reply(p, from, req)
	}))
	if err != nil {
		t.Fatal(err)
	}
	pr := spawnProbe(t, n)
	doCheck(t, pr, func(p *Process) error {
		if r, err := p.Call(context.Background(), srv, "fast"); err != nil || r != "fast" {
			t.Errorf("first call: %v, %v", r, err)
		}
		time.Sleep(timeout / 2)
		if r, err := p.Call(context.Background(), srv, "late"); err != nil || r != "late" {
			t.Errorf("second call: %v, %v; want its reply", r, err)
		}
		return nil
	})
}
