package dist

import (
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Idle periods after heavy traffic, against a real erl: the connection
// must outlive several net_ticktimes of silence after a burst in either
// direction (issue 12, defect 1: a write deadline armed during the burst
// outlived it and the next direct write failed ~9/8 ticktime later).

const idleTick = 2 * time.Second

// idlePair starts an erl node and a Go manager that share a private EPMD,
// a cookie and the idleTick ticktime.
func idlePair(t *testing.T) (*erlNode, *goNode) {
	t.Helper()
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie, tickTime: int(idleTick / time.Second)})
	g := startGo(t, ep, Config{Cookie: cookie, TickTime: idleTick})
	return erl, g
}

// TestErlIdleAfterBurstGoToErl: Go sends 20,000 messages to an erl sink
// over a 2 s ticktime connection, idles 3 tick times, and the connection
// still carries a message both ways.
func TestErlIdleAfterBurstGoToErl(t *testing.T) {
	erl, g := idlePair(t)
	const burst = 20000
	assert.Equal(t, "SINK", erl.do("sink "+itoa(burst), "SINK"))
	c, err := g.m.Connect(ctxT(t), erl.name)
	require.NoError(t, err)
	require.NoError(t, c.Send(RegSend{From: g.self, To: "sink"}, etf.Tuple{etf.Atom("report_to"), g.self}))
	for i := 0; i < burst; i++ {
		require.NoError(t, c.Send(RegSend{From: g.self, To: "sink"}, 42))
	}
	done := g.waitPayload(t)
	require.True(t, etf.Equal(etf.Tuple{etf.Atom("done"), burst}, done), "%#v", done)

	idleStaysUp(t, idleTick, 3, c)
	assert.Contains(t, erl.do("nodes", "NODES"), string(g.name))
	assert.True(t, etf.Equal(etf.Atom("after_idle"), echo(t, g, c, etf.Atom("after_idle"))))
	assert.Len(t, g.rec.dnCh, 0)
}

// TestErlIdleAfterBurstErlToGo: erl sends 20,000 messages to a Go name,
// then both idle 3 tick times; the connection stays up and carries one
// more message each way.
func TestErlIdleAfterBurstErlToGo(t *testing.T) {
	erl, g := idlePair(t)
	const burst = 20000
	got := make(chan int, 1)
	count := 0 // reader goroutine only
	g.rec.onMsg = func(_ *Conn, m Message) {
		rs, ok := m.Control.(RegSend)
		if !ok || rs.To != "goproc" {
			return
		}
		switch m.Payload {
		case 42:
			count++
		case etf.Atom("flood_done"):
			got <- count
			g.rec.onMsg = nil // later messages go to msgCh again
		}
	}
	// Set before the connection exists: onMsg is read by its reader.
	c, err := g.m.Connect(ctxT(t), erl.name)
	require.NoError(t, err)
	erl.do("flood "+string(g.name)+" goproc "+itoa(burst), "FLOODED")
	select {
	case n := <-got:
		require.Equal(t, burst, n)
	case <-time.After(60 * time.Second):
		t.Fatal("the flood from erl did not arrive")
	}

	idleStaysUp(t, idleTick, 3, c)
	assert.Contains(t, erl.do("nodes", "NODES"), string(g.name))
	assert.True(t, etf.Equal(etf.Atom("after_idle"), echo(t, g, c, etf.Atom("after_idle"))))
	assert.Len(t, g.rec.dnCh, 0)
}
