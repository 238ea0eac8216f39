package dist

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/stretchr/testify/require"
)

// TestReconnectAfterCloseAnsweredOK: a peer closes its connection and
// connects again under the same name before our reader has seen the close
// (here it is stuck in a handler). The new handshake is answered ok, not
// alive: a C node such as erl_call, which always names itself the same,
// fails on alive (it failed about 1 call in 20 on a loaded machine), and
// BEAM, which sees the close at once, would answer ok too. Once the
// handler returns, the old connection is down and the new one is in use.
func TestReconnectAfterCloseAnsweredOK(t *testing.T) {
	rb := newRecorder()
	release := make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	rb.onMsg = func(c *Conn, m Message) {
		if m.Payload == etf.Atom("block") {
			<-release
		}
		rb.msgCh <- m
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b, err := NewManager(Config{Name: "b@127.0.0.1", Cookie: "cookie", Logger: quietLogger()}, rb)
	require.NoError(t, err)
	go func() { _ = b.Serve(l) }()
	t.Cleanup(func() { _ = b.Close() })
	t.Cleanup(unblock) // runs first: the stuck reader must be able to end

	// The first connection: a message that keeps b's reader in the
	// handler, then the peer goes away.
	nc, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	first := wait(t, goClient(nc, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{}))
	require.NoError(t, first.err)
	old := rb.waitUp(t)
	waitRegistered(t, b, "a@127.0.0.1")
	enc := newEncConn(t, first.res.Flags, 0)
	require.NoError(t, enc.appendMessage(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("block"), true))
	_, err = nc.Write(enc.wbuf)
	require.NoError(t, err)
	require.NoError(t, nc.Close())

	// The second: refuses alive, as ei does. The close may take a moment
	// to reach b's socket, so a refused attempt is retried.
	var second hsOut
	deadline := time.Now().Add(5 * time.Second)
	for {
		nc2, err := net.Dial("tcp", l.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = nc2.Close() })
		second = wait(t, goClient(nc2, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{AliveAnswer: func() bool { return false }}))
		if second.err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // retry interval
	}
	require.NoError(t, second.err, "the reconnect was refused")
	require.Equal(t, statusOK, second.res.Status)

	unblock()
	require.Equal(t, etf.Atom("block"), rb.waitMsg(t).Payload)
	require.ErrorIs(t, rb.waitDown(t), ErrReplaced)
	require.NotSame(t, old, rb.waitUp(t))
	waitRegistered(t, b, "a@127.0.0.1")
}
