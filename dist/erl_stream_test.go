package dist

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// streamPattern is the test module's pattern(n): bytes 0..250, repeated.
func streamPattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// TestErlBigStream streams 1 MiB binaries for longer than two tick times
// each way over one connection with a 2 s net_ticktime: from erl, every
// message reaches the Go handler in order and intact (fragments are read
// into reserved buffers and the binaries alias them); to erl, its sink
// counts every message in order with the right content. The connection
// stays up throughout (ticks flow between the fragments).
func TestErlBigStream(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	const size = 1 << 20
	const tick = 2 * time.Second
	const streamFor = 5 * time.Second // past two tick times
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie, tickTime: 2})
	g := startGo(t, ep, Config{Cookie: cookie, TickTime: tick})
	pat := streamPattern(size - 8)

	// erl -> Go. The handler runs on the reader goroutine: it checks each
	// message and keeps the first binary to see that later ones never
	// overwrite it; other messages go to the recorder's channel.
	var got atomic.Int64
	var bad atomic.Value
	var first []byte
	end := make(chan int, 1)
	g.rec.onMsg = func(_ *Conn, m Message) {
		tup, _ := m.Payload.(etf.Tuple)
		if len(tup) < 2 || (tup[0] != etf.Atom("bigseq") && tup[0] != etf.Atom("bigend")) {
			g.rec.msgCh <- m
			return
		}
		switch tup[0] {
		case etf.Atom("bigseq"):
			i := got.Load()
			b, _ := tup[2].([]byte)
			if !etf.Equal(tup[1], int(i)) || len(b) != size || binary.BigEndian.Uint64(b) != uint64(i) || !bytes.Equal(b[8:], pat) {
				bad.CompareAndSwap(nil, fmt.Sprintf("message %d: seq %v, %d bytes", i, tup[1], len(b)))
			}
			if i == 0 {
				first = b
			}
			got.Add(1)
		case etf.Atom("bigend"):
			n, _ := tup[1].(int)
			end <- n
		}
	}
	c, err := g.m.Connect(ctxT(t), erl.name)
	require.NoError(t, err)
	g.rec.waitUp(t)
	line := erl.do("bigstream "+string(g.name)+" goproc "+strconv.Itoa(size)+" "+strconv.Itoa(int(streamFor/time.Millisecond)), "STREAMED")
	var n int
	select {
	case n = <-end:
	case <-time.After(60 * time.Second):
		t.Fatalf("no bigend after %d messages", got.Load())
	}
	require.Nil(t, bad.Load())
	require.Equal(t, "STREAMED "+strconv.Itoa(n), line)
	require.EqualValues(t, n, got.Load())
	require.Greater(t, n, 10, "a stream of a few seconds")
	require.Equal(t, uint64(0), binary.BigEndian.Uint64(first))
	require.True(t, bytes.Equal(first[8:], pat), "the first binary was overwritten")
	t.Logf("erl -> Go: %d messages of %d bytes in %v", n, size, streamFor)

	// Go -> erl. Send encodes before it returns, so one buffer is reused.
	erl.do("bigsink "+strconv.Itoa(size), "BIGSINK")
	buf := append(make([]byte, 8, size), pat...)
	ctl := RegSend{From: g.self, To: "bigsink"}
	sent := 0
	for deadline := time.Now().Add(streamFor); time.Now().Before(deadline); sent++ {
		binary.BigEndian.PutUint64(buf, uint64(sent))
		require.NoError(t, c.Send(ctl, etf.Tuple{etf.Atom("bigseq"), sent, buf}))
	}
	require.NoError(t, c.Send(ctl, etf.Tuple{etf.Atom("bigend"), sent, g.self}))
	want := etf.Tuple{etf.Atom("bigsunk"), sent, 0, sent}
	assert.True(t, etf.Equal(want, g.waitPayload(t)), "want %v", want)
	require.NoError(t, c.Err(), "the connection stayed up")
	t.Logf("Go -> erl: %d messages; stats %+v", sent, c.Stats())
}
