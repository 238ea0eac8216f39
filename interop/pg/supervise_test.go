package pg

import (
	"context"
	"encoding/hex"
	"testing"

	"github.com/erlgo/erlgo/etf"
	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestScopeRestartsWithErl kills the Go scope process, from erl with
// exit(Pid, kill) and from Go, and checks what OTP's pg does when
// kernel_safe_sup restarts it: a new process under the same name, an empty
// table (the erl node drops the Go members, the Go side learns the erl
// members again from the erl scope), and joins work again both ways.
func TestScopeRestartsWithErl(t *testing.T) {
	t.Parallel()
	ct.Need(t, "erl", "erlc", "epmd")
	epmd, cookie := ct.StartEPMD(t), ct.Uniq("cookie")
	dir := ct.Compile(t)
	g := ct.StartGo(t, epmd, cookie, "go")
	s, err := Start(context.Background(), g.Node, DefaultScope)
	require.NoError(t, err)
	a := ct.StartNode(t, epmd, cookie, dir, ct.Options{})
	require.Equal(t, "true", a.Eval("net_kernel:connect_node("+ct.Atom(g.Name())+")"))
	ctx := ctxT(t)
	grp := etf.Atom("grp")
	a.Eval("P = spawn(fun() -> receive stop -> ok end end), register(member_a, P), pg:join(grp, P)")
	eventually(t, "erl member on go", func() bool { return hasNodePids(s, grp, a.Name, 1) })

	kills := map[string]func(pid etf.PID){
		"from erl": func(pid etf.PID) {
			b, err := etf.Encode(pid)
			require.NoError(t, err)
			a.Eval("exit(binary_to_term(binary:decode_hex(<<\"" + hex.EncodeToString(b) + "\">>)), kill)")
		},
		"from go": func(pid etf.PID) { require.NoError(t, g.Exit(pid, node.Kill)) },
	}
	for _, how := range []string{"from erl", "from go"} {
		t.Run(how, func(t *testing.T) {
			m := ct.StartInbox(t, g.Node, "")
			require.NoError(t, s.Join(ctx, grp, m.PID))
			eventually(t, "go member on erl", func() bool { return countOn(a, "pg:get_members(grp)", g.Name()) == 1 })
			old := s.PID()
			kills[how](old)
			eventually(t, "a new scope process under pg", func() bool {
				pid, ok := g.Whereis(DefaultScope)
				return ok && pid != old && s.PID() == pid
			})
			eventually(t, "go member dropped on erl", func() bool { return countOn(a, "pg:get_members(grp)", g.Name()) == 0 })
			eventually(t, "erl member learnt again", func() bool { return hasNodePids(s, grp, a.Name, 1) })
			require.Empty(t, s.GetLocalMembers(grp), "the restarted scope starts with an empty table")
			require.NoError(t, s.Join(ctx, grp, m.PID))
			eventually(t, "go member on erl again", func() bool { return countOn(a, "pg:get_members(grp)", g.Name()) == 1 })
			require.NoError(t, s.Leave(ctx, grp, m.PID))
			eventually(t, "go member left on erl", func() bool { return countOn(a, "pg:get_members(grp)", g.Name()) == 0 })
		})
	}
}
