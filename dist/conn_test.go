package dist

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allControls is one value of every control message, each a valid signal
// from a@127.0.0.1 to b@127.0.0.1 (see checkSignal), with the payload it
// travels with (nil for none) and what the receiver gets when the wire
// variant loses information (SEND without SEND_SENDER drops From).
func allControls() []struct {
	name    string
	ctl     Control
	payload etf.Term
} {
	p1, p2 := pid("a@127.0.0.1", 1), pid("b@127.0.0.1", 2)
	r := ref("a@127.0.0.1", 9)
	rb := ref("b@127.0.0.1", 9) // a reference of the receiver
	tok := etf.Tuple{0, etf.Atom("label"), 1, p1, 0}
	reason := etf.Tuple{etf.Atom("shutdown"), etf.Binary("bye")}
	return []struct {
		name    string
		ctl     Control
		payload etf.Term
	}{
		{"LINK", Link{From: p1, To: p2}, nil},
		{"SEND", Send{To: p2}, etf.Atom("hi")},
		{"SEND_TT", Send{To: p2, Token: tok}, 1},
		{"SEND_SENDER", Send{From: p1, To: p2}, etf.List{1, 2}},
		{"SEND_SENDER_TT", Send{From: p1, To: p2, Token: tok}, 3},
		{"EXIT", Exit{From: p1, To: p2, Reason: reason}, nil},
		{"EXIT_TT", Exit{From: p1, To: p2, Reason: reason, Token: tok}, nil},
		{"UNLINK", Unlink{From: p1, To: p2}, nil},
		{"NODE_LINK", NodeLink{}, nil},
		{"REG_SEND", RegSend{From: p1, To: "net_kernel"}, etf.Tuple{etf.Atom("$gen_call"), 1}},
		{"REG_SEND_TT", RegSend{From: p1, To: "x", Token: tok}, 1},
		{"GROUP_LEADER", GroupLeader{From: p1, To: p2}, nil},
		{"EXIT2", Exit2{From: p1, To: p2, Reason: etf.Atom("kill")}, nil},
		{"EXIT2_TT", Exit2{From: p1, To: p2, Reason: etf.Atom("kill"), Token: tok}, nil},
		{"MONITOR_P pid", MonitorP{From: p1, To: p2, Ref: r}, nil},
		{"MONITOR_P name", MonitorP{From: p1, To: etf.Atom("rex"), Ref: r}, nil},
		{"DEMONITOR_P", DemonitorP{From: p1, To: p2, Ref: r}, nil},
		{"MONITOR_P_EXIT", MonitorPExit{From: p1, To: p2, Ref: rb, Reason: etf.Atom("noproc")}, nil},
		{"MONITOR_P_EXIT name", MonitorPExit{From: etf.Atom("rex"), To: p2, Ref: rb, Reason: reason}, nil},
		{"SPAWN_REQUEST", SpawnRequest{ReqID: r, From: p1, GroupLeader: p1, Module: "erpc", Function: "execute_call", Arity: 4,
			Opts: etf.List{etf.Tuple{etf.Atom("reply"), etf.Atom("error_only")}, etf.Atom("monitor")}}, etf.List{r, etf.Atom("m"), etf.Atom("f"), nil}},
		{"SPAWN_REQUEST_TT", SpawnRequest{ReqID: r, From: p1, GroupLeader: p2, Module: "m", Function: "f", Token: tok}, nil},
		{"SPAWN_REPLY", SpawnReply{ReqID: rb, To: p2, Flags: SpawnReplyMonitor, Result: p1}, nil},
		{"SPAWN_REPLY_TT", SpawnReply{ReqID: rb, To: p2, Flags: 3, Result: etf.Atom("badarg"), Token: tok}, nil},
		{"ALIAS_SEND", AliasSend{From: p1, Alias: r}, etf.Tuple{etf.List{etf.Atom("alias")}, 1}},
		{"ALIAS_SEND_TT", AliasSend{From: p1, Alias: r, Token: tok}, 1},
		{"UNLINK_ID", UnlinkID{ID: 1<<40 + 5, From: p1, To: p2}, nil},
		{"UNLINK_ID small", UnlinkID{ID: 7, From: p1, To: p2}, nil},
		{"UNLINK_ID_ACK", UnlinkIDAck{ID: 1<<63 + 1, From: p1, To: p2}, nil},
		{"ALTACT_SIG prio", AltactSig{Flags: AltactPrio, Sender: p1, To: p2}, etf.Atom("urgent")},
		{"ALTACT_SIG name tok", AltactSig{Flags: AltactName | AltactPrio, Sender: p1, To: etf.Atom("srv"), Token: tok}, 1},
		{"ALTACT_SIG exit alias", AltactSig{Flags: AltactExit | AltactAlias | AltactPrio, Sender: p1, To: r}, etf.Atom("reason")},
	}
}

