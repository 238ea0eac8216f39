package cluster_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/cluster"
	"github.com/erlgo/erlgo/discovery"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var seq atomic.Int64

// TestMemberServesRealErl: a real erl finds on a member started with
// defaults (cluster.Start with only a cookie and the test's EPMD)
// everything a BEAM member would offer: net_adm:ping answers pong,
// rpc:call runs a BIF and a registered Go function, the io server user
// answers an io request, global:sync/0 returns ok and sees a global name
// registered from Go, pg:get_members/1 a group joined from Go, and
// erlgo_events an event registered from Go. A bare node.Start next to it
// answers pang, as its godoc says. After Stop no goroutine of the member
// is left.
func TestMemberServesRealErl(t *testing.T) {
	erltest.RequireTools(t, "erl", "epmd")
	port := erltest.StartEPMD(t)
	id := strconv.FormatInt(seq.Add(1), 10) + "_" + strconv.Itoa(erltest.FreePort(t))
	cookie := "cluster" + id
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := cluster.Start(ctx, "go"+id+"@127.0.0.1",
		cluster.WithNode(node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port)))
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = m.Stop(context.Background())
		}
	})
	bare, err := node.Start(ctx, "bare"+id+"@127.0.0.1", node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bare.Stop(context.Background()) })
	m.Services().Register("greet", "hello", 1, func(_ context.Context, a etf.List) (etf.Term, error) {
		return etf.Tuple{etf.Atom("hello"), a[0]}, nil
	})
	pid, err := m.Node().Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Global().Register(ctx, etf.Atom("cluster_test_name"), pid); err != nil {
		t.Fatal(err)
	}
	if err := m.PG().Join(ctx, etf.Atom("cluster_test_group"), pid); err != nil {
		t.Fatal(err)
	}
	var prod *node.Process
	if _, err := m.Node().Spawn(node.BehaviorFunc(func(*node.Process, etf.Term) error { return nil }),
		node.WithBeforeInit(func(p *node.Process) { prod = p })); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Events().Register(ctx, prod, "cluster_test_event"); err != nil {
		t.Fatal(err)
	}

	goNode := "'" + string(m.Node().Name()) + "'"
	script := `Go = ` + goNode + `,
	io:format("ping ~w~n", [net_adm:ping(Go)]),
	io:format("sync ~w~n", [global:sync()]),
	Poll = fun Poll(F, 0) -> {timeout, F()};
	           Poll(F, N) -> case F() of
	                           V when V =:= undefined; V =:= [] -> timer:sleep(20), Poll(F, N - 1);
	                           V -> V
	                         end end,
	Where = Poll(fun() -> global:whereis_name(cluster_test_name) end, 500),
	Members = Poll(fun() -> pg:get_members(cluster_test_group) end, 500),
	io:format("rpc ~w ~w~n", [rpc:call(Go, erlang, node, []) =:= Go, rpc:call(Go, greet, hello, [world])]),
	IoRef = make_ref(),
	{user, Go} ! {io_request, self(), IoRef, {put_chars, unicode, <<"from erl\n">>}},
	io:format("io ~w~n", [receive {io_reply, IoRef, R} -> R after 5000 -> timeout end]),
	io:format("global ~w~n", [catch node(Where)]),
	io:format("pg ~w~n", [catch [node(P) || P <- Members]]),
	io:format("events ~w~n", [catch gen_server:call({erlgo_events, Go}, which_events)]),
	io:format("bare ~w~n", [net_adm:ping('` + string(bare.Name()) + `')]),
	halt().`
	cmd := exec.CommandContext(ctx, "erl", "-noshell", "-name", "erl"+id+"@127.0.0.1", "-setcookie", cookie,
		"-kernel", "start_pg", "true", "-eval", script)
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	want := "ping pong\nsync ok\nrpc true {hello,world}\nio ok\nglobal " + goNode + "\npg [" + goNode + "]\n" +
		"events [cluster_test_event]\nbare pang\n"
	if got := string(out); got != want {
		t.Fatalf("erl printed:\n%s\nwant:\n%s", got, want)
	}

	if err := bare.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stopped = true
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before Start, %d after Stop:\n%s", before, runtime.NumGoroutine(),
				buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func quiet() *slog.Logger {
	if os.Getenv("CLUSTER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// TestMemberWithDiscoveryJoinsErl: a member started WithDiscovery connects
// on its own to the real erl node its strategy lists (erl sees the Go node
// in nodes() without either side calling connect), reports it in Status,
// and Stop ends the loop with the member.
func TestMemberWithDiscoveryJoinsErl(t *testing.T) {
	erltest.RequireTools(t, "erl", "epmd")
	port := erltest.StartEPMD(t)
	id := strconv.FormatInt(seq.Add(1), 10) + "_" + strconv.Itoa(erltest.FreePort(t))
	cookie := "clusterdisc" + id
	goName := "go" + id + "@127.0.0.1"
	erlName := etf.Atom("erl" + id + "@127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	script := `Go = '` + goName + `',
	Wait = fun W(0) -> timeout; W(N) -> case lists:member(Go, nodes()) of true -> joined; false -> timer:sleep(20), W(N - 1) end end,
	io:format("~w~n", [Wait(2500)]),
	halt().`
	cmd := exec.CommandContext(ctx, "erl", "-noshell", "-name", string(erlName), "-setcookie", cookie, "-eval", script)
	cmd.Env = erltest.EnvWithEPMD(port)
	out := &erltest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	waited := make(chan struct{})
	go func() { exited <- cmd.Wait(); close(waited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-waited })
	erltest.WaitEPMDName(t, port, "erl"+id)

	m, err := cluster.Start(ctx, goName,
		cluster.WithNode(node.WithLogger(quiet()), node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port), node.WithListenAddr("127.0.0.1:0")),
		cluster.WithDiscovery(discovery.Static(erlName), discovery.WithPollInterval(100*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Stop(context.Background()) }()
	select {
	case err := <-exited:
		if err != nil || out.String() != "joined\n" {
			t.Fatalf("erl: %v, printed %q; want joined", err, out.String())
		}
	case <-ctx.Done():
		t.Fatalf("erl never saw the member connect; printed %q", out.String())
	}
	st := m.Discovery().Status()
	if len(st) != 1 || st[0].Node != erlName {
		t.Fatalf("Status = %+v, want one entry for %s", st, erlName)
	}
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.Discovery().Done():
	case <-ctx.Done():
		t.Fatal("the discovery loop outlived Stop")
	}
}

// TestMemberWithoutServices: a member started WithoutGlobal, WithoutPG
// and WithoutEvents still answers ping and rpc, and registers none of the
// names left out; with no global_name_server on it, a real erl's
// global:sync/0 does not return (checked for 3 s), which is why Start
// runs global by default.
func TestMemberWithoutServices(t *testing.T) {
	erltest.RequireTools(t, "erl", "epmd")
	port := erltest.StartEPMD(t)
	id := strconv.FormatInt(seq.Add(1), 10) + "_" + strconv.Itoa(erltest.FreePort(t))
	cookie := "clusterwithout" + id
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := cluster.Start(ctx, "go"+id+"@127.0.0.1",
		cluster.WithNode(node.WithLogger(quiet()), node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port)),
		cluster.WithoutGlobal(), cluster.WithoutPG(), cluster.WithoutEvents())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Stop(context.Background()) }()
	if m.Global() != nil || m.PG() != nil || m.Events() != nil {
		t.Fatalf("Global, PG, Events = %v, %v, %v; want nil", m.Global(), m.PG(), m.Events())
	}
	script := `Go = '` + string(m.Node().Name()) + `',
	io:format("ping ~w~n", [net_adm:ping(Go)]),
	io:format("registered ~w~n", [lists:sort(rpc:call(Go, erlang, registered, []))]),
	Self = self(),
	spawn(fun() -> Self ! {sync, global:sync()} end),
	io:format("sync ~w~n", [receive {sync, R} -> R after 3000 -> blocked end]),
	halt().`
	cmd := exec.CommandContext(ctx, "erl", "-noshell", "-name", "erl"+id+"@127.0.0.1", "-setcookie", cookie, "-eval", script)
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	want := "ping pong\nregistered [net_kernel,rex,user]\nsync blocked\n"
	if got := string(out); got != want {
		t.Fatalf("erl printed:\n%s\nwant:\n%s", got, want)
	}
}

// TestMemberUnderLoadPastTickTime: a member with net_ticktime 2 s (the
// real erl's matching) serves 20 concurrent erl processes, each
// registering a global name and making 300 rounds of rpc:call (a BIF and a
// Go function) and net_adm:ping; then global:sync/0 is ok, and after 5 s
// of idling (past the ticktime, kept alive by ticks only) erl saw no
// nodedown and ping still answers pong.
func TestMemberUnderLoadPastTickTime(t *testing.T) {
	erltest.RequireTools(t, "erl", "epmd")
	port := erltest.StartEPMD(t)
	id := strconv.FormatInt(seq.Add(1), 10) + "_" + strconv.Itoa(erltest.FreePort(t))
	cookie := "clusterload" + id
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m, err := cluster.Start(ctx, "go"+id+"@127.0.0.1", cluster.WithNode(node.WithLogger(quiet()),
		node.WithCookie(cookie), node.WithEPMD("127.0.0.1", port), node.WithTickTime(2*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Stop(context.Background()) }()
	m.Services().Register("greet", "hello", 1, func(_ context.Context, a etf.List) (etf.Term, error) {
		return etf.Tuple{etf.Atom("hello"), a[0]}, nil
	})
	script := `Go = '` + string(m.Node().Name()) + `',
	pong = net_adm:ping(Go),
	true = erlang:monitor_node(Go, true),
	Self = self(),
	Work = fun W(0) -> ok;
	           W(K) -> Go = rpc:call(Go, erlang, node, []),
	                   {hello, K} = rpc:call(Go, greet, hello, [K]),
	                   pong = net_adm:ping(Go),
	                   W(K - 1) end,
	Pids = [spawn_link(fun() ->
	            yes = global:register_name({load, I}, self()),
	            ok = Work(300),
	            _ = global:unregister_name({load, I}),
	            Self ! {done, self()}
	        end) || I <- lists:seq(1, 20)],
	Done = [receive {done, P} -> ok after 90000 -> timeout end || P <- Pids],
	io:format("load ~w~n", [lists:usort(Done)]),
	io:format("sync ~w~n", [global:sync()]),
	timer:sleep(5000),
	io:format("nodedown ~w~n", [receive {nodedown, Go} -> true after 0 -> false end]),
	io:format("ping ~w~n", [net_adm:ping(Go)]),
	halt().`
	cmd := exec.CommandContext(ctx, "erl", "-noshell", "-name", "erl"+id+"@127.0.0.1", "-setcookie", cookie,
		"-kernel", "net_ticktime", "2", "-eval", script)
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	want := "load [ok]\nsync ok\nnodedown false\nping pong\n"
	if got := string(out); got != want {
		t.Fatalf("erl printed:\n%s\nwant:\n%s", got, want)
	}
}
