package node

import (
	"context"
	"encoding/binary"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/erlgo/erlgo/dist"
	"github.com/erlgo/erlgo/etf"
)

// FuzzControlDispatch sends sequences of distribution signals, built from
// the fuzz bytes, from a raw peer over a live connection to a node, so
// that they take the real path (encode, frame, decode, the reader's
// sender checks, the node's remote handler): every control message the
// handler dispatches (LINK, EXIT,
// EXIT2, UNLINK(_ID), MONITOR_P, DEMONITOR_P, MONITOR_P_EXIT, SEND,
// REG_SEND, ALIAS_SEND, GROUP_LEADER, SPAWN_REQUEST, ALTACT_SIG_SEND), in
// any order, from any sender (the peer, a forged local pid, a third
// node), to live, dead and unknown targets. After each input the target
// processes are killed, and the node must be back where it started: no
// panic, no process left behind, the peer's link and monitor books empty
// (they are what a hostile peer could otherwise grow without bound), and
// the goroutine count back to its baseline.
func FuzzControlDispatch(f *testing.F) {
	// Bytes: op, then its operands (see fuzzGen.message); pid byte b%5:
	// 0 the peer's, 1-2 a local target (b>>3 picks which), 3 a dead local
	// pid, 4 a third node's.
	for _, seed := range [][]byte{
		{0, 0, 1},                               // LINK peer -> target, then the target dies
		{0, 0, 1, 1, 0, 1, 12},                  // LINK, then EXIT kill from the peer
		{0, 9, 1, 2, 1, 9, 12},                  // forged: a third node links, a local kills a local
		{5, 0, 1, 1, 0, 5, 0, 24, 2},            // MONITOR_P by pid and by name (fz_reg)
		{5, 0, 1, 1, 0, 6, 0, 1, 1, 0},          // MONITOR_P then DEMONITOR_P
		{7, 1, 1, 2, 0, 7, 0, 2, 4, 1},          // MONITOR_P_EXIT to local pids
		{8, 0, 1, 3, 0, 1, 2, 0},                // SEND a '$gen_call' to a target
		{9, 0, 6, 1, 10, 0, 3, 1},               // REG_SEND fz_reg, ALIAS_SEND
		{11, 0, 1, 11, 9, 2},                    // GROUP_LEADER from the peer and a third node
		{12, 2, 0, 1, 64, 1, 12, 0, 0, 0, 8, 0}, // SPAWN_REQUEST of erpc / normal
		{13, 16, 0, 1, 12, 13, 8, 0, 6, 1},      // ALTACT exit kill, send by name
		{0, 0, 1, 14, 5, 0, 1, 15, 1, 0, 1},     // LINK, UNLINK_ID, UNLINK
		{15, 0, 7, 1, 0},                        // UNLINK_ID_ACK for no link
	} {
		f.Add(seed)
	}
	h := newFuzzPeer(f)
	base := runtime.NumGoroutine()
	f.Fuzz(func(t *testing.T, data []byte) {
		c := h.conn(t)
		targets := h.spawnTargets(t)
		g := fuzzGen{data: data, h: h, targets: targets}
		for i := 0; i < 64 && !g.done(); i++ {
			m := g.message()
			var err error
			if m.Payload != nil {
				err = c.Send(m.Control, m.Payload)
			} else {
				err = c.SendControl(m.Control)
			}
			if err != nil && c.Err() != nil {
				break // closed: a rejected a forged signal, as ERTS does
			}
		}
		h.barrier(t, c)
		h.settle(t, targets, base)
	})
}

// barrier waits until a has dispatched everything c sent (a REG_SEND
// behind them reaches fz_barrier), or has closed c.
func (h *fuzzPeer) barrier(t *testing.T, c *dist.Conn) {
	h.seq++
	if err := c.Send(dist.RegSend{From: etf.PID{Node: h.peer, ID: 1, Creation: 5}, To: "fz_barrier"}, h.seq); err != nil {
		return
	}
	timeout := time.NewTimer(waitFor)
	defer timeout.Stop()
	for {
		select {
		case got := <-h.marks:
			if got == h.seq {
				return
			}
		case <-c.Done():
			return
		case <-timeout.C:
			t.Fatal("the node did not dispatch the signals")
		}
	}
}

// fuzzPeer is node a with a raw distribution peer b connected to it.
type fuzzPeer struct {
	a     *Node
	b     *dist.Manager
	cb    *dist.Conn // b's end
	peer  etf.Atom
	seq   int
	marks chan etf.Term
}

type nopHandler struct{}

func (nopHandler) HandleConnUp(*dist.Conn)                {}
func (nopHandler) HandleMessage(*dist.Conn, dist.Message) {}
func (nopHandler) HandleConnDown(*dist.Conn, error)       {}

