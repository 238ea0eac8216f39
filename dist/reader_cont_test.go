package dist

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigFragments encodes a SEND of payload in fragments of 100 kB, bigger
// than the 64 KiB read buffer, so the reader reads each continuation
// straight into the reassembly buffer (readCont).
func bigFragments(t *testing.T, h *hostilePeer, payload []byte) [][]byte {
	t.Helper()
	h.enc.cfg.FragmentSize = 100_000
	ps := packets(t, h.frames(Send{To: pid("b@127.0.0.1", 1)}, payload))
	require.Greater(t, len(ps), 2)
	require.Greater(t, len(ps[1]), 64<<10, "continuations must not fit the read buffer")
	return ps
}

// TestBigContinuationsReadInPlace: messages whose continuation fragments
// do not fit the read buffer arrive whole and in order, together with
// small messages between them, over one connection.
func TestBigContinuationsReadInPlace(t *testing.T) {
	rb := newRecorder()
	b := newMemNet().node(t, Config{Name: "b@127.0.0.1"}, rb)
	h := newHostilePeer(t, b, "peer@127.0.0.1", 0)
	rb.waitUp(t)
	var want [][]byte
	var wire []byte
	for i := range 5 {
		big := bytes.Repeat([]byte{byte(i + 1)}, 300_000+i*1000)
		want = append(want, big)
		for _, p := range bigFragments(t, h, big) {
			wire = append(wire, framed(p)...)
		}
		wire = append(wire, h.frames(Send{To: pid("b@127.0.0.1", 1)}, i)...)
	}
	_, err := h.nc.Write(wire)
	require.NoError(t, err)
	for i := range 5 {
		m := rb.waitMsg(t)
		assert.Equal(t, want[i], m.Payload, "message %d", i)
		assert.Equal(t, i, rb.waitMsg(t).Payload, "small message %d after it", i)
	}
}

// TestBigContinuationHostile: a continuation fragment too big for the read
// buffer is checked before its data is read: an unknown sequence, one out
// of order and one past MaxReassembly close the connection as malformed
// with a logged reason; a peer that stops in the middle of one only ends
// its connection (EOF, nothing logged as malformed).
func TestBigContinuationHostile(t *testing.T) {
	cases := map[string]struct {
		edit    func(ps [][]byte) []byte
		wantErr error
		limit   int
	}{
		"unknown sequence": {edit: func(ps [][]byte) []byte {
			return framed(ps[1])
		}, wantErr: ErrMalformed},
		"out of order": {edit: func(ps [][]byte) []byte {
			return append(framed(ps[0]), framed(ps[2])...)
		}, wantErr: ErrMalformed},
		"over MaxReassembly": {edit: func(ps [][]byte) []byte {
			return append(framed(ps[0]), framed(ps[1])...)
		}, wantErr: ErrReassemblyLimit, limit: 150_000},
		"cut short": {edit: func(ps [][]byte) []byte {
			w := append(framed(ps[0]), framed(ps[1])...)
			return w[:len(w)-1000]
		}, wantErr: io.EOF},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			lc := &logCapture{}
			rb := newRecorder()
			b := newMemNet().node(t, Config{Name: "b@127.0.0.1", Logger: lc.logger(), MaxReassembly: tc.limit}, rb)
			h := newHostilePeer(t, b, "evil@127.0.0.1", 0)
			rb.waitUp(t)
			w := tc.edit(bigFragments(t, h, make([]byte, 250_000)))
			// The receiver may close while the rest is being written: a
			// pipe write then fails, which is the point.
			_, err := h.nc.Write(w)
			if tc.wantErr == io.EOF {
				require.NoError(t, err)
				require.NoError(t, h.nc.Close())
			}
			require.ErrorIs(t, rb.waitDown(t), tc.wantErr)
			noMessage(t, rb)
			if tc.wantErr == io.EOF {
				assert.NotContains(t, lc.text(), "closing connection")
			} else {
				assert.Contains(t, lc.text(), "closing connection")
			}
		})
	}
}

// TestReadContMatchesCont: a continuation read in place (contInto, then
// the data, then contDone) leaves the reassembler exactly as cont does.
func TestReadContMatchesCont(t *testing.T) {
	c := newEncConn(t, DefaultFlags&^FlagSendSender, 4096)
	require.NoError(t, c.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, bytes.Repeat([]byte{9}, 20_000), true))
	ps := packets(t, c.wbuf)
	a, b := newPacketDecoder(1<<20), newPacketDecoder(1<<20)
	for i, p := range ps {
		ma, oka, erra := a.decode(p)
		var mb Message
		var okb bool
		var errb error
		if i == 0 {
			mb, okb, errb = b.decode(p)
		} else {
			seq, frag := binary.BigEndian.Uint64(p[2:]), binary.BigEndian.Uint64(p[10:])
			dst, err := b.frags.contInto(seq, frag, len(p)-contHeader)
			require.NoError(t, err)
			copy(dst, p[contHeader:])
			if s := b.frags.contDone(seq); s != nil {
				mb, okb, errb = b.reassembled(s)
			}
		}
		require.NoError(t, erra)
		require.NoError(t, errb)
		require.Equal(t, oka, okb, "packet %d", i)
		require.Equal(t, ma, mb, "packet %d", i)
		require.Equal(t, a.frags.held, b.frags.held, "packet %d", i)
		checkReassembler(t, &b.frags)
	}
}
