package node

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestCallToUnreachableNodeFailsOnce: a Call to a node whose connection
// setup never completes (an EPMD that accepts and never answers, like a
// black-holed host) fails with ErrNoConnection after one setup attempt.
// The send used to wait for the monitor's background attempt and then
// start a second one, so the Call took two setup times (14 s where BEAM's
// gen_server:call exits {nodedown, Node} after net_setuptime, 7 s; found
// by integration/partition).
func TestCallToUnreachableNodeFailsOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var held []net.Conn
	var mu sync.Mutex
	wg.Add(1)
	go func() { // a silent EPMD: lookups hang until the dialer gives up
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	n, err := Start(context.Background(), "setupfail"+itoa(int(nodeSeq.Add(1)))+"@127.0.0.1",
		WithCookie("c"), WithoutEPMD(), WithEPMD("127.0.0.1", ln.Addr().(*net.TCPAddr).Port), WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = n.Stop(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	_, err = n.Call(ctx, Name{Name: "srv", Node: "ghost@127.0.0.1"}, etf.Atom("ping"))
	took := time.Since(start)
	if !errors.Is(err, ErrNoConnection) {
		t.Fatalf("Call to an unreachable node: %v, want ErrNoConnection", err)
	}
	// One attempt is bounded by the setup time (7 s, net_setuptime); two
	// would take 14 s.
	if took > 11*time.Second {
		t.Fatalf("Call to an unreachable node failed after %v: more than one setup attempt", took)
	}
}
