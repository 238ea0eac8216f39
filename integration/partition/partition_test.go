package partition

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const tick = time.Duration(tickTime) * time.Second

// slack is the tolerance added to OTP's detection window for a loaded
// 2-core machine (the peers' tick timers and this test's reading of their
// output can run late: BEAM<->BEAM was seen 1.8 s past 1.25 x ticktime
// while the rest of the suite ran). The cases run one at a time for the
// same reason: each one runs four nodes and a relay.
const slack = 2500 * time.Millisecond

// setupTime is net_setuptime: how long OTP lets a connection attempt take.
const setupTime = 7 * time.Second

// fault is one way of breaking the link, applied to the whole cluster.
type fault struct {
	name  string
	key   string // short id for global and pg names
	apply func(c *cluster)
	heal  func(c *cluster)
	// frozen is the side whose nodes are stopped ("A", "B" or "" for a
	// network fault): they report only after heal, and take no part in
	// the global and pg steps during the fault.
	frozen string
	// lateB: B hears A for a while after the fault (loss B->A only), so
	// B's observers may detect later than one ticktime after the fault.
	lateB bool
	// fromA: after healing, A's nodes send first (Go accepts the new
	// connection); else B's do (Go dials).
	fromA bool
	aWins bool // see newCluster
}

func TestPartitionLinkDown(t *testing.T) {
	runFault(t, fault{
		name: "ip link set <veth A> down", key: "ld", aWins: true,
		apply: func(c *cluster) { c.h.linkDown(true) },
		heal:  func(c *cluster) { c.h.linkDown(false) },
	})
}

func TestPartitionLoss(t *testing.T) {
	runFault(t, fault{
		name: "100% loss both ways (nft ingress drop on both veths)", key: "ls", fromA: true,
		apply: func(c *cluster) { c.h.loseAll(true) },
		heal:  func(c *cluster) { c.h.loseAll(false) },
	})
}

func TestPartitionAsymmetricLoss(t *testing.T) {
	runFault(t, fault{
		name: "100% loss B->A only (A->B still delivered)", key: "as", lateB: true, aWins: true,
		apply: func(c *cluster) { c.h.loseBtoA(true) },
		heal:  func(c *cluster) { c.h.loseBtoA(false) },
	})
}

func TestPartitionFreeze(t *testing.T) {
	freeze := func(side string, sig syscall.Signal) func(c *cluster) {
		return func(c *cluster) {
			for _, p := range c.pairs {
				n := p.a
				if side == "B" {
					n = p.b
				}
				n.signal(sig)
			}
		}
	}
	c := newCluster(t, true)
	for _, side := range []string{"B", "A"} {
		f := fault{
			name:   fmt.Sprintf("SIGSTOP of side %s's nodes for 2x net_ticktime, then SIGCONT", side),
			key:    "fr" + strings.ToLower(side),
			frozen: side, fromA: side == "B",
			apply: func(c *cluster) {
				freeze(side, syscall.SIGSTOP)(c)
				time.Sleep(2 * tick) // the freeze is the behaviour under test
			},
			heal: freeze(side, syscall.SIGCONT),
		}
		t.Run("side"+side, func(t *testing.T) { runPhase(t, c, f) })
	}
}

func runFault(t *testing.T, f fault) {
	c := newCluster(t, f.aWins)
	runPhase(t, c, f)
}

