package dist

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tcpPair connects two Managers over TCP loopback and returns the sending
// side's Conn.
func tcpPair(t *testing.T, cfgA Config, hb Handler) *Conn {
	t.Helper()
	return tcpPairWith(t, cfgA, newRecorder(), hb)
}

// tcpPairWith is tcpPair with a's Handler too.
func tcpPairWith(t *testing.T, cfgA Config, ha, hb Handler) *Conn {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	// Both sides tick alike, as a cluster with one net_ticktime does.
	b, err := NewManager(Config{Name: "b@127.0.0.1", Cookie: "c", Logger: quietLogger(), TickTime: cfgA.TickTime}, hb)
	require.NoError(t, err)
	go func() { _ = b.Serve(l) }()
	t.Cleanup(func() { _ = b.Close() })
	cfgA.Name, cfgA.Cookie, cfgA.Logger = "a@127.0.0.1", "c", quietLogger()
	cfgA.Dial = func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", l.Addr().String())
		return nc, 6, err
	}
	a, err := NewManager(cfgA, ha)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	return c
}

// TestOrderingDirectAndQueuedWrites mixes the two write paths: senders
// that pause (so their frames are written directly by the sending
// goroutine) and senders in bursts (queued for the writer goroutine), with
// control messages interleaved with data. Each sender's messages,
// controls included, must arrive in the order it sent them.
func TestOrderingDirectAndQueuedWrites(t *testing.T) {
	tests := []struct {
		name       string
		writeQueue int
		pauseEvery int // 0: never pause
	}{
		{"paced", 0, 1},
		{"mixed", 0, 7},
		{"bursts, small queue", 256, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const senders, perSender = 4, 600
			var mu sync.Mutex
			next := map[uint32]int{}
			bad, total := 0, 0
			done := make(chan struct{})
			rb := newRecorder()
			rb.onMsg = func(c *Conn, m Message) {
				var s uint32
				var v int
				switch x := m.Control.(type) {
				case Send:
					s, v = x.To.ID, m.Payload.(int)
				case Link:
					s, v = x.From.ID, int(x.To.ID)
				case Unlink:
					s, v = x.From.ID, int(x.To.ID)
				}
				mu.Lock()
				defer mu.Unlock()
				if v != next[s]+1 {
					bad++
				}
				next[s] = v
				if total++; total == senders*perSender {
					close(done)
				}
			}
			c := tcpPair(t, Config{WriteQueue: tt.writeQueue}, rb)
			var wg sync.WaitGroup
			for s := uint32(1); s <= senders; s++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 1; i <= perSender; i++ {
						var err error
						switch i % 5 {
						case 1:
							err = c.SendControl(Link{From: pid("a@127.0.0.1", s), To: pid("b@127.0.0.1", uint32(i))})
						case 3:
							err = c.SendControl(Unlink{From: pid("a@127.0.0.1", s), To: pid("b@127.0.0.1", uint32(i))})
						default:
							err = c.Send(Send{To: pid("b@127.0.0.1", s)}, i)
						}
						if err != nil {
							t.Error(err)
							return
						}
						if tt.pauseEvery > 0 && i%tt.pauseEvery == 0 {
							// Pacing, not synchronisation: let the write
							// side go idle so the next send writes directly.
							time.Sleep(directGap * 3)
						}
					}
				}()
			}
			wg.Wait()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("messages missing")
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, 0, bad)
			assert.Equal(t, senders*perSender, total)
		})
	}
}

// TestCloseFlushesDirectAndQueued checks that Close delivers everything
// accepted by Send, whichever path wrote it, before the connection goes
// down.
func TestCloseFlushesDirectAndQueued(t *testing.T) {
	rb := newRecorder()
	c := tcpPair(t, Config{}, rb)
	const n = 2000
	for i := 1; i <= n; i++ {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, i))
		if i%100 == 0 {
			time.Sleep(directGap * 3) // pacing: next send writes directly
		}
	}
	require.NoError(t, c.Close())
	for i := 1; i <= n; i++ {
		m := rb.waitMsg(t)
		require.Equal(t, i, m.Payload)
	}
	<-c.Done()
	assert.ErrorIs(t, c.Err(), ErrClosed)
}

// TestSendDoesNotBlockOnStuckPeer: a direct write that finds the socket
// buffer full hands over to the writer goroutine, so Send still returns
// while the peer does not read (only the WriteQueue bound blocks it), and
// everything arrives in order once the peer reads again.
func TestSendDoesNotBlockOnStuckPeer(t *testing.T) {
	release := make(chan struct{})
	got := make(chan int, 256)
	rb := newRecorder()
	rb.onMsg = func(c *Conn, m Message) {
		if v, ok := m.Payload.(int); ok {
			if v == 0 {
				<-release // the peer stops reading
			}
			got <- v
			return
		}
		got <- -1 // the big binary
	}
	c := tcpPair(t, Config{WriteQueue: 64 << 20}, rb)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, 0))
	big := make([]byte, 16<<20) // more than the socket buffers hold
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, big))
	for i := 1; i <= 100; i++ {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, i))
	}
	close(release)
	want := []int{0, -1}
	for i := 1; i <= 100; i++ {
		want = append(want, i)
	}
	for _, w := range want {
		select {
		case v := <-got:
			require.Equal(t, w, v)
		case <-time.After(30 * time.Second):
			t.Fatal("messages missing")
		}
	}
}

// TestIdleAfterBurstStaysUp is the regression test for connections that
// closed with "peer does not read" about 9/8 TickTime after a burst: the
// writer goroutine's write deadline stayed armed after the burst, and the
// next direct write (a tick, or a message) failed on the expired deadline.
// The test idles for several tick times after the burst (the behaviour
// under test is time), then checks the connection still carries messages.
func TestIdleAfterBurstStaysUp(t *testing.T) {
	const tick = time.Second
	rb := newRecorder()
	got := make(chan struct{}, 2)
	const burst = 20000
	n := 0 // only the reader goroutine touches n
	rb.onMsg = func(c *Conn, m Message) {
		if n++; n >= burst {
			got <- struct{}{}
		}
	}
	c := tcpPair(t, Config{TickTime: tick}, rb)
	for i := 0; i < burst; i++ {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, i))
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("burst not delivered")
	}
	// Idle past several tick times: only ticks flow.
	select {
	case <-c.Done():
		t.Fatalf("connection closed while idle after a burst: %v", c.Err())
	case <-time.After(4 * tick):
	}
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, 1))
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("message after the idle period not delivered")
	}
}
