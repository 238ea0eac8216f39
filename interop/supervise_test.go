package interop

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

// distServices starts a distributed Go node with the services on the
// private epmd, with t:whereis/1 registered for the BEAM side.
func distServices(t *testing.T, epmdPort int, cookie string, opts ...Option) (*node.Node, *Services, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	name := "svc" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(seq.Add(1), 10) + "@127.0.0.1"
	n, err := node.Start(ctx, name, node.WithCookie(cookie), node.WithEPMD("127.0.0.1", epmdPort), node.WithLogger(log))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	s, err := Start(ctx, n, append([]Option{WithOutput(io.Discard)}, opts...)...)
	require.NoError(t, err)
	s.Register("t", "whereis", 1, Func1(func(_ context.Context, name etf.Atom) (etf.Term, error) {
		if pid, ok := n.Whereis(name); ok {
			return pid, nil
		}
		return etf.Atom("undefined"), nil
	}))
	// t:sleep(Ms, Notify) tells Notify it started, then sleeps: for
	// callers that die while their request runs.
	s.Register("t", "sleep", 2, func(ctx context.Context, a etf.List) (etf.Term, error) {
		ms, _ := a[0].(int)
		if p := Process(ctx); p != nil {
			_ = p.Send(a[1], etf.Atom("started"))
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
		}
		return etf.Atom("slept"), nil
	})
	return n, s, logs
}

// TestServicesSurviveUnreachableRepliesAndKills is defect 6 of issue 12
// against a real erl: replies to pids of nodes that do not run (and
// malformed Froms) must not end net_kernel, rex or user (net_adm:ping
// answered pang for good after one such call), and each service killed
// from erl comes back under its name and answers.
func TestServicesSurviveUnreachableRepliesAndKills(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "it_services.erl")
	port := erltest.StartEPMD(t)
	cookie := "svc_cookie_" + strconv.Itoa(os.Getpid())
	n, _, logs := distServices(t, port, cookie)
	before := map[etf.Atom]etf.PID{}
	for _, name := range []etf.Atom{NetKernelName, RexName, UserName} {
		pid, ok := n.Whereis(name)
		require.True(t, ok, name)
		before[name] = pid
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", "atk_"+strconv.Itoa(os.Getpid())+"@127.0.0.1",
		"-setcookie", cookie, "-pa", dir, "-eval", "it_services:main(['"+string(n.Name())+"'])")
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "erl:\n%s\nGo node log:\n%s", out, logs.String())
	for _, step := range []string{"ping_before", "unreachable_replies", "caller_died", "{killed,net_kernel}", "{killed,rex}", "{killed,user}", "killed_services"} {
		require.Contains(t, string(out), "step "+step+" ok", "erl:\n%s", out)
	}
	for name, old := range before {
		pid, ok := n.Whereis(name)
		require.True(t, ok, name)
		require.NotEqual(t, old, pid, "%s was killed and should be a new process", name)
		require.Contains(t, logs.String(), "child="+string(name), "restart log line for %s", name)
	}
	require.Contains(t, logs.String(), "service restarted")
}

// TestFailedRepliesDoNotEndServices sends the calls of defect 6 from Go:
// every reply goes to a node that cannot be reached (the node has no
// distribution at all, the worst case: every remote send fails), and the
// services must be the same processes afterwards, still answering.
func TestFailedRepliesDoNotEndServices(t *testing.T) {
	n, _, _ := localServices(t)
	gone := etf.PID{Node: "gone@127.0.0.1", ID: 42, Creation: 7}
	ref := n.MakeRef()
	before := map[etf.Atom]etf.PID{}
	for _, name := range []etf.Atom{NetKernelName, RexName, UserName} {
		before[name], _ = n.Whereis(name)
	}
	msgs := []struct {
		to  etf.Atom
		msg etf.Term
	}{
		{NetKernelName, etf.Tuple{node.GenCall, etf.Tuple{gone, ref}, etf.Tuple{etf.Atom("is_auth"), n.Name()}}},
		{NetKernelName, etf.Tuple{node.GenCall, etf.Atom("nofrom"), etf.Atom("get_state")}},
		{NetKernelName, etf.Tuple{node.GenCall, etf.Tuple{etf.Atom("x"), ref}, etf.Atom("get_state")}},
		{RexName, etf.Tuple{node.GenCall, etf.Tuple{gone, ref}, etf.Tuple{etf.Atom("block_call"), etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}, etf.Atom("user")}}},
		{RexName, etf.Tuple{node.GenCall, etf.Tuple{gone, ref}, etf.Tuple{etf.Atom("call"), etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}, etf.Atom("user")}}},
		{RexName, etf.Tuple{gone, etf.Tuple{etf.Atom("sbcast"), etf.Atom("nobody"), 1}}},
		{RexName, etf.Tuple{gone, etf.Tuple{etf.Atom("send"), etf.Atom("nobody"), 1}}},
		{UserName, etf.Tuple{atomIORequest, gone, ref, etf.Tuple{atomPutChars, etf.Atom("unicode"), etf.Binary("x")}}},
	}
	for _, m := range msgs {
		require.NoError(t, n.Send(m.to, m.msg))
	}
	ctx := context.Background()
	got, err := n.Call(ctx, NetKernelName, etf.Tuple{etf.Atom("is_auth"), n.Name()})
	require.NoError(t, err)
	require.Equal(t, etf.Atom("yes"), got)
	got, err = n.Call(ctx, RexName, etf.Tuple{etf.Atom("call"), etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}, etf.Atom("user")})
	require.NoError(t, err)
	require.Equal(t, 3, got)
	for name, old := range before {
		pid, _ := n.Whereis(name)
		require.Equal(t, old, pid, "%s must not have died", name)
	}
}

