package dist

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/etf"
)

// fragmentedPackets encodes a SEND of payload with FragmentSize fs and
// returns its packets.
func fragmentedPackets(t *testing.T, payload etf.Term, fs int) [][]byte {
	t.Helper()
	c := newEncConn(t, DefaultFlags&^FlagSendSender, fs)
	require.NoError(t, c.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, payload, true))
	ps := packets(t, c.wbuf)
	require.Greater(t, len(ps), 2, "the message must be fragmented")
	return ps
}

// TestReassemblyReservesFromFragmentCount: the first fragment's count sizes
// the buffer, so an honest multi-fragment message is assembled without the
// buffer ever being reallocated, and the binary it carries aliases that
// buffer rather than being copied again; a second message gets a buffer of
// its own, so the first one's binary is untouched.
func TestReassemblyReservesFromFragmentCount(t *testing.T) {
	big := bytes.Repeat([]byte{1}, 1<<20)
	d := newPacketDecoder(DefaultMaxReassembly)
	ps := fragmentedPackets(t, big, DefaultFragmentSize)
	var got []byte
	for i, p := range ps {
		m, ok, err := d.decode(p)
		require.NoError(t, err)
		if i == 0 {
			s := d.frags.seqs[binary.BigEndian.Uint64(p[2:])]
			require.NotNil(t, s)
			require.GreaterOrEqual(t, cap(s.buf), 1<<20, "reserved from the fragment count")
			require.LessOrEqual(t, cap(s.buf), 1<<20+2*DefaultFragmentSize, "at most one fragment over")
			require.Equal(t, d.frags.held, s.cost, "the reservation is accounted")
		}
		if i < len(ps)-1 {
			require.False(t, ok)
			continue
		}
		require.True(t, ok)
		got = m.Payload.([]byte)
	}
	require.Equal(t, big, got)
	require.Equal(t, 0, d.frags.held)

	other := bytes.Repeat([]byte{2}, 1<<20)
	for _, p := range fragmentedPackets(t, other, DefaultFragmentSize) {
		_, _, err := d.decode(p)
		require.NoError(t, err)
	}
	require.Equal(t, big, got, "a reassembly buffer is never reused")
}

// TestReassemblyReserveBounded: a first fragment that promises a huge
// fragment count reserves no more than reserveMax, nor more than the limit
// leaves room for; with no room beyond its data it is still accepted (the
// promise is not an error, only data over the limit is).
func TestReassemblyReserveBounded(t *testing.T) {
	ps := fragmentedPackets(t, make([]byte, 40_000), 4096)
	liar := func(seq, count uint64) []byte {
		q := withSeq(ps[0], seq)
		binary.BigEndian.PutUint64(q[10:], count)
		return q
	}
	for _, count := range []uint64{1 << 20, math.MaxUint64} {
		d := newPacketDecoder(DefaultMaxReassembly)
		_, ok, err := d.decode(liar(1, count))
		require.NoError(t, err)
		require.False(t, ok)
		s := d.frags.seqs[1]
		require.LessOrEqual(t, cap(s.buf), reserveMax, "count %d", count)
		checkReassembler(t, &d.frags)
	}
	small := newPacketDecoder(64 << 10)
	for seq := uint64(1); seq <= 40; seq++ {
		_, _, err := small.decode(liar(seq, 1<<20))
		checkReassembler(t, &small.frags)
		if err != nil {
			require.ErrorIs(t, err, ErrReassemblyLimit)
			require.Greater(t, seq, uint64(4), "the limit admits sequences as long as their data fits")
			return
		}
	}
	t.Fatal("40 open sequences of 4 KiB each passed a 64 KiB limit")
}
