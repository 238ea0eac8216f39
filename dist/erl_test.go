package dist

import (
	"bytes"
	"crypto/md5"
	"io"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests against a real erl (OTP from Debian) through a private epmd.

// waitPayload waits for a message to g.self or to the name goproc and
// returns its payload, skipping other traffic.
func (g *goNode) waitPayload(t *testing.T) etf.Term {
	t.Helper()
	for {
		m := g.rec.waitMsg(t)
		switch c := m.Control.(type) {
		case Send:
			if c.To == g.self {
				return m.Payload
			}
		case RegSend:
			if c.To == "goproc" {
				return m.Payload
			}
		}
		// anything else (global, net_kernel chatter) is ignored
	}
}

func echo(t *testing.T, g *goNode, c *Conn, msg etf.Term) etf.Term {
	t.Helper()
	require.NoError(t, c.Send(RegSend{From: g.self, To: "echo"}, etf.Tuple{etf.Atom("echo"), g.self, msg}))
	got := g.waitPayload(t)
	tup, ok := got.(etf.Tuple)
	require.True(t, ok && len(tup) == 2 && tup[0] == etf.Atom("echoed"), "reply %#v", got)
	return tup[1]
}

func TestErlGoDialsErl(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie})
	g := startGo(t, ep, Config{Cookie: cookie})
	c, err := g.m.Connect(ctxT(t), erl.name)
	require.NoError(t, err)
	assert.True(t, c.Flags().Has(FlagFragments|FlagDistHdrAtomCache|FlagSpawn|FlagAlias|FlagUnlinkID|FlagV4NC|FlagPublished), "flags %v", c.Flags())
	assert.False(t, c.Flags().Has(FlagAltactSig), "OTP 25 has no ALTACT_SIG")

	msg := etf.Tuple{etf.Atom("some_atom"), etf.Atom("another_atom"), etf.Atom("ünïcödé"), 42, etf.Binary("bin"), g.self}
	for i := 0; i < 3; i++ {
		assert.True(t, etf.Equal(msg, echo(t, g, c, msg)))
	}
	st := c.Stats()
	// Our later messages reused the cache, so erl honoured cached refs;
	// erl's replies used cached refs too, which we decoded.
	assert.True(t, st.CacheHitsOut > 0 && st.CacheNewOut > 0, "out stats %+v", st)
	assert.True(t, st.CacheHitsIn > 0 && st.CacheNewIn > 0, "in stats %+v", st)
	assert.Contains(t, erl.do("nodes", "NODES"), string(g.name))
}

func TestErlDialsGo(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie})
	g := startGo(t, ep, Config{Cookie: cookie, Hidden: true})
	assert.Equal(t, "CONNECT true", erl.do("connect "+string(g.name), "CONNECT"))
	c := g.rec.waitUp(t)
	assert.Equal(t, erl.name, c.Peer())
	assert.True(t, c.Hidden())
	erl.do("send "+string(g.name)+" goproc", "SENT")
	for i := 0; i < 2; i++ {
		got := g.waitPayload(t)
		tup, ok := got.(etf.Tuple)
		require.True(t, ok && len(tup) == 3, "%#v", got)
		assert.True(t, etf.Equal(etf.List{etf.Atom("alpha"), etf.Atom("beta"), etf.Atom("gamma"), etf.Atom("ünïcödé"), erl.name}, tup[2]))
		erlPid, ok := tup[1].(etf.PID)
		require.True(t, ok)
		assert.Equal(t, erl.name, erlPid.Node)
	}
	assert.True(t, c.Stats().CacheHitsIn > 0, "stats %+v", c.Stats())
	// Hidden: erl lists us among hidden nodes only.
	assert.Equal(t, "NODES [] ["+quoteAtom(g.name)+"]", erl.do("nodes", "NODES"))
	// And our end can talk back over the connection erl opened.
	msg := etf.List{etf.Atom("x"), 1}
	assert.True(t, etf.Equal(msg, echo(t, g, c, msg)))
}

func quoteAtom(a etf.Atom) string { return "'" + string(a) + "'" }