// expectReceived returns what a peer with negotiated flags f receives for
// ctl.
func expectReceived(ctl Control, f Flags) Control {
	if s, ok := ctl.(Send); ok && f&FlagSendSender == 0 {
		s.From = etf.PID{}
		return s
	}
	if a, ok := ctl.(AltactSig); ok && a.Token != nil {
		a.Flags |= AltactToken
		return a
	}
	return ctl
}

func framingConfigs() map[string]Flags {
	return map[string]Flags{
		"atom cache + fragments": DefaultFlags,
		"header without cache":   DefaultFlags &^ FlagDistHdrAtomCache,
		"pass-through":           DefaultFlags &^ (FlagDistHdrAtomCache | FlagFragments),
		"old variants":           DefaultFlags &^ (FlagExitPayload | FlagSendSender | FlagAltactSig),
	}
}

func TestControlRoundTripAllFramings(t *testing.T) {
	for fname, flags := range framingConfigs() {
		t.Run(fname, func(t *testing.T) {
			n := newMemNet()
			rb := newRecorder()
			a := n.node(t, Config{Name: "a@127.0.0.1", Flags: flags}, newRecorder())
			n.node(t, Config{Name: "b@127.0.0.1"}, rb)
			c, err := a.Connect(ctxT(t), "b@127.0.0.1")
			require.NoError(t, err)
			for _, tc := range allControls() {
				err := c.Send(tc.ctl, tc.payload)
				needsAltact := false
				if as, ok := tc.ctl.(AltactSig); ok {
					needsAltact = as.Flags != 0
				}
				if needsAltact && flags&FlagAltactSig == 0 {
					require.ErrorIs(t, err, ErrUnsupportedOp, tc.name)
					continue
				}
				require.NoError(t, err, tc.name)
				m := rb.waitMsg(t)
				assert.Equal(t, expectReceived(tc.ctl, c.Flags()), m.Control, tc.name)
				if !etf.Equal(tc.payload, m.Payload) && !(tc.payload == nil && m.Payload == nil) {
					t.Errorf("%s: payload %#v, want %#v", tc.name, m.Payload, tc.payload)
				}
			}
		})
	}
}

// newEncConn returns a Conn usable only for encoding (appendMessage).
func newEncConn(t testing.TB, flags Flags, fragSize int) *Conn {
	cfg, err := Config{Name: "a@127.0.0.1", Cookie: "c", FragmentSize: fragSize}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c := &Conn{cfg: &cfg, flags: flags}
	c.initEncoder()
	return c
}

// packets splits framed bytes into packets.
func packets(t testing.TB, b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatal("truncated frame")
		}
		n := int(binary.BigEndian.Uint32(b))
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out
}

func TestAtomCacheEncoding(t *testing.T) {
	c := newEncConn(t, DefaultFlags, 0)
	msg := etf.Tuple{etf.Atom("hello"), etf.Atom("world"), etf.Atom("hello")}
	ctl := RegSend{From: pid("a@127.0.0.1", 1), To: "some_server"}
	require.NoError(t, c.appendMessage(ctl, msg, true))
	first := len(c.wbuf)
	require.NoError(t, c.appendMessage(ctl, msg, true))
	ps := packets(t, c.wbuf)
	require.Len(t, ps, 2)
	// The second message references the same atoms without their text.
	assert.True(t, len(c.wbuf)-first < first, "second frame must be shorter (cached refs)")
	assert.False(t, bytes.Contains(ps[1], []byte("some_server")))
	assert.True(t, bytes.Contains(ps[0], []byte("some_server")))
	// 4 distinct atoms: node, '', some_server, hello, world = 5 refs
	assert.Equal(t, byte(5), ps[0][2])
	assert.Equal(t, byte(5), ps[1][2])
	d := newPacketDecoder(1 << 20)
	for _, p := range ps {
		m, ok, err := d.decode(p)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, Control(ctl), m.Control)
		assert.True(t, etf.Equal(msg, m.Payload))
	}
}

