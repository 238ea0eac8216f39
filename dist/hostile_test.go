package dist

import (
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile peers: fragment floods (defect 4), signals with forged senders
// (defect 5) and terms over the configured limits (the dist half of
// defect 8).

// hostilePeer is a raw peer after the handshake with an encoder whose atom
// cache is in step with the receiver's.
type hostilePeer struct {
	t   *testing.T
	nc  net.Conn
	enc *Conn
}

func newHostilePeer(t *testing.T, m *Manager, name string, flags Flags) *hostilePeer {
	if flags == 0 {
		flags = DefaultFlags
	}
	nc := rawPeer(t, m, name, flags)
	go func() { _, _ = io.Copy(io.Discard, nc) }()
	return &hostilePeer{t: t, nc: nc, enc: newEncConn(t, flags&m.cfg.Flags, 1024)}
}

// frames encodes one message as framed packets.
func (h *hostilePeer) frames(ctl Control, payload etf.Term) []byte {
	h.t.Helper()
	h.enc.wbuf = h.enc.wbuf[:0]
	require.NoError(h.t, h.enc.appendMessage(ctl, payload, true))
	return append([]byte(nil), h.enc.wbuf...)
}

// send writes a message; the error is the transport's (closed after the
// receiver dropped the connection).
func (h *hostilePeer) send(ctl Control, payload etf.Term) error {
	_, err := h.nc.Write(h.frames(ctl, payload))
	return err
}

// noMessage asserts that nothing reached the handler.
func noMessage(t *testing.T, r *recorder) {
	t.Helper()
	select {
	case m := <-r.msgCh:
		t.Fatalf("a message reached the handler: %#v", m.Control)
	default:
	}
}

// floodFirstFragment returns the first fragment of a message carrying 255
// long atoms (the most atom-cache refs one header holds, each with its
// text), with its data cut to a few bytes: a sequence that holds as much
// as possible for what it costs the sender.
func floodFirstFragment(t testing.TB) []byte {
	c := newEncConn(t, DefaultFlags, 1024)
	var l etf.List
	for i := 0; i < 255; i++ {
		l = append(l, etf.Atom(strings.Repeat("x", 200)+itoa(i)))
	}
	require.NoError(t, c.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, etf.Tuple{l, make([]byte, 4096)}, true))
	p := packets(t, c.wbuf)[0]
	require.Equal(t, byte(hdrFragment), p[1])
	// Keep the header and a few bytes of data.
	n, err := (&inCache{}).parseHeader(p[18:])
	require.NoError(t, err)
	return append([]byte(nil), p[:18+n+8]...)
}

// cachedRefFlood returns a packet installing 255 atoms in the receiver's
// cache, then n first fragments whose headers refer to those cached atoms
// (two bytes or so per ref on the wire, a 16-byte string header each when
// kept) with a few bytes of data: the cheapest way to make a receiver hold
// memory, about 10 bytes kept per byte sent before refs were counted.
func cachedRefFlood(t testing.TB, n int) [][]byte {
	c := newEncConn(t, DefaultFlags, 1024)
	var l etf.List
	for i := 0; i < 255; i++ {
		l = append(l, etf.Atom("a"+itoa(i)))
	}
	require.NoError(t, c.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, l, true))
	out := [][]byte{append([]byte(nil), packets(t, c.wbuf)[0]...)}
	c.wbuf = c.wbuf[:0]
	require.NoError(t, c.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, etf.Tuple{l, make([]byte, 2048)}, true))
	p := packets(t, c.wbuf)[0]
	require.Equal(t, byte(hdrFragment), p[1])
	var probe inCache
	_, err := probe.parseHeader(out[0][2:])
	require.NoError(t, err)
	hn, err := probe.parseHeader(p[18:])
	require.NoError(t, err)
	first := p[:18+hn+8]
	for seq := 1; seq <= n; seq++ {
		out = append(out, withSeq(first, uint64(seq)))
	}
	return out
}

