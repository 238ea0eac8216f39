package actors_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// itCounter is the actor BEAM calls in actors_it.erl.
type itCounter struct{ N int }

func (c *itCounter) Init(*actors.Process, ...any) error { return nil }

func (c *itCounter) HandleCall(p *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	switch req {
	case etf.Atom("get"):
		return c.N, nil
	case etf.Atom("self_pid"):
		return p.Self(), nil
	}
	return nil, actors.ErrUnknownRequest
}

func (c *itCounter) HandleCast(_ *actors.Process, msg etf.Term) error {
	if msg == etf.Atom("inc") {
		c.N++
	}
	return nil
}

func (c *itCounter) State() etf.Term { return c.N }

// argsActor answers args with its Init args joined: hello_42.
type argsActor struct {
	actors.Base
	args []string
}

func (a *argsActor) Init(_ *actors.Process, args ...any) error {
	for _, x := range args {
		a.args = append(a.args, fmt.Sprint(x))
	}
	return nil
}

func (a *argsActor) HandleCall(*actors.Process, actors.From, etf.Term) (etf.Term, error) {
	return etf.Atom(strings.Join(a.args, "_")), nil
}

func startITActors(t testing.TB, n *node.Node) {
	t.Helper()
	_, err := actors.Spawn(n, &itCounter{}, node.WithName("go_counter"))
	require.NoError(t, err)
	for _, v := range []etf.Atom{"go_victim1", "go_victim2", "go_victim3"} {
		_, err = actors.Spawn(n, &itCounter{}, node.WithName(v))
		require.NoError(t, err)
	}
	w := func(etf.List) (actors.Actor, error) { return &argsActor{}, nil }
	_, err = actors.Spawn(n, &actors.Supervisor{
		Children:  []actors.ChildSpec{{ID: etf.Atom("a"), Start: w}, {ID: etf.Atom("b"), Start: w}},
		Factories: map[etf.Atom]actors.Factory{"go_worker": w},
	}, node.WithName("go_sup"))
	require.NoError(t, err)
	_, err = actors.Spawn(n, &actors.Supervisor{Strategy: actors.SimpleOneForOne,
		Children: []actors.ChildSpec{{ID: etf.Atom("w"), Start: w, Restart: actors.Temporary}}},
		node.WithName("go_sofo"))
	require.NoError(t, err)
}

// TestBEAM runs OTP's gen_server, sys and supervisor client functions from
// a real erl node against Go actors, then calls an Erlang gen_server from
// Go.
func TestBEAM(t *testing.T) {
	c := newCluster(t)
	startITActors(t, c.n)
	erl := c.startErl(t, fmt.Sprintf("actors_it:main(['%s'])", c.n.Name()))
	checks := erl.until(t, "READY")

	t.Run("BEAM to Go", func(t *testing.T) {
		seen := 0
		for _, l := range checks {
			if !strings.HasPrefix(l, "CHECK ") {
				continue
			}
			seen++
			f := strings.SplitN(l, " ", 3)
			t.Run(f[1], func(t *testing.T) {
				if f[2] != "ok" {
					t.Errorf("%s", l)
				}
			})
		}
		if seen < 19 {
			t.Errorf("only %d checks ran:\n%s", seen, erl.output())
		}
	})

	erlNode := etf.Atom(erl.name)
	echo := etf.Tuple{etf.Atom("erl_echo"), erlNode}
	t.Run("Go to BEAM", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), erlWait)
		defer cancel()
		type user struct {
			Name  string   `etf:"name"`
			Age   int      `etf:"age"`
			Roles []string `etf:"roles"`
		}
		u, err := actors.Call[user](ctx, c.n, echo, etf.Atom("get_user"))
		require.NoError(t, err, "typed call")
		require.Equal(t, user{Name: "alice", Age: 30, Roles: []string{"admin"}}, u)
		s, err := actors.Call[string](ctx, c.n, echo, etf.Tuple{etf.Atom("echo"), "hi"})
		require.NoError(t, err)
		require.Equal(t, "hi", s)

		short, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
		_, err = actors.Call[etf.Term](short, c.n, echo, etf.Tuple{etf.Atom("sleep"), 2000})
		cancel2()
		require.ErrorIs(t, err, node.ErrTimeout, "timeout")
		require.ErrorIs(t, err, context.DeadlineExceeded, "timeout matches DeadlineExceeded")

		_, err = actors.Call[etf.Term](ctx, c.n, etf.Tuple{etf.Atom("missing"), erlNode}, etf.Atom("ping"))
		require.ErrorIs(t, err, node.ErrNoProc, "missing name: noproc")
		require.True(t, ctx.Err() == nil, "noproc must not wait for the deadline")

		st, err := actors.GetState(ctx, c.n, echo)
		require.NoError(t, err, "sys:get_state on an Erlang gen_server from Go")
		require.True(t, st.(int) >= 1, "echo count")

		// A call in flight when the node goes away fails with noconnection.
		done := make(chan error, 1)
		go func() {
			_, err := c.n.Call(ctx, echo, etf.Tuple{etf.Atom("sleep"), 20000})
			done <- err
		}()
		time.Sleep(200 * time.Millisecond) // let the call reach erl (not a readiness wait: either order must give noconnection)
		erl.kill()
		err = <-done
		require.ErrorIs(t, err, node.ErrNoConnection, "in-flight call when the node dies")
		_, err = c.n.Call(ctx, echo, etf.Atom("ping"))
		require.True(t, errors.Is(err, node.ErrNoConnection), "call to a gone node: ", err)
		require.True(t, ctx.Err() == nil, "noconnection must not wait for the deadline")
	})
}

// TestCallStoppedErlangServer: noproc once the server has stopped.
func TestCallStoppedErlangServer(t *testing.T) {
	c := newCluster(t)
	startITActors(t, c.n)
	erl := c.startErl(t, fmt.Sprintf("actors_it:main(['%s'])", c.n.Name()))
	erl.until(t, "READY")
	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	echo := etf.Tuple{etf.Atom("erl_echo"), etf.Atom(erl.name)}
	r, err := c.n.Call(ctx, echo, etf.Atom("stop"))
	require.NoError(t, err)
	require.Equal(t, etf.Atom("ok"), r)
	_, err = c.n.Call(ctx, echo, etf.Atom("ping"))
	require.ErrorIs(t, err, node.ErrNoProc)
	require.True(t, ctx.Err() == nil, "noproc at once")
}

// TestElixir runs GenServer, :sys and Supervisor calls from a real Elixir
// node against Go actors.
func TestElixir(t *testing.T) {
	erltest.Tool(t, "elixir")
	c := newCluster(t)
	startITActors(t, c.n)
	ex := c.startCmd(t, "elixir", "--name", fmt.Sprintf("ex_actors_%d@127.0.0.1", erlSeq.Add(1)),
		"--cookie", c.cookie, "testdata/actors_it.exs", string(c.n.Name()))
	seen := 0
	for _, l := range ex.until(t, "DONE") {
		if !strings.HasPrefix(l, "CHECK ") {
			continue
		}
		seen++
		f := strings.SplitN(l, " ", 3)
		t.Run(f[1], func(t *testing.T) {
			if f[2] != "ok" {
				t.Errorf("%s", l)
			}
		})
	}
	if seen != 6 {
		t.Errorf("%d checks ran:\n%s", seen, ex.output())
	}
}
