package integration

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/interop"
	"github.com/erlgo/erlgo/node"
)

// TestDemoNode checks every bullet of issue 7 against real OTP and Elixir,
// with long and short names: the demo tour and the BEAM-side checks from
// erl, the Elixir-side checks from elixir, and the client side from Go.
func TestDemoNode(t *testing.T) {
	for _, nm := range namings(t) {
		t.Run(nm.label, func(t *testing.T) {
			c := newCluster(t, nm)
			g := string(c.n.Name())
			t.Run("demo_tour", func(t *testing.T) {
				out, err := c.runErl(t, c.nodeName("tour"), "demo_tour:main(['"+g+"'])")
				runChecks(t, out, err)
			})
			t.Run("beam_checks", func(t *testing.T) {
				out, err := c.runErl(t, c.nodeName("it"), "it_checks:main(['"+g+"'])")
				runChecks(t, out, err)
				if !strings.Contains(c.out.String(), "from erl x") || !strings.Contains(c.out.String(), "fmt") {
					t.Errorf("io sent to the Go node's user did not arrive; got %q", c.out.String())
				}
			})
			t.Run("elixir", func(t *testing.T) {
				elixir := erltest.Tool(t, "elixir")
				flag := "--name"
				if !c.long {
					flag = "--sname"
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, elixir, flag, c.nodeName("ex"), "--cookie", c.cookie,
					sourceDir()+"/elixir/it_checks.exs", g)
				cmd.Env = c.env()
				out, err := cmd.CombinedOutput()
				runChecks(t, string(out), err)
			})
			t.Run("go_side", func(t *testing.T) { goSide(t, c) })
			t.Run("go_side_elixir", func(t *testing.T) { goSideElixir(t, c) })
		})
	}
}

