// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Handler receives connection events from a Manager.
type Handler interface {
	// HandleConnUp is called after a handshake completes, before any
	// HandleMessage for c.
	HandleConnUp(c *Conn)
	// HandleMessage is called sequentially from c's single reader
	// goroutine, in wire order. It must not block for long: a blocked
	// handler stalls the connection (and eventually its ticks), and
	// small frames queued for the peer while more packets wait in the
	// read buffer leave only when the reader goes on (writer_cork.go). In
	// particular it should not Send on a connection whose queue may be
	// full: if the peer is blocked writing to us at the same time, neither
	// side reads (the write timeout eventually breaks the tie).
	HandleMessage(c *Conn, m Message)
	// HandleConnDown is called exactly once for every Conn that was up,
	// after its last HandleMessage. reason is e.g. ErrTickTimeout, io.EOF,
	// ErrClosed or an ErrMalformed error.
	HandleConnDown(c *Conn, reason error)
}

// Manager owns the distribution connections of one node: it accepts
// (Serve), dials (Connect), arbitrates simultaneous connects the way
// net_kernel does, and keeps at most one connection per peer.
type Manager struct {
	cfg Config
	h   Handler
	log *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	conns     map[etf.Atom]*Conn
	pending   map[etf.Atom]*pending
	listeners map[net.Listener]struct{}
	raw       map[net.Conn]struct{} // connections in handshake
	wg        sync.WaitGroup        // Serve loops and handshakes
}

// pending is a connection setup in progress for one peer.
type pending struct {
	done   chan struct{} // closed when conn or err is final
	conn   *Conn
	err    error
	accept bool     // an accepted handshake (not our dial)
	nc     net.Conn // our dial's transport, closed to abort it
	abort  bool     // our dial lost a simultaneous connect
}

// NewManager validates cfg, applies defaults and returns a Manager. h must
// not be nil.
func NewManager(cfg Config, h Handler) (*Manager, error) {
	if h == nil {
		return nil, errors.New("dist: nil Handler")
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{
		cfg: c, h: h, log: c.Logger.With(slog.String("node", string(c.Name))),
		ctx: ctx, cancel: cancel,
		conns: map[etf.Atom]*Conn{}, pending: map[etf.Atom]*pending{},
		listeners: map[net.Listener]struct{}{}, raw: map[net.Conn]struct{}{},
	}, nil
}

// Name returns this node's name.
func (m *Manager) Name() etf.Atom { return m.cfg.Name }

// Config returns the effective configuration (defaults applied).
func (m *Manager) Config() Config { return m.cfg }

// Serve accepts connections on l and runs the acceptor handshake for each
// in its own goroutine. It returns when l fails or the Manager is closed
// (then with ErrClosed). Serve does not close l on error other than Close.
func (m *Manager) Serve(l net.Listener) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	m.listeners[l] = struct{}{}
	m.wg.Add(1)
	m.mu.Unlock()
	defer m.wg.Done()
	defer func() {
		m.mu.Lock()
		delete(m.listeners, l)
		m.mu.Unlock()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if m.isClosed() {
				return ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		if !m.trackRaw(nc) {
			_ = nc.Close()
			return ErrClosed
		}
		go func() {
			defer m.wg.Done()
			_, _ = m.accept(nc) // accept logs its own failures
		}()
	}
}

// ServeConn runs the acceptor handshake on one already accepted transport
// connection (the in-memory seam) and starts the connection on success.
func (m *Manager) ServeConn(nc net.Conn) (*Conn, error) {
	if !m.trackRaw(nc) {
		_ = nc.Close()
		return nil, ErrClosed
	}
	defer m.wg.Done()
	return m.accept(nc)
}

// trackRaw records a transport in handshake so Close can abort it; it
// adds one to m.wg which the caller must release.
func (m *Manager) trackRaw(nc net.Conn) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.raw[nc] = struct{}{}
	m.wg.Add(1)
	return true
}

func (m *Manager) untrackRaw(nc net.Conn) {
	m.mu.Lock()
	delete(m.raw, nc)
	m.mu.Unlock()
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

func (m *Manager) accept(nc net.Conn) (*Conn, error) {
	defer m.untrackRaw(nc)
	tc, err := m.tlsServer(nc)
	if err != nil {
		return nil, err
	}
	var p *pending
	res, err := serverHandshake(tc, &m.cfg, serverOptions{
		Decide: func(peer etf.Atom) acceptDecision {
			var d acceptDecision
			d, p = m.decideAccept(peer)
			return d
		},
		AssignName: m.assignName,
	})
	if err != nil {
		_ = tc.Close()
		if p != nil {
			m.finishPending(res.Peer, p, nil, err)
		}
		if errors.Is(err, ErrNok) {
			m.log.Debug("dist: simultaneous connect, our own attempt wins", slog.String("peer", string(res.Peer)))
		} else {
			m.log.Debug("dist: accept handshake failed", slog.String("peer", string(res.Peer)), slog.Any("err", err))
		}
		return nil, err
	}
	c := newConn(m, tc, res)
	if err := m.register(c, p); err != nil {
		_ = tc.Close()
		return nil, err
	}
	return c, nil
}

// decideAccept implements net_kernel's arbitration for an incoming
// handshake from peer: alive if a connection is up, ok_simultaneous or nok
// when our own dial is pending (the greater name wins), else ok. For ok and
// ok_simultaneous it installs an accept pending entry and returns it.
func (m *Manager) decideAccept(peer etf.Atom) (acceptDecision, *pending) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return acceptDecision{Status: statusNotAllowed}, nil
	}
	if peer == m.cfg.Name {
		return acceptDecision{Status: statusNotAllowed}, nil
	}
	if old, ok := m.conns[peer]; ok {
		if old.goingDown() {
			// That connection is going down (the peer closed it, perhaps
			// unseen yet) and this is the peer's next one: answer as a
			// node that is done with the old one would. A C
			// node (erl_call, ei) cannot answer alive, and reconnects under
			// the same name right after it closes; BEAM, which notices the
			// close at once, answers it ok.
			old.log.Debug("dist: the peer reconnects while its old connection goes down; replacing it")
			return acceptDecision{Status: statusOK}, m.takeOverPending(peer)
		}
		return acceptDecision{Status: statusAlive, OnAliveTrue: func() { old.closeWith(ErrReplaced) }}, m.takeOverPending(peer)
	}
	if p, ok := m.pending[peer]; ok {
		if p.accept {
			// Another incoming handshake from the same peer is running.
			return acceptDecision{Status: statusNok}, nil
		}
		if m.cfg.Name > peer {
			// Our own attempt wins; the peer waits for it.
			return acceptDecision{Status: statusNok}, nil
		}
		// The peer's attempt wins: abort ours, but keep its waiters.
		p.abort = true
		p.accept = true
		if p.nc != nil {
			_ = p.nc.Close()
		}
		return acceptDecision{Status: statusOKSimultaneous}, p
	}
	p := &pending{done: make(chan struct{}), accept: true}
	m.pending[peer] = p
	return acceptDecision{Status: statusOK}, p
}

