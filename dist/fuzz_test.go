package dist

import (
	"bytes"
	"encoding/binary"
	"net"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// FuzzHandshakeMessages feeds arbitrary bytes to every handshake message
// decoder. Decoders must not panic, and whatever they accept re-encodes to
// something they decode to the same value.
func FuzzHandshakeMessages(f *testing.F) {
	seeds := [][]byte{
		sendName{Version: 6, Flags: DefaultFlags, Creation: 7, Name: "a@127.0.0.1"}.append(nil),
		sendName{Version: 5, Flags: DefaultFlags & 0xffffffff, Name: "a@host"}.append(nil),
		challenge{Flags: DefaultFlags, Challenge: 123, Creation: 9, Name: "b@127.0.0.1"}.append(nil),
		status{Status: statusOK}.append(nil),
		status{Status: statusNamed, Name: "x@h", Creation: 3}.append(nil),
		complement{FlagsHigh: 7, Creation: 8}.append(nil),
		challengeReply{Challenge: 5}.append(nil),
		challengeAck{}.append(nil),
		{'N'}, {'s', 'n', 'a', 'm', 'e', 'd', ':', 0xff, 0xff},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := parseSendName(b); err == nil {
			m2, err := parseSendName(m.append(nil))
			if err != nil || (m.Version == 6 && !reflect.DeepEqual(m, m2)) {
				t.Fatalf("send_name round trip: %+v %+v %v", m, m2, err)
			}
		}
		if m, err := parseChallenge(b); err == nil {
			m2, err := parseChallenge(m.append(nil))
			if err != nil || !reflect.DeepEqual(m, m2) {
				t.Fatalf("challenge round trip: %+v %+v %v", m, m2, err)
			}
		}
		if m, err := parseStatus(b); err == nil && m.Status == statusNamed {
			m2, err := parseStatus(m.append(nil))
			if err != nil || !reflect.DeepEqual(m, m2) {
				t.Fatalf("status round trip: %+v %+v %v", m, m2, err)
			}
		}
		if m, err := parseComplement(b); err == nil && !bytes.Equal(m.append(nil), b) {
			t.Fatal("complement round trip")
		}
		if m, err := parseChallengeReply(b); err == nil && !bytes.Equal(m.append(nil), b) {
			t.Fatal("challenge reply round trip")
		}
		if m, err := parseChallengeAck(b); err == nil && !bytes.Equal(m.append(nil), b) {
			t.Fatal("challenge ack round trip")
		}
	})
}

// seedFrames returns encoded frames of every control message in every
// framing, plus fragments.
func seedFrames(t testing.TB) [][]byte {
	var out [][]byte
	for _, flags := range framingConfigs() {
		c := newEncConn(t, flags, 1024)
		for _, tc := range allControls() {
			c.wbuf = c.wbuf[:0]
			if err := c.appendMessage(tc.ctl, tc.payload, true); err != nil {
				continue
			}
			out = append(out, append([]byte(nil), c.wbuf...))
		}
		c.wbuf = c.wbuf[:0]
		if err := c.appendMessage(Send{To: pid("b@h.x", 1)}, make([]byte, 3000), true); err == nil {
			out = append(out, append([]byte(nil), c.wbuf...))
		}
	}
	return out
}

// fuzzLimit is the reassembly limit of FuzzPacketDecoder: small, so that
// inputs of fuzzing size can reach it.
const fuzzLimit = 1 << 16

