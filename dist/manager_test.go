package dist

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConnectAndExchange(t *testing.T) {
	n := newMemNet()
	ra, rb := newRecorder(), newRecorder()
	a := n.node(t, Config{Name: "a@127.0.0.1", Creation: 11}, ra)
	n.node(t, Config{Name: "b@127.0.0.1", Creation: 22}, rb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, etf.Atom("b@127.0.0.1"), c.Peer())
	assert.Equal(t, uint32(22), c.PeerCreation())
	assert.Equal(t, DefaultFlags&^FlagMandatory25Digest, c.Flags())
	assert.False(t, c.Hidden())
	cb := rb.waitUp(t)
	assert.Equal(t, uint32(11), cb.PeerCreation())
	c2, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	assert.Same(t, c, c2)

	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Tuple{etf.Atom("hello"), 42}))
	m := rb.waitMsg(t)
	assert.Equal(t, Send{To: pid("b@127.0.0.1", 1)}, m.Control)
	assert.True(t, etf.Equal(etf.Tuple{etf.Atom("hello"), 42}, m.Payload))

	require.NoError(t, cb.Send(RegSend{From: pid("b@127.0.0.1", 2), To: "srv"}, etf.Atom("x")))
	m = ra.waitMsg(t)
	assert.Equal(t, RegSend{From: pid("b@127.0.0.1", 2), To: "srv"}, m.Control)

	require.NoError(t, a.Disconnect("b@127.0.0.1"))
	assert.ErrorIs(t, ra.waitDown(t), ErrClosed)
	assert.ErrorIs(t, rb.waitDown(t), io.EOF)
	<-c.Done()
	assert.ErrorIs(t, c.Send(Link{}, nil), ErrClosed)
	_, ok := a.Conn("b@127.0.0.1")
	assert.False(t, ok)
}

func TestConnectHidden(t *testing.T) {
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1", Hidden: true}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1"}, newRecorder())
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	assert.True(t, c.Hidden())
	assert.True(t, c.PeerFlags().Has(FlagPublished))
}

func TestConnectBadCookie(t *testing.T) {
	n := newMemNet()
	lb := &logCapture{}
	a := n.node(t, Config{Name: "a@127.0.0.1", Cookie: "one"}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1", Cookie: "two", Logger: lb.logger()}, newRecorder())
	_, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.ErrorIs(t, err, ErrBadCookie)
	require.ErrorIs(t, err, ErrHandshake)
	n.wg.Wait()
	assert.Contains(t, lb.text(), "invalid challenge reply")
}

func TestPerPeerCookie(t *testing.T) {
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1", Cookie: "default", CookieFor: func(p etf.Atom) string {
		if p == "b@127.0.0.1" {
			return "special"
		}
		return ""
	}}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1", Cookie: "special"}, newRecorder())
	n.node(t, Config{Name: "c@127.0.0.1", Cookie: "default"}, newRecorder())
	_, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	_, err = a.Connect(ctxT(t), "c@127.0.0.1")
	require.NoError(t, err)
}

func TestConnectConcurrentDedup(t *testing.T) {
	n := newMemNet()
	ra := newRecorder()
	a := n.node(t, Config{Name: "a@127.0.0.1"}, ra)
	n.node(t, Config{Name: "b@127.0.0.1"}, newRecorder())
	var wg sync.WaitGroup
	conns := make([]*Conn, 8)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := a.Connect(ctxT(t), "b@127.0.0.1")
			assert.NoError(t, err)
			conns[i] = c
		}()
	}
	wg.Wait()
	for _, c := range conns {
		assert.Same(t, conns[0], c)
	}
	assert.Len(t, a.Conns(), 1)
}

// TestSimultaneousConnect makes both nodes dial each other at once: the
// node with the greater name ("b") answers nok to a's attempt, and a
// answers ok_simultaneous to b's and aborts its own, so b's connection wins
// and both Connect calls return it.
func TestSimultaneousConnect(t *testing.T) {
	n := newMemNet()
	var barrier sync.WaitGroup
	barrier.Add(2)
	n.beforeDial = func(from, to etf.Atom) {
		barrier.Done()
		barrier.Wait()
	}
	la, lb := &logCapture{}, &logCapture{}
	ra, rb := newRecorder(), newRecorder()
	a := n.node(t, Config{Name: "a@127.0.0.1", Logger: la.logger()}, ra)
	b := n.node(t, Config{Name: "b@127.0.0.1", Logger: lb.logger()}, rb)
	var wg sync.WaitGroup
	var ca, cb *Conn
	var ea, eb error
	wg.Add(2)
	go func() { defer wg.Done(); ca, ea = a.Connect(ctxT(t), "b@127.0.0.1") }()
	go func() { defer wg.Done(); cb, eb = b.Connect(ctxT(t), "a@127.0.0.1") }()
	wg.Wait()
	require.NoError(t, ea)
	require.NoError(t, eb)
	require.NotNil(t, ca)
	require.NotNil(t, cb)
	assert.Len(t, a.Conns(), 1)
	assert.Len(t, b.Conns(), 1)
	// Exactly one connection each side, and they talk to each other.
	require.NoError(t, ca.Send(Send{To: pid("b@127.0.0.1", 1)}, 1))
	rb.waitMsg(t)
	require.NoError(t, cb.Send(Send{To: pid("a@127.0.0.1", 1)}, 2))
	ra.waitMsg(t)
	assert.Len(t, ra.upCh, 1) // one HandleConnUp each side
	assert.Len(t, rb.upCh, 1)
	n.wg.Wait()
	_, _ = la, lb
}

