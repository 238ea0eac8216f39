package interop

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNetKernelIsAuth(t *testing.T) {
	n, _, _ := localServices(t)
	got, err := n.Call(context.Background(), NetKernelName, etf.Tuple{etf.Atom("is_auth"), etf.Atom("x@y")})
	require.NoError(t, err)
	assert.Equal(t, etf.Atom("yes"), got)
}

func TestRexShapes(t *testing.T) {
	n, _, _ := localServices(t)
	stack := func(m, f string, arity int) etf.List {
		return etf.List{etf.Tuple{etf.Atom(m), etf.Atom(f), arity, etf.List{etf.Tuple{etf.Atom("file"), etf.Charlist("go")}}}}
	}
	badrpc := func(r etf.Term) etf.Term { return etf.Tuple{atomBadRPC, etf.Tuple{atomEXIT, r}} }
	tests := []struct {
		name string
		f    etf.Atom
		args etf.List
		want etf.Term
	}{
		{"return", "add", etf.List{2, 3}, 5},
		{"nil is ok", "none", nil, etf.Atom("ok")},
		{"throw returns the value", "throw", etf.List{etf.Atom("a")}, etf.Atom("a")},
		{"exit", "exit", etf.List{etf.Atom("c")}, badrpc(etf.Atom("c"))},
		{"error", "raise", etf.List{etf.Atom("b")}, badrpc(etf.Tuple{etf.Atom("b"), stack("t", "raise", 1)})},
		{"go error", "goerr", nil, badrpc(etf.Tuple{etf.Binary("boom"), stack("t", "goerr", 0)})},
		{"panic", "panic", nil, badrpc(etf.Tuple{etf.Tuple{etf.Atom("panic"), etf.Binary("kaput")}, stack("t", "panic", 0)})},
		{"undef", "nope", etf.List{1}, badrpc(etf.Tuple{etf.Atom("undef"),
			etf.List{etf.Tuple{etf.Atom("t"), etf.Atom("nope"), etf.List{1}, etf.List{}}}})},
		{"badarg from typed adapter", "add", etf.List{etf.Atom("x"), 1}, badrpc(etf.Tuple{etf.Atom("badarg"), stack("t", "add", 2)})},
	}
	for _, tc := range tests {
		for _, kind := range []etf.Atom{"call", "block_call"} {
			t.Run(tc.name+"/"+string(kind), func(t *testing.T) {
				got, err := n.Call(context.Background(), RexName,
					etf.Tuple{kind, etf.Atom("t"), tc.f, tc.args, etf.Atom("user")})
				require.NoError(t, err)
				assert.True(t, etf.Equal(tc.want, got), "got %s want %s", etf.Format(got), etf.Format(tc.want))
			})
		}
	}
}

func TestRPCClassesThroughOwnRex(t *testing.T) {
	n, _, _ := localServices(t)
	ctx := context.Background()
	v, err := RPC(ctx, n, n.Name(), "t", "add", etf.List{40, 2})
	require.NoError(t, err)
	assert.Equal(t, 42, v)

	tests := []struct {
		f      etf.Atom
		args   etf.List
		class  error
		reason etf.Term
	}{
		{"throw", etf.List{etf.Atom("a")}, ErrThrow, etf.Atom("a")},
		{"exit", etf.List{etf.Atom("c")}, ErrExit, etf.Atom("c")},
		{"raise", etf.List{etf.Atom("b")}, ErrError, etf.Atom("b")},
		{"nope", nil, ErrUndef, etf.Atom("undef")},
	}
	for _, tc := range tests {
		t.Run(string(tc.f), func(t *testing.T) {
			_, err := RPC(ctx, n, n.Name(), "t", tc.f, tc.args)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.class)
			var ex *Exception
			require.True(t, errors.As(err, &ex))
			assert.True(t, etf.Equal(tc.reason, ex.Reason), "reason %s", etf.Format(ex.Reason))
		})
	}
	res := Multicall(ctx, n, []etf.Atom{n.Name(), n.Name()}, "t", "add", etf.List{1, 1})
	require.Len(t, res, 2)
	for _, r := range res {
		require.NoError(t, r.Err)
		assert.Equal(t, 2, r.Value)
	}
}