func withSeq(p []byte, seq uint64) []byte {
	q := append([]byte(nil), p...)
	binary.BigEndian.PutUint64(q[2:], seq)
	return q
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestFragmentFloodRetainedBounded opens fragment sequences that each keep
// 255 refs of long atoms and almost no data. What the reassembler accounts
// never passes its limit, the retained heap stays within a small multiple
// of it, and the flood ends with ErrReassemblyLimit. (Before, only data
// bytes were counted: the refs were free, so the flood never ended and the
// heap grew with every packet.)
func TestFragmentFloodRetainedBounded(t *testing.T) {
	const limit = 4 << 20
	first := floodFirstFragment(t)
	d := newPacketDecoder(limit)
	d.frags.maxSeqs = 1 << 20 // the memory limit is under test here
	base := heapInUse()
	var peak uint64
	var err error
	var sent int
	for seq := uint64(1); seq <= 5000 && err == nil; seq++ {
		_, _, err = d.decode(withSeq(first, seq))
		sent += len(first)
		require.LessOrEqual(t, d.frags.held, limit)
		if seq%10 == 0 {
			if h := heapInUse(); h > base {
				peak = max(peak, h-base)
			}
		}
	}
	require.ErrorIs(t, err, ErrReassemblyLimit, "after %d bytes of first fragments", sent)
	t.Logf("closed after %d bytes received, %d sequences, peak retained %d KiB (limit %d KiB)",
		sent, len(d.frags.seqs), peak>>10, limit>>10)
	assert.Less(t, peak, uint64(3*limit), "retained heap")
}

// TestCachedRefFloodCounted: first fragments that only refer to cached
// atoms cost a few hundred bytes each on the wire and keep ~4 KiB of refs;
// the flood ends at the limit, having kept no more than it accounts.
func TestCachedRefFloodCounted(t *testing.T) {
	const limit = 1 << 20
	ps := cachedRefFlood(t, 2000)
	d := newPacketDecoder(limit)
	d.frags.maxSeqs = 1 << 20
	var err error
	sent := 0
	base := heapInUse()
	for _, p := range ps {
		sent += len(p)
		if _, _, err = d.decode(p); err != nil {
			break
		}
		require.LessOrEqual(t, d.frags.held, limit)
	}
	grown := int64(heapInUse()) - int64(base)
	runtime.KeepAlive(d)
	runtime.KeepAlive(ps) // part of base
	require.ErrorIs(t, err, ErrReassemblyLimit)
	t.Logf("closed after %d bytes sent in %d sequences; accounted %d, heap grew %d", sent, len(d.frags.seqs), d.frags.held, grown)
	assert.Less(t, sent, limit/4, "refs must be counted, not only data")
	assert.Less(t, grown, int64(limit+limit/2))
}

// TestFragmentSeqCap opens more sequences than Config.MaxFragmentSeqs.
func TestFragmentSeqCap(t *testing.T) {
	first := floodFirstFragment(t)
	d := newPacketDecoder(DefaultMaxReassembly)
	d.frags.maxSeqs = 16
	var err error
	for seq := uint64(1); seq <= 17; seq++ {
		if _, _, err = d.decode(withSeq(first, seq)); err != nil {
			require.Equal(t, uint64(17), seq)
		}
	}
	require.ErrorIs(t, err, ErrReassemblyLimit)
	assert.Contains(t, err.Error(), "fragment sequences open")
}

// TestFragmentBufferCapacityCounted grows one sequence fragment by
// fragment: the accounted bytes follow the buffer's capacity, not the
// bytes received, and the last fragment does not over-allocate.
func TestFragmentBufferCapacityCounted(t *testing.T) {
	enc := newEncConn(t, DefaultFlags, 1024)
	require.NoError(t, enc.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, make([]byte, 100_000), true))
	ps := packets(t, enc.wbuf)
	d := newPacketDecoder(1 << 20)
	for i, p := range ps {
		m, ok, err := d.decode(p)
		require.NoError(t, err)
		if ok {
			assert.Equal(t, i, len(ps)-1)
			assert.Len(t, m.Payload, 100_000)
			break
		}
		for _, s := range d.frags.seqs {
			assert.Equal(t, s.footprint(), s.cost)
			assert.GreaterOrEqual(t, s.cost, cap(s.buf))
			assert.Equal(t, d.frags.held, s.cost)
		}
	}
	assert.Equal(t, 0, d.frags.held)
	assert.Empty(t, d.frags.seqs)
}

