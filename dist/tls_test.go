package dist

import (
	"crypto/tls"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTLSInMemory(t *testing.T) {
	pki := erltest.NewPKI(t)
	n := newMemNet()
	rb := newRecorder()
	a := n.node(t, Config{Name: "a@127.0.0.1", TLS: pki.TLS}, newRecorder())
	n.node(t, Config{Name: "b@127.0.0.1", TLS: pki.TLS}, rb)
	c, err := a.Connect(ctxT(t), "b@127.0.0.1")
	require.NoError(t, err)
	require.NoError(t, c.Send(Send{To: pid("b@127.0.0.1", 1)}, etf.Atom("over_tls")))
	assert.True(t, etf.Equal(etf.Atom("over_tls"), rb.waitMsg(t).Payload))
}

// TestErlTLS runs the distribution over TLS with erl started with
// -proto_dist inet_tls, in both directions, both sides verifying.
func TestErlTLS(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	pki := erltest.NewPKI(t)
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie, extra: []string{"-proto_dist", "inet_tls", "-ssl_dist_optfile", pki.SSLDistOptFile(t)}})
	g := startGo(t, ep, Config{Cookie: cookie, TLS: pki.TLS})

	t.Run("go dials erl", func(t *testing.T) {
		c, err := g.m.Connect(ctxT(t), erl.name)
		require.NoError(t, err)
		_, isTLS := c.nc.(*tls.Conn)
		assert.True(t, isTLS)
		msg := etf.Tuple{etf.Atom("tls"), etf.Binary("payload")}
		assert.True(t, etf.Equal(msg, echo(t, g, c, msg)))
		require.NoError(t, c.Close())
		<-c.Done()
		g.rec.waitUp(t)
		g.rec.waitDown(t)
		erl.waitGone(g.name)
	})
	t.Run("erl dials go", func(t *testing.T) {
		assert.Equal(t, "CONNECT true", erl.do("connect "+string(g.name), "CONNECT"))
		c := g.rec.waitUp(t)
		erl.do("send "+string(g.name)+" goproc", "SENT")
		g.waitPayload(t) // erl sends it twice
		g.waitPayload(t)
		msg := etf.Atom("back_over_tls")
		assert.True(t, etf.Equal(msg, echo(t, g, c, msg)))
	})
}
