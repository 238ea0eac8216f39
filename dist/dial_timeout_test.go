package dist

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/stretchr/testify/require"
)

// TestDialBoundedBySetupTime: a dial whose TCP connect never completes (a
// black-holed SYN) fails after SetupTimeout, as OTP's connect does after
// net_setuptime, and a Connect after the network heals starts a fresh
// attempt. The dial used to be bounded only by 4 x SetupTimeout, so the
// dead attempt stayed pending and a Connect made after the heal joined it
// and failed (found by integration/partition's asymmetric loss case).
func TestDialBoundedBySetupTime(t *testing.T) {
	const setup = 500 * time.Millisecond
	n := newMemNet()
	n.node(t, Config{Name: "b@127.0.0.1"}, newRecorder())
	var blackhole atomic.Bool
	blackhole.Store(true)
	cfg := Config{Name: "a@127.0.0.1", Cookie: "cookie", Logger: quietLogger(), SetupTimeout: setup}
	real := n.dialer(cfg.Name)
	cfg.Dial = func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
		if blackhole.Load() {
			<-ctx.Done() // the SYN is lost: only the deadline ends the dial
			return nil, 0, ctx.Err()
		}
		return real(ctx, peer)
	}
	a, err := NewManager(cfg, newRecorder())
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close(); n.wg.Wait() })

	start := time.Now()
	_, err = a.Connect(ctxT(t), "b@127.0.0.1")
	took := time.Since(start)
	require.Error(t, err)
	require.Less(t, took, 3*setup, "a black-holed dial must give up after about SetupTimeout")

	blackhole.Store(false)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err, "a Connect after the heal must not inherit the failed attempt")
	require.Equal(t, etf.Atom("b@127.0.0.1"), c.Peer())
}