// FuzzPacketDecoder feeds a stream of framed packets (Len:32 | data) to one
// connection's packet decoder, as the reader does, with the reader's sender
// checks (peer a@127.0.0.1, this node b@127.0.0.1). It must never panic,
// and what the decoder holds must stay bounded however the packets are
// crafted: after every packet the reassembler's accounted bytes are within
// its limit and equal to what its sequences really hold (buffer capacity,
// refs, overhead), open sequences are within their cap, and at the end the
// heap retained by the decoder (measured after a GC) is within what it
// accounts plus the atom text the input itself carried. A decoding-limit
// error drops one message and goes on, like the reader; any other error
// ends the stream (the connection would be closed there).
func FuzzPacketDecoder(f *testing.F) {
	for _, s := range seedFrames(f) {
		f.Add(s)
	}
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 4, 131, 68, 1, 8})
	// Hostile fragment floods: cached-ref first fragments, and tiny first
	// fragments past the sequence cap.
	f.Add(frameAll(cachedRefFlood(f, 40)))
	// A first fragment of 5 fragments with no atom refs and 4 data bytes.
	tiny := append([]byte{verMagic, hdrFragment}, make([]byte, 16)...)
	binary.BigEndian.PutUint64(tiny[10:], 5)
	tiny = append(tiny, 0, 1, 2, 3, 4)
	var seqFlood [][]byte
	for i := 0; i < 80; i++ {
		seqFlood = append(seqFlood, withSeq(tiny, uint64(i+1)))
	}
	f.Add(frameAll(seqFlood))
	// Forged senders, each after a valid message.
	enc := newEncConn(f, DefaultFlags, 1024)
	for _, ctl := range forgedCasesFor("a@127.0.0.1", "b@127.0.0.1") {
		enc.wbuf = enc.wbuf[:0]
		if enc.appendMessage(Link{From: pid("a@127.0.0.1", 1), To: pid("b@127.0.0.1", 2)}, nil, false) != nil ||
			enc.appendMessage(ctl, nil, true) != nil {
			continue
		}
		f.Add(append([]byte(nil), enc.wbuf...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := newPacketDecoder(fuzzLimit)
		d.frags.maxSeqs = 64
		d.peer, d.self = "a@127.0.0.1", "b@127.0.0.1"
		base := heapInUse()
		in := len(b)
		for len(b) >= 4 {
			n := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			if n > len(b) {
				n = len(b)
			}
			_, _, err := d.decode(b[:n])
			b = b[n:]
			checkReassembler(t, &d.frags)
			if err != nil && !isLimitErr(err) {
				break // the connection would be closed here
			}
		}
		if len(d.frags.seqs) == 0 {
			return // nothing held; skip the costly heap check
		}
		bound := uint64(d.frags.held) + uint64(2*in) + 256<<10
		grown := heapInUse() - min(base, heapInUse())
		if grown > bound {
			grown = heapInUse() - min(base, heapInUse()) // once more, past GC noise
		}
		runtime.KeepAlive(d)
		if grown > bound {
			t.Fatalf("decoder retains %d bytes after %d input bytes; accounted %d", grown, in, d.frags.held)
		}
	})
}

// checkReassembler asserts the reassembler's accounting invariants.
func checkReassembler(t *testing.T, r *reassembler) {
	t.Helper()
	sum := 0
	for id, s := range r.seqs {
		if s.cost != s.footprint() {
			t.Fatalf("sequence %d accounts %d bytes, holds %d", id, s.cost, s.footprint())
		}
		sum += s.cost
	}
	if sum != r.held || r.held > r.max || (r.maxSeqs > 0 && len(r.seqs) > r.maxSeqs) {
		t.Fatalf("reassembler holds %d in %d sequences, accounts %d (limits %d, %d)", sum, len(r.seqs), r.held, r.max, r.maxSeqs)
	}
}

func frameAll(ps [][]byte) []byte {
	var out []byte
	for _, p := range ps {
		out = append(out, framed(p)...)
	}
	return out
}