// runPhase is the shared scenario: join, probe, break, observe, heal,
// reconnect, then global and pg, with the side-by-side table logged.
func runPhase(t *testing.T, c *cluster, f fault) {
	c.connect(t)
	group := "ptg_" + f.key
	for _, n := range c.nodes() {
		n.expect("ok", "pgjoin", group)
	}
	for _, p := range c.pairs {
		both := nodeList(p.a.name, p.b.name)
		waitAnswer(t, p.a, both, "pgnodes", group)
		waitAnswer(t, p.b, both, "pgnodes", group)
	}
	c.probe(t)

	t0 := time.Now()
	f.apply(c)
	tb := &table{fault: f.name, tick: c.tick}
	tb.add("", c.pairs[0].label, c.pairs[1].label)
	defer tb.log(t) // also when a step fails: the rows so far tell where

	// sides[i][0]: A's node watching B's, sides[i][1]: B's watching A's.
	var sides [2][2]side
	for i, p := range c.pairs {
		sides[i] = [2]side{{n: p.a, peer: p.b}, {n: p.b, peer: p.a}}
	}
	wait := 2*tick + 2*slack
	if f.lateB {
		wait += tick
	}
	for i := range sides {
		for j := range sides[i] {
			if frozenSide(f, j) {
				continue
			}
			s := &sides[i][j]
			s.obs = observe(s.n, s.peer, t0, wait)
		}
	}
	global := "ptn_" + f.key
	var during [2]string
	if f.frozen == "" {
		for _, p := range c.pairs {
			waitAnswer(t, p.a, nodeList(p.a.name), "pgnodes", group)
			waitAnswer(t, p.b, nodeList(p.b.name), "pgnodes", group)
			p.a.expect("yes", "greg", global)
			p.b.expect("yes", "greg", global)
		}
		during = c.callDuringFault(t)
	}
	tHeal := time.Now()
	f.heal(c)
	if f.frozen == "" {
		c.h.healed()
	}
	for i := range sides {
		for j := range sides[i] {
			if frozenSide(f, j) {
				s := &sides[i][j]
				s.obs = observe(s.n, s.peer, t0, tick+2*slack)
			}
		}
	}

	// Reconnect on the next send.
	reconnect := c.callAll(t, f.fromA, 1, 0)

	// Table and per-side checks.
	for j, dir := range []string{"A watches B", "B watches A"} {
		row := func(what string, get func(s side) string) {
			tb.add(dir+": "+what, get(sides[0][j]), get(sides[1][j]))
		}
		row("observer", func(s side) string { return fmt.Sprintf("%s sees %s", s.n.kind, s.peer.kind) })
		row("nodedown", func(s side) string { return since(t0, s.obs.nodedown) + frozenNote(f, j, tHeal, s.obs.nodedown) })
		row("link", func(s side) string { return s.obs.link.Detail + " " + since(t0, s.obs.link) })
		row("monitor", func(s side) string { return s.obs.monitor.Detail + " " + since(t0, s.obs.monitor) })
		row("pending call", func(s side) string { return s.obs.call.Detail + " " + since(t0, s.obs.call) })
	}
	if f.frozen == "" {
		tb.add("new call during fault, B->A", during[0], during[1])
	}
	tb.add("reconnect after heal", reconnect[0], reconnect[1])
	for i := range sides {
		for j := range sides[i] {
			checkSide(t, f, sides[i][j], frozenSide(f, j), t0, tHeal)
		}
	}

	if f.frozen == "" {
		checkGlobal(t, c, tb, global)
	}
	for _, p := range c.pairs {
		both := nodeList(p.a.name, p.b.name)
		waitAnswer(t, p.a, both, "pgnodes", group)
		waitAnswer(t, p.b, both, "pgnodes", group)
	}
	if f.frozen == "" {
		tb.add("pg members during fault", "own node only", "own node only")
	}
	tb.add("pg members after heal", "both nodes again", "both nodes again")
}

// callDuringFault: a new call from B to A while the link is broken must
// fail (BEAM: exit {nodedown, Node}; Go: ErrNoConnection) in bounded time,
// both pairs at once. It returns the outcome and time per pair.
func (c *cluster) callDuringFault(t *testing.T) [2]string {
	t.Helper()
	var out [2]string
	var errs [2]error
	var wg sync.WaitGroup
	for i, p := range c.pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			r, err := p.b.try(40*time.Second, "call", p.a.name)
			took := time.Since(start)
			want := "{error,noconnection}"
			if p.b.kind == "BEAM" {
				want = "{error,{exit,{{nodedown," + atom(p.a.name) + "},"
			}
			switch {
			case err != nil:
				errs[i] = err
			case !strings.HasPrefix(r, want):
				errs[i] = fmt.Errorf("%s: a call from %s (%s) during the fault answered %s, want %s...", p.label, p.b.name, p.b.kind, r, want)
			case took > setupTime+slack:
				// OTP gives a connection attempt net_setuptime (7 s);
				// erlgo's dist.DefaultSetupTimeout is the same.
				errs[i] = fmt.Errorf("%s: a call from %s (%s) during the fault failed after %v, want at most net_setuptime %v (+%v)", p.label, p.b.name, p.b.kind, took, setupTime, slack)
			}
			reason := "noconnection"
			if p.b.kind == "BEAM" {
				reason = "{nodedown,..}"
			}
			out[i] = fmt.Sprintf("%s: %s after %.1fs", p.b.kind, reason, took.Seconds())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	return out
}

func frozenSide(f fault, j int) bool {
	return (f.frozen == "A" && j == 0) || (f.frozen == "B" && j == 1)
}

func frozenNote(f fault, j int, tHeal time.Time, e event) string {
	if !frozenSide(f, j) || e.At.IsZero() {
		return ""
	}
	return fmt.Sprintf(" (frozen; %.2fs after SIGCONT)", max(0, e.At.Sub(tHeal).Seconds())) // ms clocks: -0.00 is 0
}