// TestFragmentFloodClosesConnection runs the flood against a Manager: the
// connection is closed with a logged reason, other connections live on.
func TestFragmentFloodClosesConnection(t *testing.T) {
	cases := map[string]Config{
		"memory": {MaxReassembly: 2 << 20},
		"seqs":   {MaxFragmentSeqs: 64},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			n := newMemNet()
			lc := &logCapture{}
			rb := newRecorder()
			cfg.Name, cfg.Logger = "b@127.0.0.1", lc.logger()
			b := n.node(t, cfg, rb)
			h := newHostilePeer(t, b, "evil@127.0.0.1", 0)
			rb.waitUp(t)
			first := floodFirstFragment(t)
			for seq := uint64(1); seq < 5000; seq++ {
				if _, err := h.nc.Write(framed(withSeq(first, seq))); err != nil {
					break
				}
			}
			require.ErrorIs(t, rb.waitDown(t), ErrReassemblyLimit)
			assert.Contains(t, lc.text(), "closing connection")
			assert.Contains(t, lc.text(), "limit")
		})
	}
}

func framed(p []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(p))), p...)
}

// forgedCases are signals a peer evil@127.0.0.1 must not send to the node
// b@127.0.0.1: senders of a third node or of b itself, targets that are
// not local.
func forgedCases() map[string]Control { return forgedCasesFor("evil@127.0.0.1", "b@127.0.0.1") }

// forgedCasesFor is forgedCases for a peer and a local node of any name.
func forgedCasesFor(peer, self string) map[string]Control {
	evil, local, third := pid(peer, 1), pid(self, 2), pid("c@127.0.0.1", 3)
	r := ref(peer, 4)
	lr := ref(self, 5)
	tok := etf.Tuple{0, etf.Atom("label"), 1, evil, 0}
	return map[string]Control{
		"LINK third":              Link{From: third, To: local},
		"LINK local":              Link{From: local, To: pid(self, 9)},
		"LINK to third":           Link{From: evil, To: third},
		"EXIT third":              Exit{From: third, To: local, Reason: etf.Atom("kill")},
		"EXIT local":              Exit{From: local, To: local, Reason: etf.Atom("kill")},
		"EXIT2 third":             Exit2{From: third, To: local, Reason: etf.Atom("kill")},
		"EXIT2 local":             Exit2{From: pid(self, 8), To: local, Reason: etf.Atom("kill")},
		"EXIT2 to third":          Exit2{From: evil, To: third, Reason: etf.Atom("kill")},
		"UNLINK third":            Unlink{From: third, To: local},
		"UNLINK_ID local":         UnlinkID{ID: 1, From: local, To: local},
		"UNLINK_ID_ACK third":     UnlinkIDAck{ID: 1, From: third, To: local},
		"MONITOR_P third":         MonitorP{From: third, To: local, Ref: r},
		"MONITOR_P to third":      MonitorP{From: evil, To: third, Ref: r},
		"DEMONITOR_P local":       DemonitorP{From: local, To: etf.Atom("srv"), Ref: r},
		"MONITOR_P_EXIT to third": MonitorPExit{From: evil, To: third, Ref: lr, Reason: etf.Atom("x")},
		"MONITOR_P_EXIT of local": MonitorPExit{From: local, To: local, Ref: lr, Reason: etf.Atom("x")},
		"SPAWN_REQUEST third": SpawnRequest{ReqID: r, From: third, GroupLeader: evil,
			Module: "m", Function: "f"},
		"SPAWN_REQUEST local ref": SpawnRequest{ReqID: lr, From: evil, GroupLeader: evil,
			Module: "m", Function: "f"},
		"SPAWN_REPLY to third":     SpawnReply{ReqID: lr, To: third, Result: evil},
		"SPAWN_REPLY local result": SpawnReply{ReqID: lr, To: local, Result: pid(self, 7)},
		"ALTACT exit local":        AltactSig{Flags: AltactExit, Sender: local, To: local},
		// seq_trace variants (EXIT_TT / PAYLOAD_EXIT_TT, EXIT2_TT ...)
		"EXIT_TT third":  Exit{From: third, To: local, Reason: etf.Atom("kill"), Token: tok},
		"EXIT2_TT local": Exit2{From: local, To: local, Reason: etf.Atom("kill"), Token: tok},
		"SPAWN_REQUEST_TT third": SpawnRequest{ReqID: r, From: third, GroupLeader: evil,
			Module: "m", Function: "f", Token: tok},
		"SPAWN_REPLY_TT to third": SpawnReply{ReqID: lr, To: third, Result: evil, Token: tok},
	}
}

