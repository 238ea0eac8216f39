package dist

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPacketReader drives the reader's framing seam directly: ticks are
// skipped, small packets are peeked in place and released, a packet bigger
// than the read buffer is assembled, an oversized length is malformed, and
// a closed transport reads as EOF.
func TestPacketReader(t *testing.T) {
	frame := func(body []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
	}
	big := make([]byte, 100<<10) // over the 64 KiB read buffer
	for i := range big {
		big[i] = byte(i)
	}
	tests := []struct {
		name   string
		input  [][]byte
		max    int
		want   [][]byte // packets, in order
		peeked []bool
		errIs  error // error after the packets
	}{
		{name: "ticks skipped", input: [][]byte{{0, 0, 0, 0}, {0, 0, 0, 0}, frame([]byte("ab")), {0, 0, 0, 0}, frame([]byte("c"))},
			max: 1 << 20, want: [][]byte{[]byte("ab"), []byte("c")}, peeked: []bool{true, true}, errIs: io.EOF},
		{name: "big packet assembled", input: [][]byte{frame(big), frame([]byte("x"))},
			max: 1 << 20, want: [][]byte{big, []byte("x")}, peeked: []bool{false, true}, errIs: io.EOF},
		{name: "over MaxPacket", input: [][]byte{frame([]byte("ok")), frame(make([]byte, 2048))},
			max: 1024, want: [][]byte{[]byte("ok")}, peeked: []bool{true}, errIs: ErrMalformed},
		{name: "truncated body", input: [][]byte{binary.BigEndian.AppendUint32(nil, 10), []byte("abc")},
			max: 1 << 20, errIs: io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
			go func() {
				for _, p := range tc.input {
					if _, err := b.Write(p); err != nil {
						return
					}
				}
				_ = b.Close()
			}()
			c := &Conn{nc: a, cfg: &Config{MaxPacket: tc.max}, log: slog.New(slog.DiscardHandler)}
			r := newPacketReader(c)
			for i, want := range tc.want {
				p, peeked, err := r.next()
				require.NoError(t, err, "packet %d", i)
				assert.Equal(t, want, p, "packet %d", i)
				assert.Equal(t, tc.peeked[i], peeked, "packet %d peeked", i)
				r.release(len(p), peeked)
			}
			_, _, err := r.next()
			assert.True(t, errors.Is(err, tc.errIs), "got %v, want %v", err, tc.errIs)
			assert.Positive(t, c.readCnt.Load(), "reads are counted for the tick check")
		})
	}
}
