package cron_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/cron"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

var seq atomic.Int64

func unique(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), seq.Add(1))
}

// distNode starts a distributed node registered in the EPMD on port.
func distNode(t testing.TB, prefix, cookie string, epmd int) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	n, err := node.Start(ctx, unique(prefix)+"@127.0.0.1", node.WithCookie(cookie),
		node.WithEPMD("127.0.0.1", epmd), node.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopNode(n) })
	return n
}

// TestSendToGoNode: jobs send to a name and a pid on a second Go node
// (connecting on the first run) and spawn a spawnable there; a send or a
// spawn to a node that cannot be reached and a failure whose fallback is
// on the other node are reported.
func TestSendToGoNode(t *testing.T) {
	epmd := erltest.StartEPMD(t)
	cookie := unique("cookie")
	n1 := distNode(t, "cron_a", cookie, epmd)
	n2 := distNode(t, "cron_b", cookie, epmd)
	named := newInbox(t, n2, node.WithName("sink"))
	anon := newInbox(t, n2)
	fb := newInbox(t, n1)
	remoteFB := newInbox(t, n2, node.WithName("fallback"))
	f := newFixture(t, n1, cron.WithFallback(fb.pid), cron.WithConnectTimeout(wait))
	f.add(t, "by-name", "* * * * * *", cron.Send(node.Name{Name: "sink", Node: n2.Name()}, etf.Atom("by_name")))
	f.add(t, "by-pid", "* * * * * *", cron.Send(anon.pid, etf.Atom("by_pid")))
	f.add(t, "unreachable", "* * * * * *", cron.Send(etf.Tuple{etf.Atom("x"), etf.Atom("nobody_here@127.0.0.1")}, 1))
	f.add(t, "remote-fallback", "* * * * * *", cron.Send(etf.Atom("not_registered"), 1),
		cron.JobFallback(etf.Tuple{etf.Atom("fallback"), n2.Name()}))
	// SpawnOn a spawnable registered on n2, and on a node that is not there.
	spawned := newInbox(t, n2)
	if err := n2.RegisterSpawnable("cronjob", "run", func(args etf.List) (node.Behavior, error) {
		return initFunc(func(p *node.Process) error {
			if err := p.Send(spawned.pid, args[0]); err != nil {
				return err
			}
			return p.Send(p.Self(), etf.Atom("done")) // then exit normally
		}), nil
	}); err != nil {
		t.Fatal(err)
	}
	spawnFB := newInbox(t, n1)
	f.add(t, "spawn-on", "* * * * * *", cron.SpawnOn(n2.Name(), "cronjob", "run", etf.List{etf.Atom("hi")}),
		cron.JobFallback(spawnFB.pid))
	f.add(t, "spawn-nowhere", "* * * * * *", cron.SpawnOn("nobody_here@127.0.0.1", "cronjob", "run", nil),
		cron.JobFallback(spawnFB.pid))
	for i := range 3 {
		f.step(t, 1)
		due := start.Add(time.Duration(i+1) * time.Second)
		if m := named.next(t); m != etf.Atom("by_name") {
			t.Fatalf("sink got %v", m)
		}
		if m := anon.next(t); m != etf.Atom("by_pid") {
			t.Fatalf("pid got %v", m)
		}
		m, ok := fb.next(t).(cron.JobFailed)
		if !ok || m.Job != "unreachable" || !errors.Is(m.Err, node.ErrNoConnection) || !m.At.Equal(due) {
			t.Fatalf("fallback got %#v", m)
		}
		// Across nodes the report is {cron_job_failed, Job, Reason, AtMillis}.
		tup, ok := remoteFB.next(t).(etf.Tuple)
		if !ok || len(tup) != 4 || tup[0] != etf.Atom("cron_job_failed") || !etf.Equal(tup[1], etf.Binary("remote-fallback")) ||
			tup[2] != etf.Atom("noproc") || !etf.Equal(tup[3], due.UnixMilli()) {
			t.Fatalf("remote fallback got %s", etf.Format(tup))
		}
		if m := spawned.next(t); m != etf.Atom("hi") {
			t.Fatalf("spawned process sent %v", m)
		}
		if m, ok := spawnFB.next(t).(cron.JobFailed); !ok || m.Job != "spawn-nowhere" || !errors.Is(m.Err, node.ErrNoConnection) {
			t.Fatalf("spawn fallback got %#v", m)
		}
		f.waitIdle(t, "spawn-on")
	}
	if j := jobNamed(t, f.jobs(t), "spawn-on"); j.Runs != 3 || j.Failures != 0 {
		t.Fatalf("spawn-on %+v", j)
	}
}

