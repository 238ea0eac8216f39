package dist

import (
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deepDepth returns the nesting depth of a list built by disttest's deep
// command, or -1 if it is not one.
func deepDepth(t etf.Term) int {
	n := 0
	for {
		switch v := t.(type) {
		case etf.List:
			if len(v) != 1 {
				return -1
			}
			t, n = v[0], n+1
		case etf.Atom:
			if v != "bottom" {
				return -1
			}
			return n
		default:
			return -1
		}
	}
}

// TestErlDeepTermsAndLimits: a real erl sends lists nested 100,000 deep
// (BEAM has no nesting limit); with the default Config.Limits erlgo takes
// and echoes them. With a configured MaxDepth of 1,000 a deeper message is
// dropped with a Warn line and the connection carries the next one.
func TestErlDeepTermsAndLimits(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	ep := erltest.StartEPMD(t)
	cookie := uniq("c")
	erl := startErl(t, ep, erlOpts{cookie: cookie})

	t.Run("default limits", func(t *testing.T) {
		g := startGo(t, ep, Config{Cookie: cookie})
		c, err := g.m.Connect(ctxT(t), erl.name)
		require.NoError(t, err)
		erl.do("deep "+string(g.name)+" goproc 100000", "SENT")
		tup, ok := g.waitPayload(t).(etf.Tuple)
		require.True(t, ok && len(tup) == 3)
		assert.Equal(t, 100000, deepDepth(tup[2]))
		assert.Equal(t, 100000, deepDepth(echo(t, g, c, tup[2])), "erl echoes what we encode")
		require.NoError(t, c.Err())
	})
	t.Run("configured limit", func(t *testing.T) {
		lc := &logCapture{}
		g := startGo(t, ep, Config{Cookie: cookie, Logger: lc.logger(), Limits: etf.Limits{MaxDepth: 1000}})
		c, err := g.m.Connect(ctxT(t), erl.name)
		require.NoError(t, err)
		erl.do("deep "+string(g.name)+" goproc 10000", "SENT")
		erl.do("deep "+string(g.name)+" goproc 900", "SENT")
		tup, ok := g.waitPayload(t).(etf.Tuple)
		require.True(t, ok && len(tup) == 3)
		assert.Equal(t, 900, tup[1], "the 10,000-deep message must have been dropped")
		assert.Equal(t, 900, deepDepth(tup[2]))
		require.NoError(t, c.Err())
		assert.Equal(t, uint64(1), c.Stats().DroppedIn)
		assert.Contains(t, lc.text(), "exceeds a decoding limit")
		assert.Contains(t, lc.text(), "op=REG_SEND")
		assert.Contains(t, lc.text(), "sender=")
		assert.Contains(t, erl.do("nodes", "NODES"), string(g.name))
	})
}
