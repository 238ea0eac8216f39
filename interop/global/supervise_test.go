package global

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestServerRestartsWithErl kills global_name_server (from erl) and the
// locker (from Go): the three processes come back (the server under its
// name), the restarted server resynchronises with the erl node by
// reconnecting (its table starts empty), the erl node's names are seen
// again, names registered from Go after the restart reach the erl node,
// and global:sync() on the erl node does not hang.
func TestServerRestartsWithErl(t *testing.T) {
	t.Parallel()
	c := startCluster(t, "gorst", 1)
	c.connect(t, c.a, c.g.Name())
	c.a.Eval("P = spawn(fun() -> receive stop -> ok end end), yes = global:register_name(erl_name, P)")
	eventually(t, "erl name on go", func() bool { _, ok := c.s.Whereis(etf.Atom("erl_name")); return ok })

	kills := []struct {
		name string
		kill func()
	}{
		{"server from erl", func() {
			b, err := etf.Encode(c.s.PID())
			require.NoError(t, err)
			c.a.Eval("exit(binary_to_term(binary:decode_hex(<<\"" + hex.EncodeToString(b) + "\">>)), kill)")
		}},
		{"locker from go", func() { require.NoError(t, c.g.Exit(c.s.locker(), node.Kill)) }},
	}
	for i, k := range kills {
		t.Run(k.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ib := ct.StartInbox(t, c.g.Node, "")
			goName := etf.Atom("go_name_" + string(rune('a'+i)))
			require.NoError(t, c.s.Register(ctx, goName, ib.PID))
			eventually(t, "go name on erl", func() bool { return c.a.Eval("is_pid(global:whereis_name("+string(goName)+"))") == "true" })
			oldSrv, oldLocker := c.s.PID(), c.s.locker()
			k.kill()
			eventually(t, "a new global_name_server", func() bool {
				pid, ok := c.g.Whereis(ServerName)
				return ok && pid != oldSrv && c.s.PID() == pid && c.s.locker() != oldLocker
			})
			eventually(t, "go name dropped on erl", func() bool { return c.a.Eval("global:whereis_name("+string(goName)+")") == "undefined" })
			eventually(t, "erl name seen again", func() bool { _, ok := c.s.Whereis(etf.Atom("erl_name")); return ok })
			require.NoError(t, c.s.Register(ctx, goName, ib.PID))
			eventually(t, "go name on erl again", func() bool { return c.a.Eval("is_pid(global:whereis_name("+string(goName)+"))") == "true" })
			c.syncAll(t, c.a)
		})
	}
}
