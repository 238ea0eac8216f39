package dist

import (
	"crypto/tls"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTLSForPerPeer: Config.TLSFor picks TLS for one peer while another
// peer of the same Manager is reached over plain transport (TLS nil), and
// a nil answer falls back to Config.TLS.
func TestTLSForPerPeer(t *testing.T) {
	pki := erltest.NewPKI(t)
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1", TLSFor: func(peer etf.Atom) *tls.Config {
		if peer == "secure@127.0.0.1" {
			return pki.TLS
		}
		return nil
	}}, newRecorder())
	rs, rp := newRecorder(), newRecorder()
	n.node(t, Config{Name: "secure@127.0.0.1", TLS: pki.TLS}, rs)
	n.node(t, Config{Name: "plain@127.0.0.1"}, rp)

	cs, err := a.Connect(ctxT(t), "secure@127.0.0.1")
	require.NoError(t, err)
	_, isTLS := cs.nc.(*tls.Conn)
	assert.True(t, isTLS, "dialled secure@ without TLS")
	cp, err := a.Connect(ctxT(t), "plain@127.0.0.1")
	require.NoError(t, err)
	_, isTLS = cp.nc.(*tls.Conn)
	assert.False(t, isTLS, "dialled plain@ with TLS")

	require.NoError(t, cs.Send(Send{To: pid("secure@127.0.0.1", 1)}, etf.Atom("over_tls")))
	assert.True(t, etf.Equal(etf.Atom("over_tls"), rs.waitMsg(t).Payload))
	require.NoError(t, cp.Send(Send{To: pid("plain@127.0.0.1", 1)}, etf.Atom("over_tcp")))
	assert.True(t, etf.Equal(etf.Atom("over_tcp"), rp.waitMsg(t).Payload))
}

// TestTLSForFallsBackToTLS: TLSFor answering nil keeps Config.TLS, so a
// per-peer hook cannot silently turn a TLS node's dials into plain TCP.
func TestTLSForFallsBackToTLS(t *testing.T) {
	pki := erltest.NewPKI(t)
	n := newMemNet()
	a := n.node(t, Config{Name: "a@127.0.0.1", TLS: pki.TLS,
		TLSFor: func(etf.Atom) *tls.Config { return nil }}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1", TLS: pki.TLS}, newRecorder())
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	_, isTLS := c.nc.(*tls.Conn)
	assert.True(t, isTLS)
}
