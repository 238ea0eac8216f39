// Spec: Distribution Protocol / Distribution Handshake, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-handshake

package dist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// Connect returns the connection to peer, dialling it (with the initiator
// handshake) if there is none. Concurrent calls for one peer share one
// attempt; a simultaneous connect from the peer is resolved by name order
// as net_kernel does, and Connect then returns whichever connection won.
func (m *Manager) Connect(ctx context.Context, peer etf.Atom) (*Conn, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	if c, ok := m.conns[peer]; ok {
		m.mu.Unlock()
		return c, nil
	}
	if peer == m.cfg.Name {
		m.mu.Unlock()
		return nil, fmt.Errorf("%w: cannot connect to ourselves", ErrBadName)
	}
	if err := checkPeerName(string(m.cfg.Name), string(peer)); err != nil {
		m.mu.Unlock()
		return nil, fmt.Errorf("dist: cannot connect to %q: %w", peer, err)
	}
	p, ok := m.pending[peer]
	if !ok {
		if m.cfg.Dial == nil {
			m.mu.Unlock()
			return nil, ErrNoDial
		}
		p = &pending{done: make(chan struct{})}
		m.pending[peer] = p
		m.wg.Add(1)
		go m.dial(peer, p)
	}
	m.mu.Unlock()
	select {
	case <-p.done:
		return p.conn, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dial runs one outgoing attempt for p. It is bounded by the handshake's
// per-step timeouts, not by any one caller's ctx, since callers share it.
func (m *Manager) dial(peer etf.Atom, p *pending) {
	defer m.wg.Done()
	ctx, cancel := context.WithTimeout(m.ctx, 4*m.cfg.SetupTimeout)
	defer cancel()
	c, err := m.dialOnce(ctx, peer, p, nil)
	m.mu.Lock()
	if err == nil {
		m.mu.Unlock()
		return // register resolved p
	}
	if !p.abort && !errors.Is(err, ErrNok) {
		m.resolveLocked(peer, p, nil, err)
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	_ = c
	// We lost a simultaneous connect: the peer's connection resolves p.
	// Give it one setup time more before failing the waiters.
	t := time.NewTimer(2 * m.cfg.SetupTimeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		m.finishPending(peer, p, nil, err)
	case <-m.ctx.Done():
		m.finishPending(peer, p, nil, ErrClosed)
	}
}

// dialOnce runs one initiator attempt for p over nc, or over a transport
// from Config.Dial when nc is nil.
func (m *Manager) dialOnce(ctx context.Context, peer etf.Atom, p *pending, nc net.Conn) (*Conn, error) {
	ver := 0
	if nc == nil {
		// The EPMD lookup and TCP connect get net_setuptime, as in OTP
		// (inet_tcp_dist bounds both by net_kernel:connecttime()). Under
		// the whole attempt's 4x bound, a black-holed SYN kept the attempt
		// pending for 28 s, and every later Connect to the peer joined it
		// and failed, even after the network had healed.
		dctx, dcancel := context.WithTimeout(ctx, m.cfg.SetupTimeout)
		var err error
		nc, ver, err = m.cfg.Dial(dctx, peer)
		dcancel()
		if err != nil {
			return nil, fmt.Errorf("dist: dial %s: %w", peer, err)
		}
	}
	m.mu.Lock()
	if m.closed || p.abort {
		m.mu.Unlock()
		_ = nc.Close()
		if p.abort {
			return nil, hsErr(ErrNok, "attempt to %s aborted by simultaneous connect", peer)
		}
		return nil, ErrClosed
	}
	p.nc = nc
	m.raw[nc] = struct{}{}
	m.mu.Unlock()
	defer m.untrackRaw(nc)
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	defer stop()

	tc, err := m.tlsClient(ctx, nc, peer)
	if err != nil {
		return nil, err
	}
	res, err := clientHandshake(tc, &m.cfg, peer, clientOptions{
		PeerVersion: ver,
		AliveAnswer: func() bool {
			m.mu.Lock()
			defer m.mu.Unlock()
			_, up := m.conns[peer]
			return !up
		},
	})
	if err != nil {
		_ = tc.Close()
		m.mu.Lock()
		aborted := p.abort
		m.mu.Unlock()
		if aborted {
			return nil, hsErr(ErrNok, "attempt to %s aborted by simultaneous connect", peer)
		}
		if !errors.Is(err, ErrNok) {
			m.log.Debug("dist: connect handshake failed", slog.String("peer", string(peer)), slog.Any("err", err))
		}
		return nil, err
	}
	m.mu.Lock()
	aborted := p.abort
	m.mu.Unlock()
	if aborted {
		_ = tc.Close()
		return nil, hsErr(ErrNok, "attempt to %s aborted by simultaneous connect", peer)
	}
	c := newConn(m, tc, res)
	if err := m.register(c, p); err != nil {
		_ = tc.Close()
		return nil, err
	}
	return c, nil
}

// ConnectConn runs the initiator handshake to peer over an already open
// transport connection (the in-memory seam), without arbitration by a
// Dial function. TLS is applied if configured.
func (m *Manager) ConnectConn(ctx context.Context, nc net.Conn, peer etf.Atom) (*Conn, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		_ = nc.Close()
		return nil, ErrClosed
	}
	if c, ok := m.conns[peer]; ok {
		m.mu.Unlock()
		_ = nc.Close()
		return c, nil
	}
	p, ok := m.pending[peer]
	if !ok {
		p = &pending{done: make(chan struct{})}
		m.pending[peer] = p
	}
	m.wg.Add(1)
	m.mu.Unlock()
	defer m.wg.Done()
	c, err := m.dialOnce(ctx, peer, p, nc)
	if err != nil {
		m.mu.Lock()
		if !p.abort {
			m.resolveLocked(peer, p, nil, err)
		}
		m.mu.Unlock()
		if p.abort || errors.Is(err, ErrNok) {
			select {
			case <-p.done:
				return p.conn, p.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return nil, err
	}
	return c, nil
}
