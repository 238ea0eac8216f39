package dist

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"

	"github.com/erlgo/erlgo/etf"
)

// TLS distribution, interoperable with OTP's -proto_dist inet_tls: the
// transport is wrapped in TLS before the distribution handshake, which
// then runs inside TLS with 4-byte length framing (see hsIO), followed by
// the usual 4-byte packets. Certificates and verification come from
// Config.TLS; for a client the ServerName defaults to the peer's host part
// so both sides verify like OTP's verify_peer. Each TLS handshake is bounded
// by SetupTimeout.

// tlsServer wraps an accepted transport when TLS is configured.
func (m *Manager) tlsServer(nc net.Conn) (net.Conn, error) {
	if m.cfg.TLS == nil {
		return nc, nil
	}
	tlsc := tls.Server(nc, m.cfg.TLS)
	ctx, cancel := context.WithTimeout(m.ctx, m.cfg.SetupTimeout)
	defer cancel()
	if err := tlsc.HandshakeContext(ctx); err != nil {
		m.log.Warn("dist: TLS handshake failed on accept", slog.String("remote", nc.RemoteAddr().String()), slog.Any("err", err))
		_ = nc.Close()
		return nil, hsErr(nil, "TLS: %v", err)
	}
	return tlsc, nil
}

// tlsClient wraps a dialled transport when TLS is configured for peer
// (Config.TLSFor, else Config.TLS).
func (m *Manager) tlsClient(ctx context.Context, nc net.Conn, peer etf.Atom) (net.Conn, error) {
	base := m.cfg.TLS
	if m.cfg.TLSFor != nil {
		if c := m.cfg.TLSFor(peer); c != nil {
			base = c
		}
	}
	if base == nil {
		return nc, nil
	}
	cfg := base.Clone()
	if cfg.ServerName == "" {
		if _, host, err := splitName(string(peer)); err == nil {
			cfg.ServerName = host
		}
	}
	tlsc := tls.Client(nc, cfg)
	hctx, cancel := context.WithTimeout(ctx, m.cfg.SetupTimeout)
	defer cancel()
	if err := tlsc.HandshakeContext(hctx); err != nil {
		_ = nc.Close()
		return nil, hsErr(nil, "TLS with %s: %v", peer, err)
	}
	return tlsc, nil
}