func TestAtomCacheEvictionAndLimit(t *testing.T) {
	// Many distinct atoms: more than 255 per message and more than the
	// cache's 2048 slots over time; everything must still decode.
	c := newEncConn(t, DefaultFlags, 0)
	d := newPacketDecoder(1 << 20)
	for round := 0; round < 12; round++ {
		c.wbuf = c.wbuf[:0]
		var l etf.List
		for i := 0; i < 400; i++ {
			l = append(l, etf.Atom("atom_"+itoa(round*400+i%(300+round))))
		}
		require.NoError(t, c.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, l, true))
		for _, p := range packets(t, c.wbuf) {
			m, ok, err := d.decode(p)
			require.NoError(t, err)
			require.True(t, ok)
			require.True(t, etf.Equal(l, m.Payload))
		}
	}
}

func TestFragmentsEncodeDecode(t *testing.T) {
	c := newEncConn(t, DefaultFlags, 1024)
	big := bytes.Repeat([]byte("0123456789"), 1000) // 10000 bytes
	ctl := Send{To: pid("b@127.0.0.1", 1)}
	require.NoError(t, c.appendMessage(ctl, big, true))
	ps := packets(t, c.wbuf)
	require.True(t, len(ps) >= 10)
	assert.Equal(t, byte(hdrFragment), ps[0][1])
	for _, p := range ps[1:] {
		assert.Equal(t, byte(hdrFragmentCnt), p[1])
		assert.True(t, len(p) <= 1024+18)
	}
	assert.Equal(t, uint64(len(ps)), binary.BigEndian.Uint64(ps[0][10:]))
	assert.Equal(t, uint64(1), binary.BigEndian.Uint64(ps[len(ps)-1][10:]))
	d := newPacketDecoder(1 << 20)
	for i, p := range ps {
		m, ok, err := d.decode(p)
		require.NoError(t, err)
		assert.Equal(t, i == len(ps)-1, ok)
		if ok {
			assert.True(t, etf.Equal(big, m.Payload))
		}
	}
}

// TestFragmentsInterleaved feeds two fragmented messages whose fragments
// interleave (as from two sending processes) plus an ordinary message in
// between that uses atoms the first fragment cached.
func TestFragmentsInterleaved(t *testing.T) {
	enc := newEncConn(t, DefaultFlags, 1024)
	msgA := etf.Tuple{etf.Atom("first_atom"), bytes.Repeat([]byte{'a'}, 5000)}
	msgB := etf.Tuple{etf.Atom("second_atom"), bytes.Repeat([]byte{'b'}, 3000)}
	require.NoError(t, enc.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, msgA, true))
	pa := packets(t, enc.wbuf)
	enc.wbuf = nil
	require.NoError(t, enc.appendMessage(Send{To: pid("b@127.0.0.1", 2)}, msgB, true))
	pb := packets(t, enc.wbuf)
	enc.wbuf = nil
	require.NoError(t, enc.appendMessage(Send{To: pid("b@127.0.0.1", 3)}, etf.Atom("first_atom"), true))
	pc := packets(t, enc.wbuf)
	// order: A1 B1 C A2 B2 A3 B3 ...
	var order [][]byte
	order = append(order, pa[0], pb[0], pc[0])
	for i := 1; i < max(len(pa), len(pb)); i++ {
		if i < len(pa) {
			order = append(order, pa[i])
		}
		if i < len(pb) {
			order = append(order, pb[i])
		}
	}
	d := newPacketDecoder(1 << 20)
	var got []Message
	for _, p := range order {
		m, ok, err := d.decode(p)
		require.NoError(t, err)
		if ok {
			got = append(got, m)
		}
	}
	require.Len(t, got, 3)
	assert.True(t, etf.Equal(etf.Atom("first_atom"), got[0].Payload))
	assert.True(t, etf.Equal(msgB, got[1].Payload))
	assert.True(t, etf.Equal(msgA, got[2].Payload))
	assert.Equal(t, 0, d.frags.held)
}

