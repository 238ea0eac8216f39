package tcp

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/erlgo/erlgo/node"
)

// Dial connects to addr ("host:port") and returns the socket, a process
// spawned linked to owner (its controlling process) and trapping exits:
// gen_tcp:connect/4. The connection attempt is bounded by ctx, or by
// WithConnectTimeout when ctx has no deadline; a failure is ErrConnect
// wrapping the net or tls cause. WithReconnect keeps the socket alive
// across connections: when one ends, owner gets Closed, the socket redials
// with back-off, and owner gets Connected once it is back. When owner
// exits, for any reason, the socket closes; when the socket's process
// dies, owner gets an exit signal (ExitMsg when trapping; the reason is
// normal when the connection simply ended).
func Dial(ctx context.Context, owner *node.Process, addr string, opts ...Option) (*Socket, error) {
	if owner == nil {
		return nil, optionError("nil owner")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	dial := func(ctx context.Context) (net.Conn, error) { return dialOnce(ctx, addr, &cfg) }
	dctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, cfg.connectTO)
		defer cancel()
	}
	conn, err := dial(dctx)
	if err != nil {
		return nil, err
	}
	s := newSocket(owner.Node(), cfg, conn, owner)
	if cfg.reconnect {
		s.redial = dial
	}
	if err := s.start(owner, cfg.spawnOpts...); err != nil {
		return nil, err
	}
	return s, nil
}

func dialOnce(ctx context.Context, addr string, cfg *config) (net.Conn, error) {
	var d net.Dialer
	var conn net.Conn
	var err error
	if cfg.tls != nil {
		td := tls.Dialer{NetDialer: &d, Config: cfg.tls}
		conn, err = td.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrConnect, addr, err)
	}
	return conn, nil
}
