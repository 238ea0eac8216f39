package dist

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/stretchr/testify/require"
)

// inlinePair connects a to b over a memNet; b's Handler is onMsg, and every
// message it does not keep is recorded.
func inlinePair(t *testing.T, rb *recorder) *Conn {
	t.Helper()
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1"}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1"}, rb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	rb.waitUp(t)
	return c
}

// sendInts sends 0..k-1 to b.
func sendInts(t *testing.T, c *Conn, k int) {
	t.Helper()
	for i := range k {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, i))
	}
}

// wantInts receives 0..k-1, in order.
func wantInts(t *testing.T, rb *recorder, k int) {
	t.Helper()
	for i := range k {
		m := rb.waitMsg(t)
		require.Equal(t, i, m.Payload, "message %d", i)
	}
}

// TestInlineEndKeepsReader: an inline run that ends at once keeps the
// reader; nothing takes over.
func TestInlineEndKeepsReader(t *testing.T) {
	rb := newRecorder()
	ended := make(chan bool, 100)
	rb.onMsg = func(c *Conn, m Message) {
		if m.Payload == etf.Atom("inline") {
			ended <- c.EndInline(c.BeginInline())
			return
		}
		rb.msgCh <- m
	}
	c := inlinePair(t, rb)
	for range 100 {
		require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("inline")))
	}
	sendInts(t, c, 100)
	wantInts(t, rb, 100)
	for range 100 {
		require.True(t, <-ended)
	}
	require.Zero(t, serverConn(t, rb).inl.takeovers.Load())
}

// serverConn is b's side of the connection.
func serverConn(t *testing.T, rb *recorder) *Conn {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	require.Len(t, rb.ups, 1)
	return rb.ups[0]
}

// TestInlineWatchdogTakesOver: a handler that blocks inline loses the
// reader to a new goroutine, which delivers the following messages in
// order while it blocks; EndInline then says so.
func TestInlineWatchdogTakesOver(t *testing.T) {
	rb := newRecorder()
	release := make(chan struct{})
	ended := make(chan bool, 1)
	rb.onMsg = func(c *Conn, m Message) {
		if m.Payload == etf.Atom("block") {
			tok := c.BeginInline()
			<-release
			ended <- c.EndInline(tok)
			return
		}
		rb.msgCh <- m
	}
	c := inlinePair(t, rb)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("block")))
	sendInts(t, c, 1000)
	wantInts(t, rb, 1000) // delivered while the handler blocks
	close(release)
	require.False(t, <-ended)
	require.Equal(t, uint64(1), serverConn(t, rb).inl.takeovers.Load())
	// The new reader goes on.
	sendInts(t, c, 10)
	wantInts(t, rb, 10)
}

// TestInlineHandOff: HandOff gives the reader away at once.
func TestInlineHandOff(t *testing.T) {
	rb := newRecorder()
	release := make(chan struct{})
	ended := make(chan bool, 1)
	rb.onMsg = func(c *Conn, m Message) {
		if m.Payload == etf.Atom("handoff") {
			tok := c.BeginInline()
			c.HandOff(tok)
			c.HandOff(tok) // a second one is a no-op
			<-release
			ended <- c.EndInline(tok)
			return
		}
		rb.msgCh <- m
	}
	c := inlinePair(t, rb)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("handoff")))
	sendInts(t, c, 100)
	wantInts(t, rb, 100)
	close(release)
	require.False(t, <-ended)
	require.Equal(t, uint64(1), serverConn(t, rb).inl.takeovers.Load())
}

// TestInlineCloseWhileBlocked: the connection closes while a handler
// blocks inline: the reader that took over reports it down (once), and
// the blocked goroutine, released, ends without reading.
func TestInlineCloseWhileBlocked(t *testing.T) {
	rb := newRecorder()
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	rb.onMsg = func(c *Conn, m Message) {
		if m.Payload == etf.Atom("block") {
			tok := c.BeginInline()
			close(entered)
			<-release
			c.EndInline(tok)
			close(done)
			return
		}
		rb.msgCh <- m
	}
	c := inlinePair(t, rb)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("block")))
	<-entered
	require.NoError(t, c.Close())
	rb.waitDown(t)
	close(release)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the released handler never returned")
	}
}