// TestSendToErlang: a job sends to a process registered on a real erl
// node, a failing job reports to a fallback on that node, which gets
// {cron_job_failed, Job, Reason, At}, erl reads the jobs with
// sys:get_state, a gen_server:call the cron does not know gets
// {error, unknown_request}, and SpawnOn starts processes there.
func TestSendToErlang(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	epmd := erltest.StartEPMD(t)
	cookie := unique("cookie")
	n := distNode(t, "cron_go", cookie, epmd)
	erlName := unique("cron_erl") + "@127.0.0.1"
	expr := `register(cron_sink, self()), io:format("ready~n"),
		Loop = fun L() ->
			receive
				{cron_job_failed, Job, _Reason, At} when is_binary(Job), is_integer(At) ->
					io:format("failed ~s ~w~n", [Job, At]), L();
				{call, Cron, Req} ->
					io:format("reply ~w~n", [gen_server:call(Cron, Req)]), L();
				{get_state, Cron} ->
					Jobs = sys:get_state(Cron),
					[io:format("job ~s ~s next ~w runs ~w~n", [N, S, Next, R])
					 || #{name := N, spec := S, next := Next, runs := R} <- Jobs],
					io:format("state done~n"), L();
				M -> io:format("got ~w~n", [M]), L()
			end
		end, Loop().`
	cmd := exec.Command(erl, "-noshell", "-name", erlName, "-setcookie", cookie, "-eval", expr)
	cmd.Env = erltest.EnvWithEPMD(epmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		timeout := time.After(wait)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("erl exited before printing %q", want)
				}
				if l == want {
					return
				}
			case <-timeout:
				t.Fatalf("erl did not print %q", want)
			}
		}
	}
	expect("ready")

	sink := etf.Tuple{etf.Atom("cron_sink"), etf.Atom(erlName)}
	f := newFixture(t, n, cron.WithConnectTimeout(wait), cron.WithName("crond"))
	f.add(t, "hello", "*/2 * * * * *", cron.Send(sink, etf.Tuple{etf.Atom("hello"), 42}))
	f.add(t, "broken", "*/2 * * * * *", cron.Send(etf.Atom("not_registered"), 1), cron.JobFallback(sink))
	f.step(t, 2)
	got := map[string]bool{}
	for range 2 {
		select {
		case l := <-lines:
			got[l] = true
		case <-time.After(wait):
			t.Fatalf("erl printed only %v", got)
		}
	}
	want := fmt.Sprintf("failed broken %d", start.Add(2*time.Second).UnixMilli())
	if !got["got {hello,42}"] || !got[want] {
		t.Fatalf("erl printed %v, want %q and %q", got, "got {hello,42}", want)
	}

	// sys:get_state from erl shows the jobs.
	if err := n.Send(sink, etf.Tuple{etf.Atom("get_state"), etf.Tuple{etf.Atom("crond"), n.Name()}}); err != nil {
		t.Fatal(err)
	}
	next := start.Add(4 * time.Second).UnixMilli()
	expect(fmt.Sprintf("job broken */2 * * * * * next %d runs 1", next))
	expect(fmt.Sprintf("job hello */2 * * * * * next %d runs 1", next))
	expect("state done")

	// A call the cron does not know is answered, and the cron goes on.
	if err := n.Send(sink, etf.Tuple{etf.Atom("call"), etf.Tuple{etf.Atom("crond"), n.Name()}, etf.Atom("hello")}); err != nil {
		t.Fatal(err)
	}
	expect("reply {error,unknown_request}")
	if js := f.jobs(t); len(js) != 2 {
		t.Fatalf("after the unknown call: %+v", js)
	}

	// SpawnOn: erlang:send/2 spawned on erl sends to the sink; a process
	// that raises is reported with its exit reason.
	ctx := ctxT(t)
	for _, name := range []string{"hello", "broken"} {
		if err := f.c.Remove(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	fb := newInbox(t, n)
	f.add(t, "spawn", "* * * * * *", cron.SpawnOn(etf.Atom(erlName), "erlang", "send",
		etf.List{etf.Atom("cron_sink"), etf.Tuple{etf.Atom("spawned"), 7}}))
	f.add(t, "crash", "* * * * * *", cron.SpawnOn(etf.Atom(erlName), "erlang", "error", etf.List{etf.Atom("boom")}),
		cron.JobFallback(fb.pid))
	f.step(t, 1)
	expect("got {spawned,7}")
	m, ok := fb.next(t).(cron.JobFailed)
	var exit *node.ExitError
	if !ok || m.Job != "crash" || !errors.As(m.Err, &exit) {
		t.Fatalf("fallback got %#v", m)
	}
	if reason, ok := exit.Reason.(etf.Tuple); !ok || len(reason) != 2 || reason[0] != etf.Atom("boom") {
		t.Fatalf("exit reason %s, want {boom, Stack}", etf.Format(exit.Reason))
	}
	f.waitIdle(t, "spawn") // its spawn reply may come after crash's DOWN
	if j := jobNamed(t, f.jobs(t), "spawn"); j.Runs != 1 || j.Failures != 0 {
		t.Fatalf("spawn job %+v", j)
	}
}