// validCases are accepted, as ERTS accepts them: senders of messages are
// not checked, nor is GROUP_LEADER.
func validCases() map[string]Message {
	evil, local, third := pid("evil@127.0.0.1", 1), pid("b@127.0.0.1", 2), pid("c@127.0.0.1", 3)
	r := ref("evil@127.0.0.1", 4)
	lr := ref("b@127.0.0.1", 5)
	return map[string]Message{
		"LINK":                {Control: Link{From: evil, To: local}},
		"EXIT2":               {Control: Exit2{From: evil, To: local, Reason: etf.Atom("normal")}},
		"EXIT":                {Control: Exit{From: evil, To: local, Reason: etf.Atom("normal")}},
		"UNLINK_ID":           {Control: UnlinkID{ID: 3, From: evil, To: local}},
		"MONITOR_P name":      {Control: MonitorP{From: evil, To: etf.Atom("srv"), Ref: r}},
		"MONITOR_P_EXIT name": {Control: MonitorPExit{From: etf.Atom("srv"), To: local, Ref: lr, Reason: etf.Atom("x")}},
		"SPAWN_REQUEST": {Control: SpawnRequest{ReqID: r, From: evil, GroupLeader: third,
			Module: "m", Function: "f"}, Payload: etf.List{}},
		"SPAWN_REPLY":        {Control: SpawnReply{ReqID: lr, To: local, Result: evil}},
		"SEND_SENDER third":  {Control: Send{From: third, To: local}, Payload: 1},
		"REG_SEND local":     {Control: RegSend{From: local, To: "srv"}, Payload: 2},
		"ALIAS_SEND third":   {Control: AliasSend{From: third, Alias: lr}, Payload: 3},
		"GROUP_LEADER third": {Control: GroupLeader{From: third, To: local}},
	}
}

// TestForgedSenderClosesConnection sends every forged signal on its own
// connection, in the current and the old wire variants (PAYLOAD_EXIT vs
// EXIT ...): the connection is closed as an invalid distribution message
// and nothing reaches the handler.
func TestForgedSenderClosesConnection(t *testing.T) {
	n := newMemNet()
	lc := &logCapture{}
	rb := newRecorder()
	b := n.node(t, Config{Name: "b@127.0.0.1", Logger: lc.logger()}, rb)
	variants := map[string]Flags{"current": DefaultFlags, "old variants": DefaultFlags &^ (FlagExitPayload | FlagSendSender)}
	for vname, flags := range variants {
		for name, ctl := range forgedCases() {
			t.Run(vname+"/"+name, func(t *testing.T) {
				h := newHostilePeer(t, b, "evil@127.0.0.1", flags)
				rb.waitUp(t)
				_ = h.send(ctl, nil)
				err := rb.waitDown(t)
				require.ErrorIs(t, err, ErrInvalidMessage)
				require.ErrorIs(t, err, ErrMalformed)
				noMessage(t, rb)
				assert.Contains(t, lc.text(), "invalid distribution message")
			})
		}
	}
}

// TestValidSignalsAccepted sends every valid case over one connection: all
// arrive, in order, and the connection stays up.
func TestValidSignalsAccepted(t *testing.T) {
	n := newMemNet()
	rb := newRecorder()
	b := n.node(t, Config{Name: "b@127.0.0.1"}, rb)
	h := newHostilePeer(t, b, "evil@127.0.0.1", 0)
	c := rb.waitUp(t)
	for name, m := range validCases() {
		require.NoError(t, h.send(m.Control, m.Payload), name)
		got := rb.waitMsg(t)
		assert.Equal(t, m.Control, got.Control, name)
	}
	require.NoError(t, c.Err())
}