// FuzzControl decodes a term and interprets it as a control message; what
// decodes must re-encode and decode to the same control value.
func FuzzControl(f *testing.F) {
	for _, tc := range allControls() {
		var e ctlEncoder
		b, _, _, err := e.appendControl(nil, tc.ctl, DefaultFlags)
		if err == nil {
			f.Add(b)
		}
		b, _, _, err = e.appendControl(nil, tc.ctl, DefaultFlags&^(FlagExitPayload|FlagSendSender|FlagAltactSig))
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{104, 1, 97, 99})
	f.Fuzz(func(t *testing.T, b []byte) {
		var dec etf.Decoder
		term, _, err := dec.DecodeTerm(b)
		if err != nil {
			return
		}
		ctl, src, err := decodeControl(term)
		if err != nil {
			return
		}
		// Re-encode with flags that keep the variant the value came in.
		var e ctlEncoder
		out, src2, reason, err := e.appendControl(nil, ctl, DefaultFlags&^FlagExitPayload)
		if err != nil {
			return // e.g. a zero unlink id or a 0-word ref: not encodable
		}
		term2, _, err := dec.DecodeTerm(out)
		if err != nil {
			t.Fatalf("re-encoded control does not decode: %v", err)
		}
		ctl2, _, err := decodeControl(term2)
		if err != nil {
			t.Fatalf("re-encoded control rejected: %v", err)
		}
		_, _ = src, src2
		if src == payloadReason || reason != nil {
			return // reason moved between payload and tuple
		}
		if !etf.Equal(controlTerm(ctl), controlTerm(ctl2)) {
			t.Fatalf("control round trip: %#v vs %#v", ctl, ctl2)
		}
	})
}

// controlTerm flattens a control value for comparison with etf.Equal.
func controlTerm(c Control) etf.Term {
	v := reflect.ValueOf(c)
	out := etf.Tuple{v.Type().Name()}
	for i := 0; i < v.NumField(); i++ {
		out = append(out, v.Field(i).Interface())
	}
	return out
}

// scriptConn is a net.Conn whose reads come from a fixed script and whose
// writes are discarded; reads past the script fail like a closed peer.
type scriptConn struct {
	net.Conn // nil: unused methods panic
	r        *bytes.Reader
}

func (s *scriptConn) Read(p []byte) (int, error)       { return s.r.Read(p) }
func (s *scriptConn) Write(p []byte) (int, error)      { return len(p), nil }
func (s *scriptConn) Close() error                     { return nil }
func (s *scriptConn) SetDeadline(time.Time) error      { return nil }
func (s *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (s *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzHandshakeFlows runs both handshake roles against a scripted peer
// whose bytes come from the fuzzer: whatever arrives, the handshake ends
// with a result or an error, never a panic.
func FuzzHandshakeFlows(f *testing.F) {
	frame := func(msgs ...[]byte) []byte {
		var out []byte
		for _, m := range msgs {
			out = binary.BigEndian.AppendUint16(out, uint16(len(m)))
			out = append(out, m...)
		}
		return out
	}
	f.Add(byte(0), frame(sendName{Version: 6, Flags: DefaultFlags, Creation: 1, Name: "x@127.0.0.1"}.append(nil),
		challengeReply{Challenge: 1}.append(nil)))
	f.Add(byte(0), frame(sendName{Version: 5, Flags: DefaultFlags & 0xffffffff, Name: "x@127.0.0.1"}.append(nil),
		complement{FlagsHigh: uint32(DefaultFlags >> 32), Creation: 3}.append(nil), challengeReply{}.append(nil)))
	f.Add(byte(1), frame(status{Status: statusOK}.append(nil),
		challenge{Flags: DefaultFlags, Name: "b@127.0.0.1"}.append(nil), challengeAck{}.append(nil)))
	f.Add(byte(1), frame(status{Status: statusAlive}.append(nil)))
	f.Add(byte(1), frame(status{Status: statusNamed, Name: "n@h.x", Creation: 2}.append(nil)))
	f.Fuzz(func(t *testing.T, role byte, script []byte) {
		cfg := testCfg("b@127.0.0.1")
		nc := &scriptConn{r: bytes.NewReader(script)}
		if role&1 == 0 {
			_, _ = serverHandshake(nc, cfg, serverOptions{
				Decide:     func(etf.Atom) acceptDecision { return acceptDecision{Status: statusAlive} },
				AssignName: func(h string) (etf.Atom, uint32) { return etf.Atom("n@" + h), 1 },
			})
		} else {
			_, _ = clientHandshake(nc, cfg, "b@127.0.0.1", clientOptions{NameMe: role&2 != 0})
		}
	})
}
