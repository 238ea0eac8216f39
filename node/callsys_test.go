package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// sysEcho answers {system, From, Req} with {sys, Req} and exits on stop.
func sysEcho(p *Process, msg etf.Term) error {
	if from, req, ok := ParseSystem(msg); ok {
		if err := Reply(p, from, etf.Tuple{etf.Atom("sys"), req}); err != nil {
			return err
		}
		if req == etf.Atom("stop") {
			return &ExitError{Reason: etf.Atom("asked")}
		}
	}
	return nil
}

func TestCallSystem(t *testing.T) {
	n := localNode(t)
	if _, err := n.Spawn(BehaviorFunc(sysEcho), WithName("sys_echo")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := n.CallSystem(ctx, etf.Atom("sys_echo"), etf.Atom("get_state"))
	if err != nil || !etf.Equal(got, etf.Tuple{etf.Atom("sys"), etf.Atom("get_state")}) {
		t.Fatalf("CallSystem = %v, %v", got, err)
	}
	if _, err := n.CallSystem(ctx, etf.Atom("nobody"), etf.Atom("get_state")); !errors.Is(err, ErrNoProc) {
		t.Fatalf("CallSystem to a missing name: %v, want ErrNoProc", err)
	}
	// A plain gen_server request is not a sys request: no answer.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := n.Call(short, etf.Atom("sys_echo"), etf.Atom("get_state")); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Call of a sys-only process: %v, want ErrTimeout", err)
	}
}

func TestWaitDown(t *testing.T) {
	n := localNode(t)
	ctx := context.Background()
	t.Run("monitor in place", func(t *testing.T) {
		pr := spawnProbe(t, n)
		res := make(chan etf.Term, 1)
		go func() { r, _ := n.WaitDown(ctx, pr.pid); res <- r }()
		deadline := time.Now().Add(waitFor)
		for !hasWatchers(pr.p) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // polls the monitor this test is about, not a fixed wait
		}
		pr.async(func(*Process) error { return &ExitError{Reason: atomTimeout} })
		if r := <-res; r != atomTimeout {
			t.Fatalf("WaitDown = %v, want the reason timeout (not ErrTimeout)", r)
		}
	})
	t.Run("not alive", func(t *testing.T) {
		if r, err := n.WaitDown(ctx, deadPID(t, n)); err != nil || r != NoProc {
			t.Fatalf("WaitDown of a dead pid = %v, %v", r, err)
		}
	})
	t.Run("ctx deadline", func(t *testing.T) {
		pr := spawnProbe(t, n)
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if r, err := n.WaitDown(short, pr.pid); !errors.Is(err, ErrTimeout) || r != nil {
			t.Fatalf("WaitDown past the deadline = %v, %v", r, err)
		}
		if hasWatchers(pr.p) {
			t.Fatal("the monitor outlived WaitDown")
		}
	})
}

// A remote process is waited for through a monitor over distribution.
func TestWaitDownRemote(t *testing.T) {
	a, b := goPair(t)
	pb := spawnProbe(t, b)
	res := make(chan etf.Term, 1)
	go func() { r, _ := a.WaitDown(context.Background(), pb.pid); res <- r }()
	deadline := time.Now().Add(waitFor)
	for !hasWatchers(pb.p) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polls for the MONITOR_P to arrive
	}
	if !hasWatchers(pb.p) {
		t.Fatal("no monitor arrived from the other node")
	}
	pb.async(func(*Process) error { return &ExitError{Reason: etf.Atom("remote_bye")} })
	select {
	case r := <-res:
		if r != etf.Atom("remote_bye") {
			t.Fatalf("WaitDown = %v", r)
		}
	case <-time.After(waitFor):
		t.Fatal("WaitDown did not return")
	}
}

func hasWatchers(p *Process) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.watchers) > 0
}