func TestErlWrongCookie(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	erl := startErl(t, ep, erlOpts{cookie: uniq("c")})
	lc := &logCapture{}
	g := startGo(t, ep, Config{Cookie: uniq("other"), Logger: lc.logger()})
	t.Run("go dials erl", func(t *testing.T) {
		_, err := g.m.Connect(ctxT(t), erl.name)
		require.ErrorIs(t, err, ErrBadCookie)
	})
	t.Run("erl dials go", func(t *testing.T) {
		assert.Equal(t, "CONNECT false", erl.do("connect "+string(g.name), "CONNECT"))
		assert.Contains(t, lc.text(), "invalid challenge reply")
		assert.Len(t, g.m.Conns(), 0)
	})
}

// TestErlTicksAndKill idles 2 net_ticktimes (4 s on both sides) with no
// down and ticks from erl observed (idleStaysUp), checks erl still lists
// us, then kills erl and expects a down.
func TestErlTicksAndKill(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie, tickTime: 4})
	g := startGo(t, ep, Config{Cookie: cookie, TickTime: 4 * time.Second})
	assert.Equal(t, "TICKTIME 4", erl.do("ticktime", "TICKTIME"))
	c, err := g.m.Connect(ctxT(t), erl.name)
	require.NoError(t, err)
	idleStaysUp(t, 4*time.Second, 2, c) // the subject of the test: idle past the tick time
	assert.Len(t, g.rec.dnCh, 0)
	assert.Contains(t, erl.do("nodes", "NODES"), string(g.name))
	assert.True(t, etf.Equal(etf.Atom("still_here"), echo(t, g, c, etf.Atom("still_here"))))

	erl.kill()
	reason := g.rec.waitDown(t)
	require.ErrorIs(t, reason, io.EOF)
	_, ok := g.m.Conn(erl.name)
	assert.False(t, ok)
}

// TestErlBigBinary sends a 10 MB binary to erl, which echoes it back; both
// directions travel in fragments.
func TestErlBigBinary(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie})
	g := startGo(t, ep, Config{Cookie: cookie})
	c, err := g.m.Connect(ctxT(t), erl.name)
	require.NoError(t, err)
	pattern := make([]byte, 253)
	for i := range pattern {
		pattern[i] = byte(i)
	}
	big := bytes.Repeat(pattern, (10<<20)/253+1)[:10<<20]
	got := echo(t, g, c, big)
	b, ok := got.([]byte)
	require.True(t, ok, "%T", got)
	assert.True(t, bytes.Equal(big, b))

	erl.do("big "+string(g.name)+" goproc 10485760", "SENT")
	got = g.waitPayload(t)
	tup := got.(etf.Tuple)
	sum := md5.Sum(tup[2].([]byte))
	assert.Equal(t, tup[1], etf.Term(sum[:]))
	assert.Equal(t, 10485760, len(tup[2].([]byte)))
	// Four processes at once: fragments of different sequences interleave.
	erl.do("bigpar "+string(g.name)+" goproc 1000000 4", "SENT")
	for i := 0; i < 4; i++ {
		tup := g.waitPayload(t).(etf.Tuple)
		sum := md5.Sum(tup[2].([]byte))
		assert.Equal(t, tup[1], etf.Term(sum[:]))
	}
	st := c.Stats()
	assert.True(t, st.FragmentedOut >= 1 && st.FragmentedIn >= 6, "stats %+v", st)
	t.Logf("stats %+v", st)
}

// TestErlReconnectCycles opens and closes connections repeatedly in both
// directions: every setup must succeed and every close be noticed.
func TestErlReconnectCycles(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie})
	g := startGo(t, ep, Config{Cookie: cookie})
	for i := 0; i < 15; i++ {
		c, err := g.m.Connect(ctxT(t), erl.name)
		require.NoError(t, err, "cycle %d", i)
		g.rec.waitUp(t)
		assert.True(t, etf.Equal(i, echo(t, g, c, i)))
		require.NoError(t, g.m.Disconnect(erl.name))
		require.ErrorIs(t, g.rec.waitDown(t), ErrClosed)
		erl.waitGone(g.name)
	}
	for i := 0; i < 15; i++ {
		assert.Equal(t, "CONNECT true", erl.do("connect "+string(g.name), "CONNECT"), "cycle %d", i)
		c := g.rec.waitUp(t)
		assert.True(t, etf.Equal(i, echo(t, g, c, i)))
		assert.Equal(t, "DISCONNECT true", erl.do("disconnect "+string(g.name), "DISCONNECT"))
		require.ErrorIs(t, g.rec.waitDown(t), io.EOF)
	}
}
