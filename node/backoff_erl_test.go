package node

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestBackoffErl: a real erl peer behind a counting gate dies; 10,000
// sends to it dial a handful of times; erl comes back on the same name
// and port, and the first attempt after the window reaches it.
func TestBackoffErl(t *testing.T) {
	needErl(t)
	t.Parallel()
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	ep, port := startEPMD(t), freePort(t)
	cookie := "bcookie" + id
	g := newDialGate(t)
	g.forwardTo("127.0.0.1:" + strconv.Itoa(port))
	start := func() *erlPeer { return startErlWith(t, ep, "berl"+id, cookie, fixedPortArgs(port)...) }
	e := start()
	n := distNode(t, "bgo"+id+"@127.0.0.1", ep, cookie, WithTickTime(routeTick),
		WithRoute(string(e.name), Route{Port: g.port()}))
	ctx := context.Background()
	isAuth := func() error {
		_, err := n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		return err
	}
	if err := isAuth(); err != nil {
		t.Fatal(err)
	}

	w := spawnProbe(t, n)
	w.do(func(p *Process) error { p.MonitorNode(e.name, true); return nil })
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	_ = e.cmd.Wait()
	if m, ok := w.recv().(NodeDownMsg); !ok || m.Node != e.name {
		t.Fatalf("got %#v, want nodedown", m)
	}
	before := g.accepts.Load()
	for i := range 10000 {
		if err := n.Send(Name{"x", e.name}, i); err != nil {
			t.Fatal(err)
		}
	}
	waitSetups(t, n)
	flood := g.accepts.Load() - before
	if flood < 1 || flood > 5 {
		t.Fatalf("10,000 sends to the dead erl dialled %d times, want 1..5", flood)
	}

	e = start() // same name, same port
	until := n.remote.backoff.until(e.name)
	time.Sleep(time.Until(until)) // the window is what is under test
	if err := isAuth(); err != nil {
		t.Fatalf("first call after the window to the erl that came back: %v", err)
	}
	if got := g.accepts.Load(); got != before+flood+1 {
		t.Fatalf("%d dials, want %d: one after the window", got, before+flood+1)
	}
}

// TestBackoffBesideBEAM measures what the back-off saves: a BEAM node and
// a Go node each send 1,000 messages, 1 ms apart, to a node name whose
// port refuses every handshake, and the gate counts the dials. BEAM
// starts an attempt for (nearly) every send; erlgo a handful. Logged,
// and erlgo's count bounded; BEAM's is what OTP 25 does, not asserted.
func TestBackoffBesideBEAM(t *testing.T) {
	needErl(t)
	t.Parallel()
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	ep := startEPMD(t)
	cookie := "mcookie" + id
	dead := newDialGate(t) // closes every connection
	n := distNode(t, "mgo"+id+"@127.0.0.1", ep, cookie)
	deadName := "mdead" + id
	publishAlias(t, ep, deadName, dead.port()) // for BEAM, which has no routes
	if err := n.AddRoute(deadName+"@127.0.0.1", Route{Port: dead.port()}); err != nil {
		t.Fatal(err)
	}
	e := startErl(t, ep, "merl"+id, cookie)
	pr := spawnProbe(t, n)
	const sends = 1000

	r := e.eval(t, pr, `D = '`+deadName+`@127.0.0.1', [begin {x, D} ! I, receive after 1 -> ok end end || I <- lists:seq(1, `+itoa(sends)+`)], net_kernel:connect_node(D).`)
	if r != etf.Atom("false") {
		t.Fatalf("BEAM connected to the dead node: %v", r)
	}
	beam := int(dead.accepts.Load()) - 1 // less connect_node's own (at most one)

	dead.accepts.Store(0)
	for i := range sends {
		if err := n.Send(Name{"x", etf.Atom(deadName + "@127.0.0.1")}, i); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // the sender's pace, as BEAM's
	}
	waitSetups(t, n)
	goDials := int(dead.accepts.Load())
	t.Logf("dials for %d sends 1 ms apart to a dead node: BEAM %d, erlgo %d (%.0fx fewer)",
		sends, beam, goDials, float64(beam)/float64(max(goDials, 1)))
	if goDials < 1 || goDials > 12 {
		t.Fatalf("erlgo dialled %d times for %d paced sends, want 1..12", goDials, sends)
	}
}
