package port

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

// shellTree starts two sleeps in the background and waits: three
// processes in the program's group.
const shellTree = "sleep 1000 & sleep 1000 & wait"

// When the owner dies, the port dies with the owner's reason, the whole
// process group is gone and reaped, and nothing of the port is left.
func TestOwnerExitKillsProgram(t *testing.T) {
	for _, tc := range []struct {
		name   string
		end    func(n *node.Node, o *owner)
		reason etf.Term
	}{
		{"killed", func(n *node.Node, o *owner) { _ = n.Exit(o.PID, node.Kill) }, node.Killed},
		{"exit reason", func(n *node.Node, o *owner) { _ = n.Exit(o.PID, etf.Atom("boom")) }, etf.Atom("boom")},
		{"normal return", func(n *node.Node, o *owner) {
			_ = o.Exit(node.Normal)
		}, node.Normal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, false)
			pt := o.open(t, "sh", []string{"-c", shellTree}, WithGracePeriod(time.Second))
			waitGroupSize(t, pt.OSPid(), 3)
			down := n.Watch(pt.ID())
			tc.end(n, o)
			select {
			case r := <-down:
				if !etf.Equal(r, tc.reason) {
					t.Fatalf("port exited %v, want %v", r, tc.reason)
				}
			case <-time.After(waitFor):
				t.Fatal("port did not exit with its owner")
			}
			waitDone(t, pt)
			requireGone(t, pt.OSPid())
		})
	}
}

// A trapping owner gets {'EXIT', Port, Reason} when its port dies, and a
// monitoring process a DOWN; a non-trapping owner dies with the port's
// abnormal reason, as a process linked to an ERTS port does.
func TestPortExitReachesOwner(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "sleep", []string{"1000"})
	var ref etf.Ref
	mon := startOwner(t, n, false)
	_ = mon.Do(t, func(p *node.Process) (err error) { ref, err = p.Monitor(pt.ID()); return err })
	_ = n.Exit(pt.ID(), etf.Atom("stop_it"))
	if e := o.nextEvent(t, pt); e.kind != "EXIT" || e.reason != etf.Atom("stop_it") {
		t.Fatalf("owner got %+v", e)
	}
	if d, ok := mon.Next(t).(node.DownMsg); !ok || d.Ref != ref || d.Reason != etf.Atom("stop_it") {
		t.Fatalf("monitor got %#v", d)
	}
	waitDone(t, pt)
	requireGone(t, pt.OSPid())

	o2 := startOwner(t, n, false)
	pt2 := o2.open(t, "sleep", []string{"1000"})
	died := n.Watch(o2.PID)
	_ = n.Exit(pt2.ID(), etf.Atom("stop_it"))
	select {
	case r := <-died:
		if r != etf.Atom("stop_it") {
			t.Fatalf("owner exited %v", r)
		}
	case <-time.After(waitFor):
		t.Fatal("non-trapping owner survived its port's abnormal exit")
	}
	waitDone(t, pt2)
	requireGone(t, pt2.OSPid())
}

// A program that ignores SIGTERM is killed with SIGKILL one grace period
// later: on Close (stdin EOF ignored, then TERM ignored: exit_status is
// 128+9) and when the owner dies.
func TestIgnoresSIGTERM(t *testing.T) {
	const stubborn = `trap "" TERM; echo ready; while :; do sleep 1; done`
	const polite = `echo ready; while :; do sleep 1; done`
	for _, tc := range []struct {
		name, script string
		code         int
	}{{"ignores TERM", stubborn, 128 + 9}, {"dies of TERM", polite, 128 + 15}} {
		t.Run("close/"+tc.name, func(t *testing.T) {
			n := localNode(t)
			o := startOwner(t, n, true)
			pt := o.open(t, "sh", []string{"-c", tc.script}, WithExitStatus(), WithLine(100), WithGracePeriod(200*time.Millisecond))
			if e := o.nextEvent(t, pt); e.kind != "eol" || string(e.data) != "ready" {
				t.Fatalf("got %+v", e)
			}
			if err := o.Do(t, func(*node.Process) error {
				ctx, cancel := context.WithTimeout(context.Background(), waitFor)
				defer cancel()
				return pt.Close(ctx)
			}); err != nil {
				t.Fatal(err)
			}
			_, evs := o.drain(t, pt)
			if want := []event{{kind: "exit_status", code: tc.code}, {kind: "EXIT", reason: node.Normal}}; !sameEvents(evs, want) {
				t.Fatalf("events %+v, want %+v", evs, want)
			}
			requireGone(t, pt.OSPid())
		})
	}
	t.Run("owner killed/ignores TERM", func(t *testing.T) {
		n := localNode(t)
		o := startOwner(t, n, false)
		pt := o.open(t, "sh", []string{"-c", stubborn}, WithLine(100), WithGracePeriod(200*time.Millisecond))
		if m := o.Next(t); m == nil {
			t.Fatal("no ready line")
		}
		_ = n.Exit(o.PID, node.Kill)
		waitDone(t, pt)
		if code, ok := pt.ExitStatus(); !ok || code != 128+9 {
			t.Fatalf("exit status %d, %v: want SIGKILL's", code, ok)
		}
		requireGone(t, pt.OSPid())
	})
}

