package dist

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// writeCapacity is the write-side buffer capacity the connection holds
// (what a flusher is writing at the moment is not counted).
func (c *Conn) writeCapacity() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	n := cap(c.wbuf) + cap(c.spare) + cap(c.scratch) + c.bodyFreeN
	for _, b := range c.wbodies { // spliced fragments (writer_vec.go)
		n += cap(b)
	}
	return n
}

// TestIdleConnectionReleasesBurstBuffers: a burst of fragmented 100 kB
// messages grows the write queue, its spare and the encoding area to
// megabytes; once the connection has been idle for a tick interval it
// must hold no more than idleKeep of each (found by the soak: the live
// heap of an idle Go node stayed ~3 MiB per connection above its baseline
// after every burst phase, ratcheting up to 2 x WriteQueue per buffer).
func TestIdleConnectionReleasesBurstBuffers(t *testing.T) {
	const tick = time.Second
	rb := newRecorder()
	const burst = 300
	got := make(chan struct{}, 1)
	n := 0 // only the reader goroutine touches n
	rb.onMsg = func(*Conn, Message) {
		if n++; n == burst {
			got <- struct{}{}
		}
	}
	c := tcpPair(t, Config{TickTime: tick}, rb)
	big := bytes.Repeat([]byte{7}, 100_000)
	for range burst {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, big))
	}
	// Right after the last Send the connection has been busy all along, so
	// no idle tick has run yet.
	grown := c.writeCapacity()
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("burst not delivered")
	}
	require.Greater(t, grown, 3*idleKeep, "the burst should have grown the buffers (else this test proves nothing)")
	// The release happens at the first tick of an idle interval (TickTime
	// / TickIntensity); poll well past a whole TickTime.
	deadline := time.Now().Add(5 * tick)
	for c.writeCapacity() > 3*idleKeep {
		if time.Now().After(deadline) {
			t.Fatalf("idle connection still holds %d bytes of write buffers (%d after the burst)", c.writeCapacity(), grown)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// It still works.
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, big))
}
