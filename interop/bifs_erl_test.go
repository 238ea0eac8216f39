package interop

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"github.com/stretchr/testify/require"
)

// bifProbe is the Go twin of it_bifs.erl's probe: a registered actor that
// traps exits, links to a peer and monitors it.
type bifProbe struct{}

func (bifProbe) Init(p *actors.Process, _ ...any) error {
	p.TrapExit(true)
	peer, err := p.Node().Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }))
	if err != nil {
		return err
	}
	if err := p.Link(peer); err != nil {
		return err
	}
	_, err = p.Monitor(peer)
	return err
}
func (bifProbe) HandleCall(*actors.Process, actors.From, etf.Term) (etf.Term, error) {
	return atomOK, nil
}
func (bifProbe) HandleCast(*actors.Process, etf.Term) error { return nil }

// bifServices starts a distributed node with opts and its services.
func bifServices(t *testing.T, port int, cookie string, opts ...node.Option) (*node.Node, *Services) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	name := "gobifs" + strconv.FormatInt(seq.Add(1), 10) + "_" + cookie + "@127.0.0.1"
	opts = append([]node.Option{node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port),
		node.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)
	n, err := node.Start(ctx, name, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	s, err := Start(ctx, n, WithOutput(io.Discard))
	require.NoError(t, err)
	return n, s
}

// bifPeer starts the Go side of it_bifs.erl: the probe, and t:dead_pid/0
// and t:unnamed_pid/0 for a pid that exited and a live unnamed one.
func bifPeer(t *testing.T, n *node.Node, s *Services) {
	t.Helper()
	_, err := actors.Spawn(n, bifProbe{}, node.WithName("bif_probe"))
	require.NoError(t, err)
	dead, err := n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return errStopNormal }))
	require.NoError(t, err)
	exited := n.Watch(dead)
	require.NoError(t, n.Send(dead, "stop"))
	<-exited
	unnamed, err := n.Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }))
	require.NoError(t, err)
	s.Register("t", "dead_pid", 0, func(context.Context, etf.List) (etf.Term, error) { return dead, nil })
	s.Register("t", "unnamed_pid", 0, func(context.Context, etf.List) (etf.Term, error) { return unnamed, nil })
}

// runBifs runs it_bifs:main against the Go node and checks that every call
// answered with BEAM's shape.
func runBifs(t *testing.T, erl, dir string, port int, cookie string, goNode etf.Atom, idleMs int, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"-noshell", "-name", "erlbifs_" + cookie + "@127.0.0.1", "-setcookie", cookie,
		"-pa", dir}, extra...)
	args = append(args, "-eval", "it_bifs:main('"+string(goNode)+"', "+strconv.Itoa(idleMs)+")")
	cmd := exec.CommandContext(ctx, erl, args...)
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "erl:\n%s", out)
	oks, done := 0, -1
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "ok "):
			oks++
		case strings.HasPrefix(line, "FAIL "):
			t.Error(line)
		case strings.HasPrefix(line, "done "):
			done, _ = strconv.Atoi(strings.TrimPrefix(line, "done "))
		}
	}
	require.False(t, t.Failed(), "erl output:\n%s", out)
	require.Equal(t, oks, done, "erl output:\n%s", out)
	require.Greater(t, oks, 90, "erl output:\n%s", out)
	t.Logf("erl (each line: the call and the shape both nodes answered):\n%s", out)
	return string(out)
}

// TestErlIntrospectsGoNode: a real erl node makes every introspection call
// (erlang:node/0 ... process_info/2 of every item, memory, system_info,
// statistics, time, application, ets, code) on the Go node and on itself,
// by rpc and erpc, and finds the same shapes: types, proplist keys,
// exception class and reason (badarg for unknown items, a pid of another
// node or a non-pid; undefined for a dead pid).
func TestErlIntrospectsGoNode(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "erlc", "epmd")[0]
	dir := erltest.Compile(t, "testdata", "it_bifs.erl")
	port := erltest.StartEPMD(t)
	cookie := "bifs" + strconv.FormatInt(seq.Add(1), 10)
	n, s := bifServices(t, port, cookie)
	bifPeer(t, n, s)
	runBifs(t, erl, dir, port, cookie, n.Name(), 0)
}

// TestErlIntrospectsGoNodeAfterIdle: the same calls on a connection that
// idled past several net_ticktimes (2 s on both sides) first.
func TestErlIntrospectsGoNodeAfterIdle(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "erlc", "epmd")[0]
	dir := erltest.Compile(t, "testdata", "it_bifs.erl")
	port := erltest.StartEPMD(t)
	cookie := "bifsidle" + strconv.FormatInt(seq.Add(1), 10)
	n, s := bifServices(t, port, cookie, node.WithTickTime(2*time.Second))
	bifPeer(t, n, s)
	runBifs(t, erl, dir, port, cookie, n.Name(), 5000, "-kernel", "net_ticktime", "2")
}

// TestErlIntrospectsGoNodeUnderLoad: a real erl lists and inspects the
// processes of a Go node holding 100,000 of them while two goroutines keep
// spawning processes that end at once: every round answers (rpc,
// procs_info, etop_collect), nothing panics or races (run with -race).
func TestErlIntrospectsGoNodeUnderLoad(t *testing.T) {
	erl := erltest.RequireTools(t, "erl", "erlc", "epmd")[0]
	dir := erltest.Compile(t, "testdata", "it_bifs.erl")
	port := erltest.StartEPMD(t)
	cookie := "bifsload" + strconv.FormatInt(seq.Add(1), 10)
	n, _ := bifServices(t, port, cookie)
	idle := node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil })
	const count = 100_000
	for range count {
		_, err := n.Spawn(idle)
		require.NoError(t, err)
	}
	stop := make(chan struct{})
	var churned atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			once := node.BehaviorFunc(func(*node.Process, etf.Term) error { return errStopNormal })
			tick := time.NewTicker(time.Millisecond) // paced: about 10,000 a second each
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				for range 10 {
					pid, err := n.Spawn(once)
					if err != nil {
						return
					}
					_ = n.Send(pid, "go")
					churned.Add(1)
				}
			}
		})
	}
	t.Cleanup(func() { close(stop); wg.Wait() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", "erlbifsload_"+cookie+"@127.0.0.1",
		"-setcookie", cookie, "-pa", dir, "-eval", "it_bifs:load('"+string(n.Name())+"', 3)")
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "erl:\n%s", out)
	var seen int
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "load ok "); ok {
			seen, _ = strconv.Atoi(v)
		}
	}
	require.GreaterOrEqual(t, seen, count, "erl:\n%s", out)
	require.Positive(t, churned.Load(), "no process was spawned meanwhile")
	t.Logf("erl:\n%s\n%d processes came and went", out, churned.Load())
}