// A program that exits while its owner is still writing: writes fail with
// ErrClosed once stdin breaks, never kill the owner, and the port reports
// the exit as usual.
func TestProgramExitsWhileOwnerWrites(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "head", []string{"-c", "10"}, WithExitStatus())
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = 'x'
	}
	var closed bool
	for range 1000 {
		err := o.command(t, pt, chunk)
		if errors.Is(err, ErrClosed) {
			closed = true
			break
		}
		if err != nil {
			t.Fatalf("Command: %v", err)
		}
	}
	if !closed {
		t.Fatal("64 MiB written to a program that read 10 bytes and exited")
	}
	out, evs := o.drain(t, pt)
	if string(out) != "xxxxxxxxxx" {
		t.Fatalf("output %q", out)
	}
	if want := []event{{kind: "exit_status", code: 0}, {kind: "EXIT", reason: node.Normal}}; !sameEvents(evs, want) {
		t.Fatalf("events %+v", evs)
	}
	if !n.IsAlive(o.PID) {
		t.Fatal("owner died")
	}
	requireGone(t, pt.OSPid())
}

// Node.Stop ends every port and its programs, stubborn ones included,
// before it returns; no goroutine is left.
func TestNodeStopKillsPrograms(t *testing.T) {
	n, err := node.Start(context.Background(), "portstop@127.0.0.1", node.WithoutDistribution(), node.WithLogger(ownertest.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	o := startOwner(t, n, false)
	var groups []int
	for _, script := range []string{shellTree, `trap "" TERM; sleep 1000 & wait`, "cat"} {
		pt := o.open(t, "sh", []string{"-c", script}, WithGracePeriod(300*time.Millisecond))
		groups = append(groups, pt.OSPid())
	}
	waitGroupSize(t, groups[0], 3)
	waitGroupSize(t, groups[1], 2)
	ownertest.StopNode(t, n)
	for _, g := range groups {
		requireGone(t, g)
	}
	goleak.VerifyNone(t, goleak.IgnoreCurrent())
}

// A program that exits leaving a child that holds stdout: the port stays
// open for that output (as it waits for EOF), and Close ends the child
// with the grace-period escalation.
func TestCloseEndsLeftoverChild(t *testing.T) {
	n := localNode(t)
	o := startOwner(t, n, true)
	pt := o.open(t, "sh", []string{"-c", `trap "" TERM; (sleep 1000; echo late) & echo started`},
		WithLine(100), WithGracePeriod(100*time.Millisecond), WithExitStatus())
	if e := o.nextEvent(t, pt); e.kind != "eol" || string(e.data) != "started" {
		t.Fatalf("got %+v", e)
	}
	select {
	case <-pt.s.exited:
	case <-time.After(waitFor):
		t.Fatal("sh did not exit")
	}
	waitGroupSize(t, pt.OSPid(), 1) // the background subshell or its sleep
	if err := o.Do(t, func(*node.Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		return pt.Close(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	if _, evs := o.drain(t, pt); !sameEvents(evs, []event{{kind: "exit_status", code: 0}, {kind: "EXIT", reason: node.Normal}}) {
		t.Fatalf("events %+v", evs)
	}
	requireGone(t, pt.OSPid())
}

// Opening and ending ports in every way leaves no file descriptor open.
func TestNoLeakedFDs(t *testing.T) {
	n := localNode(t)
	countFDs := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	// Warm up whatever the runtime opens once (epoll, pidfd support).
	o := startOwner(t, n, true)
	pt := o.open(t, "true", nil)
	waitDone(t, pt)
	before := countFDs()
	for i := range 30 {
		o := startOwner(t, n, i%3 != 0)
		opts := []Option{WithStderr(Stderr(i % 4)), WithGracePeriod(100 * time.Millisecond)}
		switch i % 3 {
		case 0: // owner killed
			pt := o.open(t, "sleep", []string{"1000"}, opts...)
			_ = n.Exit(o.PID, node.Kill)
			waitDone(t, pt)
		case 1: // program exits
			pt := o.open(t, "sh", []string{"-c", "echo out; echo err >&2"}, opts...)
			waitDone(t, pt)
		case 2: // Close
			pt := o.open(t, "cat", nil, opts...)
			if err := o.Do(t, func(*node.Process) error { return pt.Close(context.Background()) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	if after := countFDs(); after > before {
		t.Fatalf("%d file descriptors open, %d before 30 ports", after, before)
	}
}

// The owner's exit reaches the port through the link: an owner that
// unlinked its port leaves it running when it exits, as an ERTS port
// survives an unlinked connected process (checked on erl 25:
// port_info/1 still answers). Node.Stop ends it then.
func TestUnlinkedOwnerLeavesPortRunning(t *testing.T) {
	n, err := node.Start(context.Background(), "portunlink@127.0.0.1", node.WithoutDistribution(), node.WithLogger(ownertest.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	o := startOwner(t, n, false)
	pt := o.open(t, "sleep", []string{"1000"})
	_ = o.Do(t, func(p *node.Process) error { p.Unlink(pt.ID()); return nil })
	gone := n.Watch(o.PID)
	_ = o.Exit(etf.Atom("gone"))
	select {
	case <-gone:
	case <-time.After(waitFor):
		t.Fatal("owner did not exit")
	}
	if !n.IsAlive(pt.ID()) {
		t.Fatal("the port died with an owner it was not linked to")
	}
	if live, _ := groupMembers(t, pt.OSPid()); len(live) != 1 {
		t.Fatalf("program group %v", live)
	}
	ownertest.StopNode(t, n)
	waitDone(t, pt)
	requireGone(t, pt.OSPid())
}