func TestErpcSpawnableDownReasons(t *testing.T) {
	n, s, _ := localServices(t)
	ref := n.MakeRef()
	tests := []struct {
		name string
		f    etf.Atom
		args etf.List
		want etf.Term
	}{
		{"return", "add", etf.List{1, 2}, etf.Tuple{ref, atomReturn, 3}},
		{"throw", "throw", etf.List{etf.Atom("a")}, etf.Tuple{ref, etf.Atom("throw"), etf.Atom("a")}},
		{"exit", "exit", etf.List{etf.Atom("c")}, etf.Tuple{ref, etf.Atom("exit"), etf.Atom("c")}},
		{"undef", "nope", etf.List{}, etf.Tuple{ref, etf.Atom("error"), etf.Atom("undef"),
			etf.List{etf.Tuple{etf.Atom("t"), etf.Atom("nope"), etf.List{}, etf.List{}}}}},
	}
	p, ch := startWatcher(t, n)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := s.executeCall(etf.List{ref, etf.Atom("t"), tc.f, tc.args})
			require.NoError(t, err)
			errc := make(chan error, 1)
			p.Node().Send(p.Self(), func(p *node.Process) {
				_, _, err := p.SpawnMonitor(b)
				errc <- err
			})
			// The call runs in Init, so the spawn returns its exit too.
			var ee *node.ExitError
			require.ErrorAs(t, <-errc, &ee)
			assert.True(t, etf.Equal(tc.want, ee.Reason), "got %s", etf.Format(ee.Reason))
			down, ok := recv(t, ch).(node.DownMsg)
			require.True(t, ok)
			assert.True(t, etf.Equal(tc.want, down.Reason), "got %s", etf.Format(down.Reason))
		})
	}
}

func TestIOServerAndFormat(t *testing.T) {
	n, s, out := localServices(t)
	ctx := context.Background()
	require.NoError(t, FormatTo(ctx, n, s.GroupLeader(), "hello ~s: ~p~n", etf.List{etf.Binary("w"), etf.Tuple{1, etf.Atom("a")}}))
	require.NoError(t, PutCharsTo(ctx, n, s.GroupLeader(), "raw\n"))
	// rpc with group leader user runs the function with the io server as
	// group leader, so Format inside it prints here.
	_, err := n.Call(ctx, RexName, etf.Tuple{etf.Atom("call"), etf.Atom("t"), etf.Atom("print"), etf.List{etf.Atom("x")}, etf.Atom("user")})
	require.NoError(t, err)
	assert.Equal(t, "hello w: {1,a}\nraw\nprinted x\n", out.String())

	for _, tc := range []struct {
		name string
		req  etf.Term
		want etf.Term
	}{
		{"get_line", etf.Tuple{etf.Atom("get_line"), etf.Atom("unicode"), etf.Charlist("> ")}, etf.Atom("eof")},
		{"unknown", etf.Atom("frobnicate"), etf.Tuple{atomError, etf.Atom("request")}},
		{"setopts", etf.Tuple{etf.Atom("setopts"), etf.List{}}, atomOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := request(ctx, n, s.GroupLeader(),
				func(self etf.PID, tag etf.Ref) etf.Term { return etf.Tuple{atomIORequest, self, tag, tc.req} },
				func(tag etf.Ref, msg etf.Term) (etf.Term, bool) {
					m, ok := msg.(etf.Tuple)
					return m[2], ok && len(m) == 3 && etf.Equal(m[1], tag)
				})
			require.NoError(t, err)
			assert.True(t, etf.Equal(tc.want, got), "got %s", etf.Format(got))
		})
	}
	// A process without group leader cannot Format.
	p, _ := startWatcher(t, n)
	assert.ErrorIs(t, Format(ctx, p, "x", nil), ErrNoGroupLeader)
	assert.True(t, strings.HasSuffix(out.String(), "printed x\n"))
}

func TestRexInfoMessages(t *testing.T) {
	n, _, _ := localServices(t)
	p, ch := startWatcher(t, n)
	require.NoError(t, p.Register("target"))
	require.NoError(t, n.Send(RexName, etf.Tuple{p.Self(), etf.Tuple{etf.Atom("sbcast"), etf.Atom("target"), etf.Atom("hi")}}))
	assert.Equal(t, etf.Atom("hi"), recv(t, ch))
	assert.True(t, etf.Equal(etf.Tuple{RexName, n.Name(), n.Name()}, recv(t, ch)))
	require.NoError(t, n.Send(RexName, etf.Tuple{p.Self(), etf.Tuple{etf.Atom("sbcast"), etf.Atom("nobody"), etf.Atom("hi")}}))
	assert.True(t, etf.Equal(etf.Tuple{RexName, n.Name(), etf.Tuple{etf.Atom("nonexisting_name"), etf.Atom("nobody")}}, recv(t, ch)))
	require.NoError(t, n.Send(RexName, etf.Tuple{p.Self(), etf.Tuple{etf.Atom("send"), etf.Atom("target"), etf.Atom("yo")}}))
	assert.True(t, etf.Equal(etf.Tuple{p.Self(), etf.Atom("yo")}, recv(t, ch)))
}