// TestServicesRestartAfterKillFromGo kills each service from Go and checks
// it is back under its name, answering, with a log line.
func TestServicesRestartAfterKillFromGo(t *testing.T) {
	n, s, _ := localServices(t)
	ctx := context.Background()
	checks := map[etf.Atom]func() error{
		NetKernelName: func() error {
			_, err := n.Call(ctx, NetKernelName, etf.Tuple{etf.Atom("is_auth"), n.Name()})
			return err
		},
		RexName: func() error {
			_, err := n.Call(ctx, RexName, etf.Tuple{etf.Atom("call"), etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}, etf.Atom("user")})
			return err
		},
		UserName: func() error {
			pid, _ := n.Whereis(UserName)
			return PutCharsTo(ctx, n, pid, "hi\n")
		},
	}
	for _, name := range []etf.Atom{NetKernelName, RexName, UserName} {
		t.Run(string(name), func(t *testing.T) {
			old, ok := n.Whereis(name)
			require.True(t, ok)
			watchDown(t, n, old, func() { require.NoError(t, n.Exit(old, node.Kill)) })
			require.Eventually(t, func() bool {
				pid, ok := n.Whereis(name)
				return ok && pid != old && checks[name]() == nil
			}, waitFor, 5*time.Millisecond)
		})
	}
	pid, _ := n.Whereis(UserName)
	require.Equal(t, pid, s.GroupLeader(), "GroupLeader follows the restarted io server")
}

// TestServicesGiveUpAfterRestartBudget: more restarts than the budget stop
// the services and report it on Done/Err.
func TestServicesGiveUpAfterRestartBudget(t *testing.T) {
	name := "giveup" + strconv.FormatInt(seq.Add(1), 10) + "@127.0.0.1"
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(),
		node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Stop(context.Background()) })
	s, err := Start(context.Background(), n, WithRestartIntensity(2, time.Hour))
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		var pid etf.PID
		require.Eventually(t, func() bool {
			var ok bool
			pid, ok = n.Whereis(RexName)
			return ok
		}, waitFor, 5*time.Millisecond)
		watchDown(t, n, pid, func() { require.NoError(t, n.Exit(pid, node.Kill)) })
	}
	select {
	case <-s.Done():
	case <-time.After(waitFor):
		t.Fatal("services did not give up")
	}
	require.ErrorIs(t, s.Err(), ErrServicesGaveUp)
	require.Eventually(t, func() bool {
		_, ok1 := n.Whereis(NetKernelName)
		_, ok2 := n.Whereis(UserName)
		return !ok1 && !ok2
	}, waitFor, 5*time.Millisecond, "the other services stop too")
}

// watchDown monitors pid, runs f and waits for pid's DOWN.
func watchDown(t *testing.T, n *node.Node, pid etf.PID, f func()) {
	t.Helper()
	p, ch := startWatcher(t, n)
	errc := make(chan error, 1)
	require.NoError(t, n.Send(p.Self(), func(p *node.Process) {
		_, err := p.Monitor(pid)
		errc <- err
	}))
	require.NoError(t, <-errc)
	f()
	for {
		if _, ok := recv(t, ch).(node.DownMsg); ok {
			return
		}
	}
}