func TestFragmentsMemoryCap(t *testing.T) {
	enc := newEncConn(t, DefaultFlags, 1024)
	require.NoError(t, enc.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, make([]byte, 10000), true))
	d := newPacketDecoder(4096)
	var err error
	for _, p := range packets(t, enc.wbuf) {
		if _, _, err = d.decode(p); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, ErrReassemblyLimit)
	require.ErrorIs(t, err, ErrMalformed)
}

// rawPeer completes a handshake with m as node name over a pipe and returns
// our end, ready for framed traffic.
func rawPeer(t *testing.T, m *Manager, name string, flags Flags) net.Conn {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close() })
	go func() { _, _ = m.ServeConn(b) }()
	cfg := testCfg(name)
	if flags != 0 {
		cfg.Flags = flags
	}
	o := wait(t, goClient(a, cfg, m.Name(), clientOptions{}))
	require.NoError(t, o.err)
	return a
}

func TestMalformedPacketClosesOnlyThatConnection(t *testing.T) {
	n := newMemNet()
	lc := &logCapture{}
	rb := newRecorder()
	b := n.node(t, Config{Name: "b@127.0.0.1", Logger: lc.logger()}, rb)
	good := n.node(t, Config{Name: "good@127.0.0.1"}, newRecorder())
	gc, err := good.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	rb.waitUp(t)

	cases := map[string][]byte{
		"garbage":             {0, 0, 0, 3, 1, 2, 3},
		"bad control":         append([]byte{0, 0, 0, 6, 'p', 131}, 97, 1, 97, 2),
		"unknown op":          {0, 0, 0, 8, 'p', 131, 104, 1, 97, 99, 0, 0},
		"bad cache ref":       {0, 0, 0, 7, 131, 68, 1, 0, 5, 82, 0},
		"continuation orphan": append([]byte{0, 0, 0, 19, 131, 70}, make([]byte, 17)...),
	}
	for name, pkt := range cases {
		t.Run(name, func(t *testing.T) {
			raw := rawPeer(t, b, "evil@127.0.0.1", 0)
			rb.waitUp(t)
			go func() { _, _ = io.Copy(io.Discard, raw) }()
			_, err := raw.Write(pkt)
			require.NoError(t, err)
			require.ErrorIs(t, rb.waitDown(t), ErrMalformed)
			assert.Contains(t, lc.text(), "malformed distribution packet")
		})
	}
	// The good connection is untouched.
	require.NoError(t, gc.Send(Send{To: pid("b@127.0.0.1", 1)}, 1))
	rb.waitMsg(t)
}

// TestTicksKeepIdleConnectionUp idles a connection for 2 tick times: no
// down on either side meanwhile, and ticks observed flowing both ways
// (see idleStaysUp for the margins), then it still carries a message.
func TestTicksKeepIdleConnectionUp(t *testing.T) {
	n := newMemNet()
	ra, rb := newRecorder(), newRecorder()
	// A tick time short enough to pass quickly, long enough that a
	// goroutine stalled 2 s on a loaded machine still ticks in time
	// (a peer is dropped after 4 silent intervals of tick/4); the other
	// margins are in idleStaysUp, not in a tight sleep.
	const tick = 3 * time.Second
	a := n.node(t, Config{Name: "a@127.0.0.1", TickTime: tick}, ra)
	n.node(t, Config{Name: "b@127.0.0.1", TickTime: tick}, rb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	bc := rb.waitUp(t)
	idleStaysUp(t, tick, 2, c, bc)
	assert.Len(t, ra.dnCh, 0)
	assert.Len(t, rb.dnCh, 0)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, 1))
	rb.waitMsg(t)
}

func TestTickTimeout(t *testing.T) {
	n := newMemNet()
	rb := newRecorder()
	b := n.node(t, Config{Name: "b@127.0.0.1", TickTime: 400 * time.Millisecond}, rb)
	raw := rawPeer(t, b, "mute@127.0.0.1", 0)
	rb.waitUp(t)
	// The peer reads (so our writes and ticks don't block) but never
	// writes anything.
	ticks := make(chan int, 1)
	go func() {
		buf := make([]byte, 4)
		k := 0
		for {
			if _, err := io.ReadFull(raw, buf); err != nil {
				ticks <- k
				return
			}
			k++
		}
	}()
	require.ErrorIs(t, rb.waitDown(t), ErrTickTimeout)
	assert.True(t, <-ticks >= 1, "we must have ticked")
}