func TestConnectSelfAndErrors(t *testing.T) {
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1"}, newRecorder())
	_, err := a.Connect(ctxT(t), "a@127.0.0.1")
	assert.ErrorIs(t, err, ErrBadName)
	_, err = a.Connect(ctxT(t), "nobody@127.0.0.1")
	assert.Error(t, err)
	_, err = a.Connect(ctxT(t), "shortname@host")
	assert.ErrorIs(t, err, ErrBadName)
	require.NoError(t, a.Close())
	_, err = a.Connect(ctxT(t), "b@127.0.0.1")
	assert.ErrorIs(t, err, ErrClosed)
	assert.True(t, errors.Is(a.Disconnect("x@y.z"), ErrClosed))
}

// TestConnUpBeforeConnectReturns: Connect hands out a connection only after
// HandleConnUp returned, and a replaced connection is down before its
// successor is up.
func TestConnUpOrdering(t *testing.T) {
	n := newMemNet()
	var mu sync.Mutex
	var events []string
	log := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	slowUp := &funcHandler{
		up:   func(c *Conn) { time.Sleep(50 * time.Millisecond); log("up") },
		msg:  func(*Conn, Message) {},
		down: func(c *Conn, err error) { log("down") },
	}
	a := n.node(t, Config{Name: "a@127.0.0.1"}, slowUp)
	bh := &funcHandler{
		up:   func(c *Conn) { log("b-up") },
		msg:  func(*Conn, Message) {},
		down: func(c *Conn, err error) { log("b-down:" + err.Error()) },
	}
	b := n.node(t, Config{Name: "b@127.0.0.1"}, bh)
	_, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	mu.Lock()
	assert.True(t, len(events) > 0 && slices.Contains(events, "up"), "events %v", events)
	mu.Unlock()
	waitRegistered(t, b, "a@127.0.0.1")

	// a restarts (same name): b answers alive, the new one replaces the old.
	x, y := net.Pipe()
	defer x.Close()
	go func() { _, _ = b.ServeConn(y) }()
	o := wait(t, goClient(x, testCfg("a@127.0.0.1"), "b@127.0.0.1", clientOptions{AliveAnswer: func() bool { return true }}))
	require.NoError(t, o.err)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		var bev []string
		for _, e := range events {
			if strings.HasPrefix(e, "b-") {
				bev = append(bev, e)
			}
		}
		mu.Unlock()
		if len(bev) >= 3 {
			assert.Equal(t, []string{"b-up", "b-down:" + ErrReplaced.Error(), "b-up"}, bev[:3])
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events %v", bev)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConnectSetupTimeoutAndCloseDuringHandshake: a peer that accepts the
// transport but never answers fails Connect with ErrSetupTimeout; Close
// aborts a handshake in progress and leaks nothing (goleak).
func TestConnectSetupTimeoutAndCloseDuringHandshake(t *testing.T) {
	silent := make(chan net.Conn, 4)
	m, err := NewManager(Config{Name: "a@127.0.0.1", Cookie: "c", Logger: quietLogger(), SetupTimeout: 300 * time.Millisecond,
		Dial: func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
			x, y := net.Pipe()
			silent <- y
			go func() { _, _ = io.Copy(io.Discard, y) }()
			return x, 6, nil
		}}, newRecorder())
	require.NoError(t, err)
	_, err = m.Connect(ctxT(t), "b@127.0.0.1")
	require.ErrorIs(t, err, ErrSetupTimeout)

	// An incoming handshake that stalls is aborted by Close.
	x, y := net.Pipe()
	done := make(chan error, 1)
	go func() { _, err := m.ServeConn(y); done <- err }()
	writeHS(t, x, sendName{Version: 6, Flags: DefaultFlags, Creation: 1, Name: "c@127.0.0.1"}.append(nil))
	readHS(t, x) // status ok; then we go silent
	require.NoError(t, m.Close())
	require.Error(t, <-done)
	x.Close()
	close(silent)
	for y := range silent {
		y.Close()
	}
}
