package dist

import (
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fillBig fills b with a pattern derived from sender s and sequence i.
func fillBig(b []byte, s uint32, i int) {
	for k := 0; k+8 <= len(b); k += 8 {
		binary.BigEndian.PutUint64(b[k:], uint64(s)<<48|uint64(i)<<24|uint64(k))
	}
}

// TestSplicedFragmentsOrderAndContent sends, from several goroutines over
// TCP (the writev path), fragmented binaries of sizes around the fragment
// size mixed with small messages and controls, under a small write queue.
// Each sender overwrites its buffer right after Send returns (Send must
// have copied it). Every message must arrive intact, in per-sender order,
// and Close must flush what is queued, spliced fragments included.
func TestSplicedFragmentsOrderAndContent(t *testing.T) {
	const fs = 4096
	sizes := []int{fs + 1, 2 * fs, 2*fs + 7, 5*fs - 3, 40 * fs, 100}
	const senders, perSender = 4, 120
	var mu sync.Mutex
	next := map[uint32]int{}
	var bad []string
	total := 0
	done := make(chan struct{})
	rb := newRecorder()
	rb.onMsg = func(c *Conn, m Message) {
		var s uint32
		var v int
		switch x := m.Control.(type) {
		case Send:
			s = x.To.ID
			switch p := m.Payload.(type) {
			case int:
				v = p
			case []byte:
				v = int(binary.BigEndian.Uint64(p)>>24) & 0xffffff
				want := make([]byte, len(p))
				fillBig(want, s, v)
				if string(want) != string(p) || len(p) != sizes[v%len(sizes)] {
					mu.Lock()
					bad = append(bad, "corrupt binary")
					mu.Unlock()
				}
			}
		case Link:
			s, v = x.From.ID, int(x.To.ID)
		}
		mu.Lock()
		defer mu.Unlock()
		if v != next[s]+1 {
			bad = append(bad, "out of order")
		}
		next[s] = v
		if total++; total == senders*perSender {
			close(done)
		}
	}
	c := tcpPair(t, Config{FragmentSize: fs, WriteQueue: 64 << 10}, rb)
	require.NotNil(t, c.raw, "the test needs the writev path (a raw socket)")
	var wg sync.WaitGroup
	for s := uint32(1); s <= senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 40*fs)
			for i := 1; i <= perSender; i++ {
				var err error
				switch i % 3 {
				case 0:
					b := buf[:sizes[i%len(sizes)]]
					fillBig(b, s, i)
					err = c.Send(Send{To: pid("b@127.0.0.1", s)}, b)
					clear(b) // Send returned: the buffer is ours again
				case 1:
					err = c.SendControl(Link{From: pid("a@127.0.0.1", s), To: pid("b@127.0.0.1", uint32(i))})
				default:
					err = c.Send(Send{To: pid("b@127.0.0.1", s)}, i)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, c.Close())
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("messages missing")
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, bad)
	assert.Equal(t, senders*perSender, total)
	assert.Positive(t, c.Stats().FragmentedOut)
}

// TestSplicedFragmentsBackpressure checks that spliced fragments count
// against WriteQueue: while the peer does not read, a sender of large
// messages blocks with the queue bounded by WriteQueue plus one message,
// and everything arrives in order once the peer reads again.
func TestSplicedFragmentsBackpressure(t *testing.T) {
	const size, n, wq = 256 << 10, 200, 512 << 10
	release := make(chan struct{})
	got := make(chan int, n+1)
	rb := newRecorder()
	rb.onMsg = func(c *Conn, m Message) {
		if v, ok := m.Payload.(int); ok {
			<-release // the peer stops reading
			got <- v
			return
		}
		b, _ := m.Payload.([]byte)
		got <- int(binary.BigEndian.Uint64(b))
	}
	c := tcpPair(t, Config{WriteQueue: wq}, rb)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, 0))
	var sent atomic.Int64
	go func() {
		b := make([]byte, size)
		for i := 1; i <= n; i++ {
			binary.BigEndian.PutUint64(b, uint64(i))
			if err := c.Send(Send{To: pid("b@127.0.0.1", 1)}, b); err != nil {
				t.Error(err)
				return
			}
			sent.Store(int64(i))
		}
	}()
	// The socket buffers fill, then the queue: the sender stops short of
	// n (200 x 256 KiB is far more than loopback buffers hold) with the
	// queue at its bound. Poll until the queue has reached it.
	deadline := time.Now().Add(30 * time.Second)
	for c.Stats().QueueBytes < wq && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	q := c.Stats().QueueBytes
	assert.GreaterOrEqual(t, q, uint64(wq), "queue never filled")
	assert.LessOrEqual(t, q, uint64(wq+size+4096), "queue over its bound")
	assert.Less(t, sent.Load(), int64(n), "sender never blocked")
	close(release)
	for w := 0; w <= n; w++ {
		select {
		case v := <-got:
			require.Equal(t, w, v)
		case <-time.After(30 * time.Second):
			t.Fatal("messages missing")
		}
	}
}

// TestSplicedFragmentsPeerDiesMidBatch closes the receiving connection
// while two goroutines stream 1 MiB messages (batches of spliced
// fragments are being written). Every Send must return (nil before the
// failure, ErrClosed after, never a hang or panic), the sender's
// connection must go down, and what arrived before must be whole and in
// order.
func TestSplicedFragmentsPeerDiesMidBatch(t *testing.T) {
	const size = 1 << 20
	var mu sync.Mutex
	next := map[uint32]int{}
	var bad []string
	got := make(chan *Conn, 1)
	rb := newRecorder()
	rb.onMsg = func(c *Conn, m Message) {
		b, _ := m.Payload.([]byte)
		s, v := m.Control.(Send).To.ID, int(binary.BigEndian.Uint64(b))
		mu.Lock()
		if len(b) != size || v != next[s]+1 {
			bad = append(bad, "corrupt or out of order")
		}
		next[s] = v
		mu.Unlock()
		if v == 3 {
			select {
			case got <- c:
			default:
			}
		}
	}
	c := tcpPair(t, Config{}, rb)
	var wg sync.WaitGroup
	for s := uint32(1); s <= 2; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := make([]byte, size)
			for i := 1; ; i++ {
				binary.BigEndian.PutUint64(b, uint64(i))
				if err := c.Send(Send{To: pid("b@127.0.0.1", s)}, b); err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Errorf("Send: %v", err)
					}
					return
				}
			}
		}()
	}
	var rc *Conn
	select {
	case rc = <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("no messages arrived")
	}
	_ = rc.nc.Close() // the peer dies in the middle of the stream
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("senders hang after the peer died")
	}
	select {
	case <-c.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the sending connection stayed up")
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, bad)
}