func TestOrderingAndBackpressure(t *testing.T) {
	n := newMemNet()
	rb := newRecorder()
	var mu sync.Mutex
	last := map[uint32]int{}
	bad := 0
	total := 0
	done := make(chan struct{})
	const senders, perSender = 4, 2000
	rb.onMsg = func(c *Conn, m Message) {
		s := m.Control.(Send)
		v := m.Payload.(int)
		mu.Lock()
		if v != last[s.To.ID]+1 {
			bad++
		}
		last[s.To.ID] = v
		total++
		if total == senders*perSender {
			close(done)
		}
		mu.Unlock()
		if total%500 == 0 {
			time.Sleep(time.Millisecond) // a slow consumer
		}
	}
	a := n.node(t, Config{Name: "a@127.0.0.1", WriteQueue: 512}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1"}, rb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for s := 1; s <= senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= perSender; i++ {
				if err := c.Send(Send{To: pid("b@127.0.0.1", uint32(s))}, i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("messages missing")
	}
	assert.Equal(t, 0, bad)
}

func TestHandlerOrderUpMessagesDown(t *testing.T) {
	n := newMemNet()
	var mu sync.Mutex
	var events []string
	h := &funcHandler{
		up:   func(c *Conn) { mu.Lock(); events = append(events, "up"); mu.Unlock() },
		msg:  func(c *Conn, m Message) { mu.Lock(); events = append(events, "msg"); mu.Unlock() },
		down: func(c *Conn, err error) { mu.Lock(); events = append(events, "down"); mu.Unlock() },
	}
	a := n.node(t, Config{Name: "a@127.0.0.1"}, newRecorder())
	b := n.node(t, Config{Name: "b@127.0.0.1"}, h)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, i))
	}
	bc := func() *Conn {
		for {
			if x, ok := b.Conn("a@127.0.0.1"); ok {
				return x
			}
			time.Sleep(time.Millisecond)
		}
	}()
	require.NoError(t, c.Close())
	<-bc.Done()
	mu.Lock()
	defer mu.Unlock()
	want := []string{"up"}
	for i := 0; i < 10; i++ {
		want = append(want, "msg")
	}
	want = append(want, "down")
	assert.True(t, reflect.DeepEqual(want, events), "events %v", events)
}

type funcHandler struct {
	up   func(*Conn)
	msg  func(*Conn, Message)
	down func(*Conn, error)
}

func (f *funcHandler) HandleConnUp(c *Conn)              { f.up(c) }
func (f *funcHandler) HandleMessage(c *Conn, m Message)  { f.msg(c, m) }
func (f *funcHandler) HandleConnDown(c *Conn, err error) { f.down(c, err) }

// TestAtomCacheRefsAfterFragments: a fragmented message decodes its atom
// cache references with its own first fragment's header, never with the
// boxed atoms of a message that arrived between its fragments
// (inCache.setRefs), and the messages around it decode their own.
func TestAtomCacheRefsAfterFragments(t *testing.T) {
	c := newEncConn(t, DefaultFlags, 1024)
	small := etf.Tuple{etf.Atom("first"), etf.Atom("second")}
	big := etf.Tuple{etf.Atom("third"), bytes.Repeat([]byte("x"), 5000), etf.Atom("fourth"), etf.Atom("first")}
	ctl := Send{To: pid("b@127.0.0.1", 1)}
	require.NoError(t, c.appendMessage(ctl, small, true))
	require.NoError(t, c.appendMessage(ctl, big, true))
	require.NoError(t, c.appendMessage(ctl, small, true))
	ps := packets(t, c.wbuf)
	require.Greater(t, len(ps), 4, "the big message must travel in fragments")
	// A peer may send other messages between a message's fragments: move
	// the last small one (cache hits only) after the big one's first.
	last := ps[len(ps)-1]
	copy(ps[3:], ps[2:len(ps)-1])
	ps[2] = last
	d := newPacketDecoder(1 << 20)
	var got []etf.Term
	for _, p := range ps {
		m, ok, err := d.decode(p)
		require.NoError(t, err)
		if ok {
			got = append(got, m.Payload)
		}
	}
	require.Len(t, got, 3)
	for i, want := range []etf.Term{small, small, big} { // completion order
		assert.True(t, etf.Equal(want, got[i]), "message %d differs", i)
	}
}