func newFuzzPeer(f *testing.F) *fuzzPeer { return newFuzzPeerWith(f, nopHandler{}) }

// newFuzzPeerWith is newFuzzPeer whose raw peer hands what it receives to
// h (a fuzz target that answers the node's requests).
func newFuzzPeerWith(f *testing.F, h dist.Handler) *fuzzPeer {
	const cookie = "fuzzcookie"
	a, err := Start(context.Background(), "fza@127.0.0.1", WithCookie(cookie), WithoutEPMD(),
		WithListenAddr("127.0.0.1:0"), WithLogger(quietLogger()))
	if err != nil {
		f.Fatal(err)
	}
	b, err := dist.NewManager(dist.Config{Name: "fzb@127.0.0.1", Creation: 5, Cookie: cookie,
		Logger: quietLogger()}, h)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		_ = b.Close()
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = a.Stop(ctx)
	})
	fp := &fuzzPeer{a: a, b: b, peer: "fzb@127.0.0.1", marks: make(chan etf.Term, 16)}
	_, err = a.Spawn(BehaviorFunc(func(_ *Process, m etf.Term) error { fp.marks <- m; return nil }), WithName("fz_barrier"))
	if err != nil {
		f.Fatal(err)
	}
	return fp
}

// conn returns the peer's live connection to a, connecting (again) when
// the previous input made a close it.
func (h *fuzzPeer) conn(t *testing.T) *dist.Conn {
	if h.cb != nil && h.cb.Err() == nil {
		return h.cb
	}
	nc, err := net.Dial("tcp", h.a.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cb, err := h.b.ConnectConn(ctx, nc, h.a.Name())
	if err != nil {
		t.Fatal(err)
	}
	// The dialling side returns first; wait for a to book the connection.
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if c := h.a.remote.liveConn(h.peer); c != nil && c.Err() == nil {
			h.cb = cb
			return cb
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("a did not book the connection")
	return nil
}

// spawnTargets starts the local processes the signals aim at: a plain
// one, a trapping one and a registered one.
func (h *fuzzPeer) spawnTargets(t *testing.T) []etf.PID {
	sink := func() Behavior { return BehaviorFunc(func(*Process, etf.Term) error { return nil }) }
	var pids []etf.PID
	for i, opts := range [][]SpawnOption{nil, {WithTrapExit()}, {WithName("fz_reg")}} {
		pid, err := h.a.Spawn(sink(), opts...)
		if err != nil {
			t.Fatalf("target %d: %v", i, err)
		}
		pids = append(pids, pid)
	}
	return pids
}

// settle kills the targets and waits (bounded) for the node to be back at
// its baseline.
func (h *fuzzPeer) settle(t *testing.T, targets []etf.PID, baseG int) {
	for _, pid := range targets {
		_ = h.a.Exit(pid, Kill)
	}
	var why string
	deadline := time.Now().Add(5 * time.Second)
	for {
		why = h.dirty(baseG)
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node did not settle: %s", why)
		}
		time.Sleep(time.Millisecond)
	}
}

func (h *fuzzPeer) dirty(baseG int) string {
	if n := h.a.ProcessCount(); n != 1 { // fz_barrier
		return "processes left: " + itoa(n)
	}
	r := h.a.remote
	r.mu.Lock()
	p := r.peers[h.peer]
	var l, m, w int
	if p != nil {
		l, m, w = len(p.links), len(p.monitors), len(p.watchers)
	}
	r.mu.Unlock()
	if l+m+w != 0 {
		return "peer books not empty: links " + itoa(l) + " monitors " + itoa(m) + " watchers " + itoa(w)
	}
	// Connection goroutines (reader, writer, ticker) of a reconnect may
	// come and go; a leak grows without bound, so a generous slack is
	// enough to catch one over a fuzzing run.
	if g := runtime.NumGoroutine(); g > baseG+16 {
		return "goroutines: " + itoa(g) + " baseline " + itoa(baseG)
	}
	return ""
}

// fuzzGen turns fuzz bytes into control messages.
type fuzzGen struct {
	data    []byte
	h       *fuzzPeer
	targets []etf.PID
}

func (g *fuzzGen) done() bool { return len(g.data) == 0 }

func (g *fuzzGen) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

// pid picks a sender or target: the peer's, a local target, a dead local
// pid, a third node's.
func (g *fuzzGen) pid() etf.PID {
	b := g.byte()
	switch b % 5 {
	case 0:
		return etf.PID{Node: g.h.peer, ID: uint32(b>>3) + 1, Creation: 5}
	case 1, 2:
		return g.targets[int(b>>3)%len(g.targets)]
	case 3:
		return etf.PID{Node: g.h.a.Name(), ID: 1<<20 + uint32(b), Creation: g.h.a.Creation()}
	default:
		return etf.PID{Node: "third@127.0.0.1", ID: uint32(b), Creation: 9}
	}
}

func (g *fuzzGen) ref() etf.Ref {
	b := g.byte()
	node, cr := g.h.peer, uint32(5)
	if b&1 == 1 {
		node, cr = g.h.a.Name(), g.h.a.Creation()
	}
	return etf.Ref{Node: node, Creation: cr, Len: 3, ID: [5]uint32{uint32(b >> 1), 0, 7}}
}

var fuzzAtoms = []etf.Atom{"normal", "kill", "killed", "shutdown", "noproc", "noconnection", "fz_reg", "nobody", "erpc"}

func (g *fuzzGen) term() etf.Term {
	b := g.byte()
	switch b % 6 {
	case 0:
		return fuzzAtoms[int(b>>3)%len(fuzzAtoms)]
	case 1:
		return int(b)
	case 2:
		return g.pid()
	case 3:
		return etf.Tuple{etf.Atom("$gen_call"), etf.Tuple{g.pid(), g.ref()}, g.term()}
	case 4:
		return etf.List{g.term(), g.term()}
	default:
		if len(g.data) >= 2 {
			n := int(binary.BigEndian.Uint16(g.data)) % 64
			g.data = g.data[2:]
			if n > len(g.data) {
				n = len(g.data)
			}
			if t, err := etf.Decode(g.data[:n]); err == nil {
				g.data = g.data[n:]
				return t
			}
		}
		return etf.Binary{b}
	}
}

func (g *fuzzGen) to() etf.Term {
	if b := g.byte(); b%3 == 0 {
		return fuzzAtoms[int(b>>2)%len(fuzzAtoms)]
	}
	return g.pid()
}

func (g *fuzzGen) message() dist.Message {
	var ctl dist.Control
	var payload etf.Term
	switch g.byte() % 16 {
	case 0:
		ctl = dist.Link{From: g.pid(), To: g.pid()}
	case 1:
		ctl = dist.Exit{From: g.pid(), To: g.pid(), Reason: g.term()}
	case 2:
		ctl = dist.Exit2{From: g.pid(), To: g.pid(), Reason: g.term()}
	case 3:
		ctl = dist.Link{From: g.pid(), To: g.pid()}
	case 4:
		ctl = dist.Exit2{From: g.pid(), To: g.pid(), Reason: fuzzAtoms[1]}
	case 5:
		ctl = dist.MonitorP{From: g.pid(), To: g.to(), Ref: g.ref()}
	case 6:
		ctl = dist.DemonitorP{From: g.pid(), To: g.to(), Ref: g.ref()}
	case 7:
		ctl = dist.MonitorPExit{From: g.to(), To: g.pid(), Ref: g.ref(), Reason: g.term()}
	case 8:
		ctl, payload = dist.Send{From: g.pid(), To: g.pid()}, g.term()
	case 9:
		ctl, payload = dist.RegSend{From: g.pid(), To: fuzzAtoms[int(g.byte())%len(fuzzAtoms)]}, g.term()
	case 10:
		ctl, payload = dist.AliasSend{From: g.pid(), Alias: g.ref()}, g.term()
	case 11:
		ctl = dist.GroupLeader{From: g.pid(), To: g.pid()}
	case 12:
		ctl = dist.SpawnRequest{ReqID: g.ref(), From: g.pid(), GroupLeader: g.pid(),
			Module: fuzzAtoms[int(g.byte())%len(fuzzAtoms)], Function: "f", Arity: 1}
		payload = etf.List{g.term()}
	case 13:
		flags := dist.AltactFlags(g.byte()) & (dist.AltactPrio | dist.AltactExit | dist.AltactName)
		var to etf.Term = g.pid()
		if flags&dist.AltactName != 0 {
			to = fuzzAtoms[int(g.byte())%len(fuzzAtoms)]
		}
		ctl, payload = dist.AltactSig{Flags: flags, Sender: g.pid(), To: to}, g.term()
	case 14:
		ctl = dist.UnlinkID{ID: uint64(g.byte()), From: g.pid(), To: g.pid()}
	default:
		if g.byte()&1 == 0 {
			ctl = dist.UnlinkIDAck{ID: uint64(g.byte()), From: g.pid(), To: g.pid()}
		} else {
			ctl = dist.Unlink{From: g.pid(), To: g.pid()}
		}
	}
	return dist.Message{Control: ctl, Payload: payload}
}