// TestCheckSignalTable runs checkSignal directly on both tables.
func TestCheckSignalTable(t *testing.T) {
	for name, ctl := range forgedCases() {
		assert.ErrorIs(t, checkSignal(ctl, "evil@127.0.0.1", "b@127.0.0.1"), ErrInvalidMessage, name)
	}
	for name, m := range validCases() {
		assert.NoError(t, checkSignal(m.Control, "evil@127.0.0.1", "b@127.0.0.1"), name)
	}
}

// nested returns a list nested depth levels deep around 1.
func nested(depth int) etf.Term {
	var t etf.Term = 1
	for i := 0; i < depth; i++ {
		t = etf.List{t}
	}
	return t
}

// TestLimitDropsMessageKeepsConnection configures a low nesting limit: a
// message over it is dropped with a Warn line naming op and sender, in one
// packet and in fragments, and in the control message (a deep seq_trace
// token); the next message is delivered and the connection stays up.
func TestLimitDropsMessageKeepsConnection(t *testing.T) {
	n := newMemNet()
	lc := &logCapture{}
	rb := newRecorder()
	b := n.node(t, Config{Name: "b@127.0.0.1", Logger: lc.logger(), Limits: etf.Limits{MaxDepth: 16}}, rb)
	a := n.node(t, Config{Name: "a@127.0.0.1", FragmentSize: 1024}, newRecorder())
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	from, to := pid("a@127.0.0.1", 1), pid("b@127.0.0.1", 2)
	cases := map[string]struct {
		ctl     Control
		payload etf.Term
		op      string
	}{
		"payload":    {Send{From: from, To: to}, nested(40), "op=SEND"},
		"fragmented": {RegSend{From: from, To: "srv"}, etf.Tuple{make([]byte, 10_000), nested(40)}, "op=REG_SEND"},
		"control":    {Send{From: from, To: to, Token: nested(40)}, 1, "dropped"},
	}
	dropped := uint64(0)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, c.Send(tc.ctl, tc.payload))
			require.NoError(t, c.Send(Send{From: from, To: to}, etf.Atom("next")))
			m := rb.waitMsg(t)
			assert.Equal(t, etf.Atom("next"), m.Payload, "the message over the limit must not arrive")
			dropped++
			bc, ok := b.Conn("a@127.0.0.1")
			require.True(t, ok)
			require.NoError(t, bc.Err())
			assert.Equal(t, dropped, bc.Stats().DroppedIn)
			assert.Contains(t, lc.text(), "exceeds a decoding limit")
			assert.Contains(t, lc.text(), tc.op)
		})
	}
	assert.Contains(t, lc.text(), "level=WARN")
	assert.Contains(t, lc.text(), "sender=")
	assert.NotContains(t, lc.text(), "closing connection")
	// Just under the limit still arrives.
	require.NoError(t, c.Send(Send{To: to}, nested(10)))
	assert.True(t, etf.Equal(nested(10), rb.waitMsg(t).Payload))
}

// TestLimitDropLogRateLimited: a peer sending nothing but oversized terms
// gets each one dropped (and counted) but logs at most dropLogBurst lines
// a second; the connection stays up and carries the next message.
func TestLimitDropLogRateLimited(t *testing.T) {
	n := newMemNet()
	lc := &logCapture{}
	rb := newRecorder()
	b := n.node(t, Config{Name: "b@127.0.0.1", Logger: lc.logger(), Limits: etf.Limits{MaxDepth: 4}}, rb)
	a := n.node(t, Config{Name: "a@127.0.0.1"}, newRecorder())
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	to := pid("b@127.0.0.1", 2)
	const flood = 200
	for i := 0; i < flood; i++ {
		require.NoError(t, c.Send(Send{To: to}, nested(10)))
	}
	require.NoError(t, c.Send(Send{To: to}, etf.Atom("next")))
	assert.Equal(t, etf.Atom("next"), rb.waitMsg(t).Payload)
	bc, ok := b.Conn("a@127.0.0.1")
	require.True(t, ok)
	assert.Equal(t, uint64(flood), bc.Stats().DroppedIn)
	lines := strings.Count(lc.text(), "exceeds a decoding limit")
	assert.GreaterOrEqual(t, lines, 1)
	// A slow machine may spread the flood over a few seconds.
	assert.Less(t, lines, flood/2, "dropped messages must not flood the log")
	require.NoError(t, bc.Err())
}
