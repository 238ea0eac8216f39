package dist

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"go.uber.org/goleak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recorder is a Handler that records events for assertions.
type recorder struct {
	mu    sync.Mutex
	ups   []*Conn
	downs map[*Conn]error
	upCh  chan *Conn
	dnCh  chan error
	msgCh chan Message
	onMsg func(c *Conn, m Message)
}

func newRecorder() *recorder {
	return &recorder{
		downs: map[*Conn]error{},
		upCh:  make(chan *Conn, 64),
		dnCh:  make(chan error, 64),
		msgCh: make(chan Message, 1<<16),
	}
}

func (r *recorder) HandleConnUp(c *Conn) {
	r.mu.Lock()
	r.ups = append(r.ups, c)
	r.mu.Unlock()
	r.upCh <- c
}

func (r *recorder) HandleMessage(c *Conn, m Message) {
	if r.onMsg != nil {
		r.onMsg(c, m)
		return
	}
	select {
	case r.msgCh <- m:
	default:
	}
}

func (r *recorder) HandleConnDown(c *Conn, reason error) {
	r.mu.Lock()
	if _, dup := r.downs[c]; dup {
		panic("HandleConnDown twice")
	}
	r.downs[c] = reason
	r.mu.Unlock()
	r.dnCh <- reason
}

func (r *recorder) waitMsg(t *testing.T) Message {
	t.Helper()
	select {
	case m := <-r.msgCh:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("timed out waiting for a message")
	}
	return Message{}
}

func (r *recorder) waitDown(t *testing.T) error {
	t.Helper()
	select {
	case e := <-r.dnCh:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("timed out waiting for a connection down")
	}
	return nil
}

func (r *recorder) waitUp(t *testing.T) *Conn {
	t.Helper()
	select {
	case c := <-r.upCh:
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("timed out waiting for a connection up")
	}
	return nil
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// logCapture is a slog handler collecting messages and attrs as text.
type logCapture struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCapture) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(logWriter{l}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type logWriter struct{ l *logCapture }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	w.l.lines = append(w.l.lines, string(p))
	w.l.mu.Unlock()
	return len(p), nil
}

func (l *logCapture) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := ""
	for _, x := range l.lines {
		s += x
	}
	return s
}

// memNet is an in-memory network of Managers: Dial hands one end of a
// net.Pipe to the peer's ServeConn.
type memNet struct {
	mu    sync.Mutex
	nodes map[etf.Atom]*Manager
	// beforeDial, if set, runs at the start of every dial (e.g. a barrier).
	beforeDial func(from, to etf.Atom)
	wg         sync.WaitGroup
}

func newMemNet() *memNet { return &memNet{nodes: map[etf.Atom]*Manager{}} }

func (n *memNet) dialer(from etf.Atom) func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
	return func(ctx context.Context, peer etf.Atom) (net.Conn, int, error) {
		if n.beforeDial != nil {
			n.beforeDial(from, peer)
		}
		n.mu.Lock()
		m, ok := n.nodes[peer]
		n.mu.Unlock()
		if !ok {
			return nil, 0, errors.New("no such node")
		}
		a, b := net.Pipe()
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			_, _ = m.ServeConn(b)
		}()
		return a, 6, nil
	}
}

// node creates a Manager on the memNet; cfg.Name must be set.
func (n *memNet) node(t *testing.T, cfg Config, h Handler) *Manager {
	t.Helper()
	if cfg.Cookie == "" {
		cfg.Cookie = "cookie"
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	cfg.Dial = n.dialer(cfg.Name)
	m, err := NewManager(cfg, h)
	require.NoError(t, err)
	n.mu.Lock()
	n.nodes[cfg.Name] = m
	n.mu.Unlock()
	t.Cleanup(func() {
		_ = m.Close()
		n.wg.Wait()
	})
	return m
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// readHS reads one handshake message as a scripted raw peer.
func readHS(t *testing.T, c net.Conn) []byte {
	t.Helper()
	h := &hsIO{nc: c, timeout: 10 * time.Second}
	b, err := h.read()
	require.NoError(t, err)
	return b
}

func writeHS(t *testing.T, c net.Conn, b []byte) {
	t.Helper()
	h := &hsIO{nc: c, timeout: 10 * time.Second}
	require.NoError(t, h.write(func(d []byte) []byte { return append(d, b...) }))
}

func pid(node string, id uint32) etf.PID {
	return etf.PID{Node: etf.Atom(node), ID: id, Serial: 0, Creation: 7}
}

func ref(node string, a uint32) etf.Ref {
	return etf.Ref{Node: etf.Atom(node), Creation: 7, Len: 3, ID: [5]uint32{a, 2, 3}}
}

// idleStaysUp idles for n tick times, the behaviour under test, and fails
// at once if any of conns goes down meanwhile. It then asserts evidence
// that ticks flowed on each connection: with net_tickintensity 4 an idle
// peer ticks 4 times per tick time, so at least n reads (one per tick time,
// a 4x margin for a loaded machine) must have arrived; fewer would mean the
// connection survived by luck, not by ticking.
func idleStaysUp(t *testing.T, tick time.Duration, n int, conns ...*Conn) {
	t.Helper()
	before := make([]uint64, len(conns))
	for i, c := range conns {
		before[i] = c.readCnt.Load()
	}
	end := time.After(time.Duration(n) * tick)
	for waiting := true; waiting; {
		select {
		case <-end:
			waiting = false
		case <-time.After(tick / 4):
			for _, c := range conns {
				select {
				case <-c.Done():
					t.Fatalf("connection to %s went down while idle: %v", c.Peer(), c.Err())
				default:
				}
			}
		}
	}
	for i, c := range conns {
		require.NoError(t, c.Err(), "connection to %s", c.Peer())
		got := c.readCnt.Load() - before[i]
		assert.GreaterOrEqual(t, got, uint64(n), "reads (ticks) from %s during %d idle tick times", c.Peer(), n)
		t.Logf("%s: %d reads during %d idle tick times", c.Peer(), got, n)
	}
}
