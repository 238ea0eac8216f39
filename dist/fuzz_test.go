package dist

import (
	"bytes"
	"encoding/binary"
	"net"
	"reflect"
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

// FuzzPacketDecoder feeds a stream of framed packets (Len:32 | data) to one
// connection's packet decoder, as the reader does. It must never panic;
// errors are fine.
func FuzzPacketDecoder(f *testing.F) {
	for _, s := range seedFrames(f) {
		f.Add(s)
	}
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 4, 131, 68, 1, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := newPacketDecoder(1 << 16)
		for len(b) >= 4 {
			n := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			if n > len(b) {
				n = len(b)
			}
			if _, _, err := d.decode(b[:n]); err != nil {
				return // the connection would be closed here
			}
			b = b[n:]
		}
	})
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
