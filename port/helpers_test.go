package port

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/ownertest"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait in these tests; reaching it means a hang.
const waitFor = ownertest.Wait

// localNode starts a node without distribution, stopped at cleanup.
func localNode(t testing.TB, opts ...node.Option) *node.Node {
	t.Helper()
	return ownertest.LocalNode(t, "port", opts...)
}

// owner is a process that runs functions sent to it (so that Open and
// Command run inside its handler, as in real code) and forwards every
// other message to Msgs; it adds the port helpers to ownertest.Owner.
type owner struct{ *ownertest.Owner }

// startOwner spawns an owner; trap makes it trap exits.
func startOwner(t testing.TB, n *node.Node, trap bool) *owner {
	t.Helper()
	return &owner{ownertest.Start(t, n, trap)}
}

// open opens a port owned by o; a failure fails the test.
func (o *owner) open(t testing.TB, name string, args []string, opts ...Option) *Port {
	t.Helper()
	var pt *Port
	if err := o.Do(t, func(p *node.Process) (err error) {
		pt, err = Open(context.Background(), p, name, args, opts...)
		return err
	}); err != nil {
		t.Fatalf("open %s %v: %v", name, args, err)
	}
	return pt
}

// command writes data from inside the owner.
func (o *owner) command(t testing.TB, pt *Port, data []byte) error {
	t.Helper()
	return o.Do(t, func(*node.Process) error {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		return pt.Command(ctx, data)
	})
}

// event is a message from a port, parsed for the tests.
type event struct {
	kind   string // data, eol, noeol, stderr, exit_status, closed, EXIT
	data   []byte
	code   int
	reason etf.Term
}

// nextEvent returns the next message, which must come from pt.
func (o *owner) nextEvent(t testing.TB, pt *Port) event {
	t.Helper()
	m := o.Next(t)
	if x, ok := m.(node.ExitMsg); ok && x.From == pt.ID() {
		return event{kind: "EXIT", reason: x.Reason}
	}
	tu, ok := m.(etf.Tuple)
	if !ok || len(tu) != 2 || tu[0] != pt.ID() {
		t.Fatalf("not a message from port %v: %#v", pt.ID(), m)
	}
	if tu[1] == atomClosed {
		return event{kind: "closed"}
	}
	in, ok := tu[1].(etf.Tuple)
	if !ok || len(in) != 2 {
		t.Fatalf("bad port message %#v", m)
	}
	switch in[0] {
	case atomExitStatus:
		return event{kind: "exit_status", code: in[1].(int)}
	case atomStderr:
		return event{kind: "stderr", data: in[1].([]byte)}
	case atomData:
		if l, ok := in[1].(etf.Tuple); ok {
			return event{kind: string(l[0].(etf.Atom)), data: l[1].([]byte)}
		}
		return event{kind: "data", data: in[1].([]byte)}
	}
	t.Fatalf("bad port message %#v", m)
	return event{}
}

// drain collects a port's events until its EXIT: stream data is
// concatenated into out, other events are returned in order.
func (o *owner) drain(t testing.TB, pt *Port) (out []byte, evs []event) {
	t.Helper()
	for {
		e := o.nextEvent(t, pt)
		if e.kind == "data" {
			out = append(out, e.data...)
			continue
		}
		evs = append(evs, e)
		if e.kind == "EXIT" {
			return out, evs
		}
	}
}

// waitDone waits for the port to have exited and its program reaped.
func waitDone(t testing.TB, pt *Port) {
	t.Helper()
	select {
	case <-pt.Done():
	case <-time.After(waitFor):
		t.Fatal("port did not exit")
	}
}

// groupMembers lists the live processes (not zombies) and the zombies in
// process group pgid, from /proc.
func groupMembers(t testing.TB, pgid int) (live, zombies []int) {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 3 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		if f[0] == "Z" {
			zombies = append(zombies, pid)
		} else {
			live = append(live, pid)
		}
	}
	return live, zombies
}

// requireGone fails unless nothing of process group pgid is left: no
// live process, and the program itself reaped (not even a zombie). The
// program's own children, orphaned when the group is killed together, are
// init's to reap: a zombie among them is allowed only if its parent is
// not this test process (this VM's init reaps lazily).
func requireGone(t testing.TB, pgid int) {
	t.Helper()
	// The group was signalled before Done; our own child is reaped by
	// then, but a grandchild (not ours to wait for) dies asynchronously,
	// so give it until waitFor to be gone.
	live, zombies := groupMembers(t, pgid)
	for deadline := time.Now().Add(waitFor); len(live) > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		live, zombies = groupMembers(t, pgid)
	}
	if len(live) > 0 {
		t.Fatalf("process group %d still has live %v", pgid, live)
	}
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pgid))); err == nil {
		t.Fatalf("program %d still in /proc (not reaped)", pgid)
	}
	for _, z := range zombies {
		if parentOf(z) == os.Getpid() {
			t.Fatalf("zombie %d of process group %d is ours to reap", z, pgid)
		}
	}
}

// parentOf returns pid's parent pid, or 0 if pid is gone.
func parentOf(pid int) int {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// waitGroupSize waits until process group pgid has n live members (a
// shell has started its children).
func waitGroupSize(t testing.TB, pgid, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		live, _ := groupMembers(t, pgid)
		if len(live) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d has %v, want %d members", pgid, live, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
