package dist

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// echoOnReader makes rb answer every Send to pid 1 from the reader
// goroutine, as a server running inline does, and forward everything else
// to its message channel.
func echoOnReader(rb *recorder) {
	rb.onMsg = func(c *Conn, m Message) {
		if s, ok := m.Control.(Send); ok && s.To.ID == 1 {
			if err := c.Send(Send{To: pid("a@127.0.0.1", 1)}, m.Payload); err != nil {
				panic(err)
			}
			return
		}
		rb.msgCh <- m
	}
}

// TestCorkedRepliesInOrder: replies queued on the reader while it works
// through buffered requests, and another goroutine's stream queued at the
// same time, all arrive in order, over TCP (the reader writes the corked
// queue itself) and over an in-memory pipe (the writer goroutine does).
// Afterwards the connection is uncorked with nothing left queued.
func TestCorkedRepliesInOrder(t *testing.T) {
	for _, transport := range []string{"tcp", "mem"} {
		t.Run(transport, func(t *testing.T) {
			rb := newRecorder()
			echoOnReader(rb)
			ra := newRecorder()
			var c *Conn
			if transport == "tcp" {
				c = tcpPairWith(t, Config{}, ra, rb)
			} else {
				c = memPairWith(t, ra, rb)
			}
			bc := rb.waitUp(t)
			const k = 5000
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // b's own stream, to a's pid 2, while b's reader is corked
				defer wg.Done()
				for i := range k {
					if err := bc.Send(Send{To: pid("a@127.0.0.1", 2)}, i); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			for i := range k { // bursts: b's reader finds many requests per read
				require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, i))
			}
			next := map[uint32]int{}
			for range 2 * k {
				m := ra.waitMsg(t)
				to := m.Control.(Send).To.ID
				require.Equal(t, next[to], m.Payload, "message to pid %d", to)
				next[to]++
			}
			wg.Wait()
			bc.wmu.Lock()
			defer bc.wmu.Unlock()
			require.False(t, bc.corked, "corked while nothing is buffered")
			require.Zero(t, bc.queuedLocked())
		})
	}
}

// TestCorkedTickLeaves: a tick does not wait for the reader's flush (the
// reader may be stuck in a handler, and the peer counts our silence),
// while a frame queued corked waits for it.
func TestCorkedTickLeaves(t *testing.T) {
	rb := newRecorder()
	c := tcpPairWith(t, Config{}, newRecorder(), rb)
	bc := rb.waitUp(t)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, 1)) // the connection is in use
	rb.waitMsg(t)
	bc.wmu.Lock()
	bc.corked = true // as the reader does while it works through its buffer
	bc.wmu.Unlock()
	out := bc.Stats().BytesOut
	bc.queueTick()
	waitBytesOut(t, bc, out+4)
	require.NoError(t, bc.Send(Send{To: pid("a@127.0.0.1", 1)}, 2))
	bc.wmu.Lock()
	held := len(bc.wbuf)
	bc.wmu.Unlock()
	require.NotZero(t, held, "a corked frame was written before the reader's flush")
	bc.setCork(false)
	waitBytesOut(t, bc, out+4+uint64(held))
}

// waitBytesOut waits until c has written at least n bytes.
func waitBytesOut(t *testing.T, c *Conn, n uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Stats().BytesOut < n {
		if time.Now().After(deadline) {
			t.Fatalf("BytesOut %d, want %d", c.Stats().BytesOut, n)
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}

// memPairWith connects a (handler ha) to b (hb) over an in-memory pipe and
// returns a's Conn.
func memPairWith(t *testing.T, ha, hb Handler) *Conn {
	t.Helper()
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1"}, ha)
	n.node(t, Config{Name: "b@127.0.0.1"}, hb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	return c
}