// goSide drives a real erl node from Go: RPC of every exception class,
// Cast, Multicall, calls, io in both directions, visibility.
func goSide(t *testing.T, c *cluster) {
	p := c.startPeer(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	n := c.n

	got, err := interop.RPC(ctx, n, p.name, "lists", "reverse", etf.List{etf.List{1, 2, 3}})
	if err != nil || !etf.Equal(etf.List{3, 2, 1}, got) {
		t.Fatalf("rpc lists:reverse: %v %v", got, err)
	}
	t.Run("exception classes", func(t *testing.T) {
		for _, tc := range []struct {
			f     etf.Atom
			m     etf.Atom
			class error
		}{
			{"throw", "erlang", interop.ErrThrow},
			{"exit", "erlang", interop.ErrExit},
			{"error", "erlang", interop.ErrError},
			{"nofun", "no_such_module", interop.ErrUndef},
		} {
			_, err := interop.RPC(ctx, n, p.name, tc.m, tc.f, etf.List{etf.Atom("why")})
			var ex *interop.Exception
			if !errors.Is(err, tc.class) || !errors.As(err, &ex) {
				t.Errorf("%s:%s: got %v, want %v", tc.m, tc.f, err, tc.class)
				continue
			}
			if tc.class != interop.ErrUndef && ex.Reason != etf.Atom("why") {
				t.Errorf("%s: reason %v", tc.f, ex.Reason)
			}
			if tc.class == interop.ErrError && ex.Stack == nil {
				t.Errorf("error without stack")
			}
		}
	})
	t.Run("timeout and noconnection", func(t *testing.T) {
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := interop.RPC(short, n, p.name, "timer", "sleep", etf.List{5000})
		if !errors.Is(err, node.ErrTimeout) {
			t.Errorf("sleep past deadline: %v", err)
		}
		_, err = interop.RPC(ctx, n, "nobody@127.0.0.1", "erlang", "node", nil)
		if !errors.Is(err, node.ErrNoConnection) {
			t.Errorf("missing node: %v", err)
		}
	})
	t.Run("multicall and cast", func(t *testing.T) {
		res := interop.Multicall(ctx, n, []etf.Atom{p.name, p.name}, "erlang", "node", nil)
		for _, r := range res {
			if r.Err != nil || r.Value != p.name {
				t.Errorf("multicall: %+v", r)
			}
		}
		ch := make(chan etf.Term, 1)
		pid, err := n.Spawn(node.BehaviorFunc(func(_ *node.Process, m etf.Term) error { ch <- m; return nil }))
		if err != nil {
			t.Fatal(err)
		}
		if err := interop.Cast(ctx, n, p.name, "erlang", "send", etf.List{pid, etf.Atom("cast_hi")}); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-ch:
			if m != etf.Atom("cast_hi") {
				t.Errorf("cast delivered %v", m)
			}
		case <-ctx.Done():
			t.Error("cast did not run")
		}
	})
	t.Run("gen_server calls into BEAM", func(t *testing.T) {
		got, err := n.Call(ctx, etf.Tuple{etf.Atom("net_kernel"), p.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		if err != nil || got != etf.Atom("yes") {
			t.Errorf("net_kernel is_auth: %v %v", got, err)
		}
		_, err = n.Call(ctx, etf.Tuple{etf.Atom("no_such_server"), p.name}, etf.Atom("x"))
		if !errors.Is(err, node.ErrNoProc) {
			t.Errorf("missing server: %v", err)
		}
	})
	t.Run("visible to BEAM", func(t *testing.T) {
		got, err := interop.RPC(ctx, n, p.name, "erlang", "nodes", nil)
		l, _ := got.(etf.List)
		found := false
		for _, x := range l {
			found = found || x == n.Name()
		}
		if err != nil || !found {
			t.Errorf("nodes() on erl = %v, %v; want it to contain %s", got, err, n.Name())
		}
	})
	t.Run("io both ways", func(t *testing.T) {
		// What the remote function prints goes to our io server.
		if _, err := interop.RPC(ctx, n, p.name, "io", "format", etf.List{etf.Charlist("rpc prints here ~p~n"), etf.List{42}}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "rpc output on the Go node", func() bool { return strings.Contains(c.out.String(), "rpc prints here 42") })
		// Go writes to a BEAM group leader (erl's user: its stdout).
		user, err := interop.RPC(ctx, n, p.name, "erlang", "whereis", etf.List{etf.Atom("user")})
		if err != nil {
			t.Fatal(err)
		}
		if err := interop.FormatTo(ctx, n, user.(etf.PID), "go formats ~p and ~s~n", etf.List{etf.Tuple{1, etf.Atom("a")}, etf.Binary("text")}); err != nil {
			t.Fatal(err)
		}
		if err := interop.PutCharsTo(ctx, n, user.(etf.PID), "go puts chars\n"); err != nil {
			t.Fatal(err)
		}
		eventually(t, "Go output on erl's stdout", func() bool {
			s := p.out.String()
			return strings.Contains(s, "go formats {1,a} and text") && strings.Contains(s, "go puts chars")
		})
	})
}

// goSideElixir calls Elixir functions from Go: module atoms, strings,
// keyword lists and Elixir exceptions as they arrive in Go.
func goSideElixir(t *testing.T, c *cluster) {
	elixir := erltest.Tool(t, "elixir")
	flag := "--name"
	if !c.long {
		flag = "--sname"
	}
	name := c.nodeName("exp")
	cmd := exec.Command(elixir, flag, name, "--cookie", c.cookie,
		"-e", `IO.puts("peer ready"); Process.sleep(:infinity)`)
	cmd.Env = c.env()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	eventually(t, "elixir peer ready", func() bool { return strings.Contains(out.String(), "peer ready") })
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	ex := etf.Atom(name)
	str := etf.ElixirModule("String")

	up, err := interop.RPC(ctx, c.n, ex, str, "upcase", etf.List{"héllo"})
	if s, ok := up.([]byte); err != nil || !ok || string(s) != "HÉLLO" {
		t.Errorf("String.upcase: %v %v", up, err)
	}
	v, err := interop.RPC(ctx, c.n, ex, etf.ElixirModule("Keyword"), "get",
		etf.List{etf.Keyword{{Key: "a", Value: 1}, {Key: "b", Value: 2}}, etf.Atom("b")})
	if err != nil || v != 2 {
		t.Errorf("Keyword.get: %v %v", v, err)
	}
	// String.to_integer("x") raises ArgumentError: error:badarg in Erlang terms.
	_, err = interop.RPC(ctx, c.n, ex, str, "to_integer", etf.List{"x"})
	var e *interop.Exception
	if !errors.As(err, &e) || e.Class != interop.ClassError || e.Reason != etf.Atom("badarg") {
		t.Errorf("String.to_integer(\"x\"): %v", err)
	}
	_, err = interop.RPC(ctx, c.n, ex, etf.ElixirModule("No.Such"), "f", nil)
	if !errors.Is(err, interop.ErrUndef) {
		t.Errorf("missing Elixir module: %v", err)
	}
}
