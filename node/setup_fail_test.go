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
// blackHoleNode starts a node whose EPMD accepts lookups and never answers,
// so that every connection attempt hangs until net_setuptime, as towards a
// black-holed host.
func blackHoleNode(t *testing.T) *Node {
	t.Helper()
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
	return n
}

func TestCallToUnreachableNodeFailsOnce(t *testing.T) {
	t.Parallel()
	n := blackHoleNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	_, err := n.Call(ctx, Name{Name: "srv", Node: "ghost@127.0.0.1"}, etf.Atom("ping"))
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

// TestSendToUnreachableNodeDoesNotBlock: erlang:send/2 (and exit/2) never
// suspend the sender for a connection setup; the message waits behind the background
// attempt and is dropped when it fails. Before, the sender waited the
// whole net_setuptime (7 s), so a server replying to a caller on a
// partitioned node stalled for it.
func TestSendToUnreachableNodeDoesNotBlock(t *testing.T) {
	t.Parallel()
	n := blackHoleNode(t)
	pr := spawnProbe(t, n)
	start := time.Now()
	pr.do(func(p *Process) error {
		for i := range 100 {
			if err := p.Send(Name{Name: "srv", Node: "ghost@127.0.0.1"}, i); err != nil {
				t.Errorf("send %d: %v", i, err)
			}
		}
		// exit/2 does not wait for the connection either.
		return p.Exit(etf.PID{Node: "ghost@127.0.0.1", ID: 1}, etf.Atom("bye"))
	})
	// Far below the 7 s the attempt takes: the sends only queued.
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("100 sends to an unreachable node took %v", took)
	}
	// The process is free meanwhile, and the Call it makes next fails
	// with the attempt the sends are queued behind.
	pr.sync()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := n.Call(ctx, Name{Name: "srv", Node: "ghost@127.0.0.1"}, etf.Atom("ping")); !errors.Is(err, ErrNoConnection) {
		t.Fatalf("Call after the sends: %v, want ErrNoConnection", err)
	}
}

// TestSendsBeforeConnectArriveInOrder: messages sent while the connection
// is set up in the background are delivered once it is up, in order, and
// in order with what the sender sends after it is up.
func TestSendsBeforeConnectArriveInOrder(t *testing.T) {
	a, b := goPair(t)
	sink := spawnProbe(t, b, WithName("sink"))
	src := spawnProbe(t, a)
	const total = 2000
	src.do(func(p *Process) error {
		for i := range total {
			if err := p.Send(Name{Name: "sink", Node: b.Name()}, i); err != nil {
				return err
			}
		}
		return nil
	})
	for i := range total {
		if m := sink.recv(); m != i {
			t.Fatalf("message %d: got %#v", i, m)
		}
	}
}