// checkSide asserts OTP's semantics for one observer: every signal
// arrived with reason noconnection (a BEAM caller exits {nodedown, Peer},
// a Go caller gets ErrNoConnection), nodedown within the detection window.
func checkSide(t *testing.T, f fault, s side, frozen bool, t0, tHeal time.Time) {
	t.Helper()
	who := fmt.Sprintf("%s (%s) watching %s (%s)", s.n.name, s.n.kind, s.peer.name, s.peer.kind)
	if len(s.obs.missing) > 0 {
		t.Errorf("%s: no %v after %q\noutput:\n%s", who, s.obs.missing, f.name, s.n.out())
		return
	}
	if s.obs.link.Detail != "noconnection" {
		t.Errorf("%s: link exit reason %s, want noconnection", who, s.obs.link.Detail)
	}
	if s.obs.monitor.Detail != "noconnection" {
		t.Errorf("%s: DOWN reason %s, want noconnection", who, s.obs.monitor.Detail)
	}
	wantCall := "noconnection" // ErrNoConnection
	if s.n.kind == "BEAM" {
		wantCall = "{nodedown," + atom(s.peer.name) + "}"
	}
	if s.obs.call.Detail != wantCall {
		t.Errorf("%s: pending call ended with %s, want %s", who, s.obs.call.Detail, wantCall)
	}
	// OTP declares a silent peer dead 0.75..1.25 x net_ticktime after the
	// last thing it received, and the peer had sent something at most a
	// quarter ticktime before the fault.
	d := s.obs.nodedown.At.Sub(t0)
	lo, hi := tick/2-100*time.Millisecond, tick*5/4+slack
	switch {
	case frozen:
		// It was stopped while the other side gave up; it finds the
		// connection gone once it runs again.
		d = s.obs.nodedown.At.Sub(tHeal)
		lo = -100 * time.Millisecond
	case f.lateB && isB(s):
		hi += tick
	}
	if d < lo || d > hi {
		t.Errorf("%s: nodedown after %v, want %v..%v", who, d, lo, hi)
	}
}

// isB: the observer is on side B (its node name ends in the B address).
func isB(s side) bool { return strings.HasSuffix(s.n.name, ".2") }

// checkGlobal: after healing, global resolved the name registered on both
// sides as OTP's default resolver does: every node agrees, the pid on the
// smaller node name won and the other was killed.
func checkGlobal(t *testing.T, c *cluster, tb *table, name string) {
	t.Helper()
	var res [2]string
	for i, p := range c.pairs {
		p.a.expect("ok", "gsync")
		p.b.expect("ok", "gsync")
		winner, loser := p.a, p.b
		if p.b.name < p.a.name {
			winner, loser = p.b, p.a
		}
		want := atom(winner.name)
		for _, n := range []*peer{p.a, p.b} {
			waitAnswer(t, n, want, "gwhere", name)
		}
		e, ok := loser.waitEvent("gdown", name, time.Time{}, 10*time.Second)
		switch {
		case !ok:
			t.Errorf("%s: the losing registration on %s (%s) is still alive", p.label, loser.name, loser.kind)
		case e.Detail != "killed":
			t.Errorf("%s: the loser on %s exited %s, want killed", p.label, loser.name, e.Detail)
		}
		if _, ok := winner.waitEvent("gdown", name, time.Time{}, 0); ok {
			t.Errorf("%s: the winner on %s (%s) died too", p.label, winner.name, winner.kind)
		}
		res[i] = fmt.Sprintf("%s's pid kept, %s's %s", winner.kind+"@"+sideOf(winner), loser.kind+"@"+sideOf(loser), e.Detail)
	}
	tb.add("global clash after heal", res[0], res[1])
}

func sideOf(p *peer) string {
	if strings.HasSuffix(p.name, ".2") {
		return "B"
	}
	return "A"
}

// waitAnswer repeats a command until it answers want (state that settles
// asynchronously: pg, global), failing after 15 s.
func waitAnswer(t *testing.T, p *peer, want string, words ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = p.do(20*time.Second, words...); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling for a state to settle
	}
	t.Fatalf("%s (%s) %v: %s, want %s\noutput:\n%s", p.name, p.kind, words, got, want, p.out())
}

// atom quotes a node name as ~w prints it.
func atom(s string) string { return "'" + s + "'" }

// nodeList is how ptest/the agent print a sorted node list.
func nodeList(names ...string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = atom(n)
	}
	slices.Sort(q)
	return "[" + strings.Join(q, ",") + "]"
}