// takeOverPending installs an accept pending entry (mu held).
func (m *Manager) takeOverPending(peer etf.Atom) *pending {
	if p, ok := m.pending[peer]; ok {
		p.accept = true
		return p
	}
	p := &pending{done: make(chan struct{}), accept: true}
	m.pending[peer] = p
	return p
}

// finishPending resolves p (if still the pending entry of peer).
func (m *Manager) finishPending(peer etf.Atom, p *pending, c *Conn, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resolveLocked(peer, p, c, err)
}

func (m *Manager) resolveLocked(peer etf.Atom, p *pending, c *Conn, err error) {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	p.conn, p.err = c, err
	close(p.done)
	if m.pending[peer] == p {
		delete(m.pending, peer)
	}
}

// register announces an established connection and installs it. Order
// matters to the node layer: a connection being replaced (alive/true) is
// fully down (HandleConnDown returned) before the new one's HandleConnUp,
// and HandleConnUp returns before Connect, Conn or Conns can hand the new
// connection out or its reader delivers anything.
func (m *Manager) register(c *Conn, p *pending) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	old := m.conns[c.peer]
	m.mu.Unlock()
	if old != nil && old != c {
		old.closeWith(ErrReplaced)
		<-old.Done()
	}
	c.log.Debug("dist: connection up", slog.String("flags", c.flags.String()), slog.Bool("hidden", c.Hidden()))
	m.h.HandleConnUp(c)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		// It was announced, so it must also go down through its reader.
		c.closeWith(ErrClosed)
		c.run()
		<-c.Done()
		return ErrClosed
	}
	m.conns[c.peer] = c
	if p == nil {
		p = m.pending[c.peer]
	}
	m.resolveLocked(c.peer, p, c, nil)
	m.mu.Unlock()
	c.run()
	return nil
}

// connDown removes c and calls HandleConnDown (from c's reader goroutine).
func (m *Manager) connDown(c *Conn, reason error) {
	m.mu.Lock()
	if m.conns[c.peer] == c {
		delete(m.conns, c.peer)
	}
	m.mu.Unlock()
	m.log.Debug("dist: connection down", slog.String("peer", string(c.peer)), slog.Any("reason", reason))
	m.h.HandleConnDown(c, reason)
}

// assignName generates a dynamic name for a NAME_ME peer (acceptor side).
func (m *Manager) assignName(host string) (etf.Atom, uint32) {
	cr := randUint32()
	if cr == 0 {
		cr = 1
	}
	return etf.Atom("anon" + strconv.FormatUint(uint64(randUint32()), 16) + "@" + host), cr
}

// Conn returns the up connection to peer, if any.
func (m *Manager) Conn(peer etf.Atom) (*Conn, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.conns[peer]
	return c, ok
}

// Conns returns the up connections.
func (m *Manager) Conns() []*Conn {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Conn, 0, len(m.conns))
	for _, c := range m.conns {
		out = append(out, c)
	}
	return out
}

// Disconnect closes the connection to peer (HandleConnDown fires with
// ErrClosed). It returns ErrClosed if there is none.
func (m *Manager) Disconnect(peer etf.Atom) error {
	c, ok := m.Conn(peer)
	if !ok {
		return ErrClosed
	}
	return c.Close()
}

// Close stops Serve loops, aborts handshakes, closes every connection and
// waits until HandleConnDown has run for each. It closes the listeners
// passed to Serve (the only way to unblock Accept). Do not call it from
// a Handler callback.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.cancel()
	for l := range m.listeners {
		_ = l.Close()
	}
	for nc := range m.raw {
		_ = nc.Close()
	}
	conns := make([]*Conn, 0, len(m.conns))
	for _, c := range m.conns {
		conns = append(conns, c)
	}
	for peer, p := range m.pending {
		m.resolveLocked(peer, p, nil, ErrClosed)
	}
	m.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
	for _, c := range conns {
		<-c.Done()
	}
	m.wg.Wait()
	return nil
}
