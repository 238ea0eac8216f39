package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// Tests against a real erl node: a private /usr/bin/epmd on a free port,
// erl started with ERL_EPMD_PORT pointing at it and testdata/node_peer.erl
// compiled into a temp dir, and a Go node registered in the same epmd.

// needErl fails under CI (skips elsewhere) when erl, erlc or epmd is missing.
func needErl(t testing.TB) { erltest.RequireTools(t, "erl", "erlc", "epmd") }

// startEPMD runs a real epmd on a private port until the test ends.
func startEPMD(t testing.TB) int { return erltest.StartEPMD(t) }

type erlPeer struct {
	name etf.Atom
	cmd  *exec.Cmd
}

// startErl compiles node_peer.erl and starts "erl -name alive@127.0.0.1",
// waiting for its "ready" line.
func startErl(t testing.TB, epmdPort int, alive, cookie string) *erlPeer {
	t.Helper()
	return startErlWith(t, epmdPort, alive, cookie, "-kernel", "dist_auto_connect", "once")
}

// startErlWith is startErl with args (e.g. -kernel settings) instead of
// dist_auto_connect once.
func startErlWith(t testing.TB, epmdPort int, alive, cookie string, args ...string) *erlPeer {
	t.Helper()
	dir := erltest.Compile(t, "testdata", "node_peer.erl")
	name := alive + "@127.0.0.1"
	cmd := exec.Command("erl", append(append([]string{"-noshell", "-name", name, "-setcookie", cookie,
		"-pa", dir}, args...), "-eval", "node_peer:start()")...)
	cmd.Env = erltest.EnvWithEPMD(epmdPort)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		closed := false
		for sc.Scan() {
			if !closed && strings.TrimSpace(sc.Text()) == "ready" {
				close(ready)
				closed = true
				continue
			}
			if os.Getenv("NODE_TEST_LOG") != "" {
				println("erl:", sc.Text())
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("erl did not start")
	}
	return &erlPeer{name: etf.Atom(name), cmd: cmd}
}

// eval runs Erlang expressions on the peer (Go is bound to the probe's pid)
// and returns their value; the probe must not receive anything else meanwhile
// except messages the code sends, which are returned in order in pre.
func (e *erlPeer) eval(t testing.TB, pr *probe, code string) etf.Term {
	t.Helper()
	ref := pr.p.node.MakeRef()
	pr.do(func(p *Process) error {
		return p.Send(Name{"ctl", e.name}, etf.Tuple{etf.Atom("eval"), p.Self(), ref, []byte(code)})
	})
	for {
		m := pr.recv()
		if tu, ok := m.(etf.Tuple); ok && len(tu) == 2 && tu[0] == ref {
			return tu[1]
		}
		t.Fatalf("eval %q: unexpected message %#v", code, m)
	}
}

// evalAsync starts code without waiting; the result arrives as {ref, V}.
func (e *erlPeer) evalAsync(pr *probe, code string) etf.Ref {
	ref := pr.p.node.MakeRef()
	pr.async(func(p *Process) error {
		return p.Send(Name{"ctl", e.name}, etf.Tuple{etf.Atom("eval"), p.Self(), ref, []byte(code)})
	})
	return ref
}

func resultOf(t testing.TB, pr *probe, ref etf.Ref) etf.Term {
	t.Helper()
	for {
		m := pr.recv()
		if tu, ok := m.(etf.Tuple); ok && len(tu) == 2 && tu[0] == ref {
			return tu[1]
		}
		t.Fatalf("unexpected message %#v", m)
	}
}

func erlSetup(t *testing.T) (*Node, *erlPeer) {
	needErl(t)
	port := startEPMD(t)
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	cookie := "cookie" + id
	e := startErl(t, port, "erl"+id, cookie)
	n := distNode(t, "go"+id+"@127.0.0.1", port, cookie)
	return n, e
}

func TestErlInterop(t *testing.T) {
	n, e := erlSetup(t)
	ctx := context.Background()
	if _, err := n.Spawn(echoServer(), WithName("echo")); err != nil {
		t.Fatal(err)
	}
	pr := spawnProbe(t, n, WithName("goprobe"))

	t.Run("send both ways, by pid and by name", func(t *testing.T) {
		ref := e.evalAsync(pr, `Go ! from_erl, {goprobe, '`+string(n.Name())+`'} ! by_name, ok.`)
		if m := pr.recv(); m != etf.Atom("from_erl") {
			t.Fatalf("got %#v", m)
		}
		if m := pr.recv(); m != etf.Atom("by_name") {
			t.Fatalf("got %#v", m)
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("got %#v", r)
		}
		ref = e.evalAsync(pr, `register(erl_target, self()), Go ! registered, receive M1 -> receive M2 -> {M1, M2} end end.`)
		if m := pr.recv(); m != etf.Atom("registered") {
			t.Fatalf("got %#v", m)
		}
		pr.do(func(p *Process) error { return p.Send(Name{"erl_target", e.name}, etf.Atom("one")) })
		pr.do(func(p *Process) error { return p.Send(etf.Tuple{etf.Atom("erl_target"), e.name}, etf.Atom("two")) })
		if r := resultOf(t, pr, ref); !etf.Equal(r, etf.Tuple{etf.Atom("one"), etf.Atom("two")}) {
			t.Fatalf("got %#v", r)
		}
	})
	t.Run("gen_server:call from erl to Go", func(t *testing.T) {
		r := e.eval(t, pr, `gen_server:call({echo, '`+string(n.Name())+`'}, {hello, 1}).`)
		if !etf.Equal(r, etf.Tuple{etf.Atom("hello"), 1}) {
			t.Fatalf("got %#v", r)
		}
		r = e.eval(t, pr, `catch gen_server:call({nobody, '`+string(n.Name())+`'}, x, 2000).`)
		// {'EXIT', {noproc, {gen_server, call, ...}}} at once
		tu, ok := r.(etf.Tuple)
		if !ok || tu[0] != etf.Atom("EXIT") || tu[1].(etf.Tuple)[0] != NoProc {
			t.Fatalf("got %#v", r)
		}
	})
	t.Run("call from Go to erl", func(t *testing.T) {
		r, err := n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		if err != nil || r != etf.Atom("yes") {
			t.Fatalf("got %#v, %v", r, err)
		}
		start := time.Now()
		if _, err := n.Call(ctx, Name{"nobody", e.name}, 1); !errors.Is(err, ErrNoProc) {
			t.Fatalf("got %v", err)
		}
		if time.Since(start) > 4*time.Second {
			t.Fatal("noproc was not immediate")
		}
	})
	t.Run("link both ways with exit propagation", func(t *testing.T) {
		// erl process links to a Go process (pid sent as a message).
		g := spawnProbe(t, n)
		ref := e.evalAsync(pr, `process_flag(trap_exit, true), Go ! {self()}, receive {link_to, P} -> link(P), Go ! linked, receive {'EXIT', P, R} -> R after 10000 -> timeout end end.`)
		ep := pr.recv().(etf.Tuple)[0].(etf.PID)
		pr.do(func(p *Process) error { return p.Send(ep, etf.Tuple{etf.Atom("link_to"), g.pid}) })
		if m := pr.recv(); m != etf.Atom("linked") {
			t.Fatalf("got %#v", m)
		}
		// LINK travels before "linked" on the same connection: it is set.
		g.async(func(*Process) error { return &ExitError{Reason: boom} })
		if r := resultOf(t, pr, ref); r != boom {
			t.Fatalf("erl saw %#v", r)
		}
		// Go process links to an erl process which then exits.
		ref = e.evalAsync(pr, `Go ! {spawn(fun() -> receive die -> exit(erl_boom) end end)}, ok.`)
		ep = pr.recv().(etf.Tuple)[0].(etf.PID)
		g2 := spawnProbe(t, n, WithTrapExit())
		g2.do(func(p *Process) error { return p.Link(ep) })
		_, _ = n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()}) // round trip
		pr.do(func(p *Process) error { return p.Send(ep, etf.Atom("die")) })
		em := g2.recv().(ExitMsg)
		if em.From != ep || em.Reason != etf.Atom("erl_boom") {
			t.Fatalf("got %#v", em)
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("got %#v", r)
		}
		// not trapping: dies with the reason
		ref = e.evalAsync(pr, `Go ! {spawn(fun() -> receive die -> exit(erl_boom2) end end)}, ok.`)
		ep = pr.recv().(etf.Tuple)[0].(etf.PID)
		g3 := spawnProbe(t, n)
		down := watch(t, n, g3.pid)
		g3.do(func(p *Process) error { return p.Link(ep) })
		_, _ = n.Call(ctx, Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		pr.do(func(p *Process) error { return p.Send(ep, etf.Atom("die")) })
		if r := down(); r != etf.Atom("erl_boom2") {
			t.Fatalf("died with %#v", r)
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("got %#v", r)
		}
	})
	t.Run("link to dead erl pid: noproc", func(t *testing.T) {
		r := e.eval(t, pr, `P = spawn(fun() -> ok end), Ref = monitor(process, P), receive {'DOWN', Ref, _, _, _} -> P end.`)
		dead := r.(etf.PID)
		g := spawnProbe(t, n, WithTrapExit())
		g.do(func(p *Process) error { return p.Link(dead) })
		if em := g.recv().(ExitMsg); em.From != dead || em.Reason != NoProc {
			t.Fatalf("got %#v", em)
		}
	})
	t.Run("erl unlinks (UNLINK_ID) then Go exits: no signal", func(t *testing.T) {
		g := spawnProbe(t, n)
		ref := e.evalAsync(pr, `process_flag(trap_exit, true), Go ! {self()}, receive {link_to, P} -> link(P), unlink(P), Go ! unlinked, receive {'EXIT', P, R} -> {got, R} after 500 -> none end end.`)
		ep := pr.recv().(etf.Tuple)[0].(etf.PID)
		pr.do(func(p *Process) error { return p.Send(ep, etf.Tuple{etf.Atom("link_to"), g.pid}) })
		if m := pr.recv(); m != etf.Atom("unlinked") {
			t.Fatalf("got %#v", m)
		}
		g.async(func(*Process) error { return &ExitError{Reason: boom} })
		if r := resultOf(t, pr, ref); r != etf.Atom("none") {
			t.Fatalf("got %#v", r)
		}
		if len(g.p.Links()) != 0 {
			t.Fatal("link state left behind")
		}
	})
	t.Run("monitors: Go watches erl by pid and name, erl watches Go", func(t *testing.T) {
		ref := e.evalAsync(pr, `P = spawn(fun() -> receive die -> exit(mon_boom) end end), register(erl_mon, P), Go ! {P}, ok.`)
		ep := pr.recv().(etf.Tuple)[0].(etf.PID)
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("got %#v", r)
		}
		g := spawnProbe(t, n)
		var r1, r2, r3 etf.Ref
		g.do(func(p *Process) error {
			r1, _ = p.Monitor(ep)
			r2, _ = p.Monitor(Name{"erl_mon", e.name})
			r3, _ = p.Monitor(Name{"erl_nobody", e.name})
			return nil
		})
		if d := g.recv().(DownMsg); d.Ref != r3 || d.Reason != NoProc {
			t.Fatalf("unknown name: %#v", d)
		}
		pr.do(func(p *Process) error { return p.Send(ep, etf.Atom("die")) })
		got := map[etf.Ref]DownMsg{}
		for range 2 {
			d := g.recv().(DownMsg)
			got[d.Ref] = d
		}
		if d := got[r1]; d.Reason != etf.Atom("mon_boom") || d.Object != ep {
			t.Fatalf("by pid: %#v", d)
		}
		if d := got[r2]; d.Reason != etf.Atom("mon_boom") || d.Object != (Name{"erl_mon", e.name}) {
			t.Fatalf("by name: %#v", d)
		}
		// erl monitors a Go process by name and by pid.
		w := spawnProbe(t, n, WithName("go_watched"))
		ref = e.evalAsync(pr, `R1 = monitor(process, {go_watched, '`+string(n.Name())+`'}), R2 = monitor(process, {go_nobody, '`+string(n.Name())+`'}), `+
			`N = receive {'DOWN', R2, process, Obj2, Re2} -> {Obj2, Re2} after 5000 -> timeout end, Go ! {nobody, N}, `+
			`receive {'DOWN', R1, process, Obj, Re} -> {Obj, Re} after 10000 -> timeout end.`)
		m := pr.recv().(etf.Tuple)
		if !etf.Equal(m[1], etf.Tuple{etf.Tuple{etf.Atom("go_nobody"), n.Name()}, NoProc}) {
			t.Fatalf("erl DOWN for unknown Go name: %#v", m)
		}
		w.async(func(*Process) error { return &ExitError{Reason: boom} })
		if r := resultOf(t, pr, ref); !etf.Equal(r, etf.Tuple{etf.Tuple{etf.Atom("go_watched"), n.Name()}, boom}) {
			t.Fatalf("erl DOWN: %#v", r)
		}
	})
	t.Run("exit/2 both ways and group_leader", func(t *testing.T) {
		// erl: exit(GoPid, kill) is untrappable: killed.
		g := spawnProbe(t, n, WithTrapExit())
		down := watch(t, n, g.pid)
		pr.do(func(p *Process) error { return p.Send(g.pid, etf.Atom("noop")) })
		if m := g.recv(); m != etf.Atom("noop") {
			t.Fatalf("got %#v", m)
		}
		ref := e.evalAsync(pr, `Go ! {self()}, receive {kill, P} -> exit(P, kill), ok end.`)
		ep := pr.recv().(etf.Tuple)[0].(etf.PID)
		pr.do(func(p *Process) error { return p.Send(ep, etf.Tuple{etf.Atom("kill"), g.pid}) })
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("got %#v", r)
		}
		if r := down(); r != Killed {
			t.Fatalf("died with %#v", r)
		}
		// Go: Exit(erlPid, boom) kills a non-trapping erl process.
		ref = e.evalAsync(pr, `P = spawn(fun() -> receive never -> ok end end), M = monitor(process, P), Go ! {P}, receive {'DOWN', M, process, P, R} -> R after 10000 -> timeout end.`)
		ep = pr.recv().(etf.Tuple)[0].(etf.PID)
		pr.do(func(p *Process) error { return p.Exit(ep, boom) })
		if r := resultOf(t, pr, ref); r != boom {
			t.Fatalf("erl process died with %#v", r)
		}
		// erl: group_leader(GL, GoPid) sets the Go process's group leader.
		g2 := spawnProbe(t, n)
		ref = e.evalAsync(pr, `Go ! {self()}, receive {gl, P} -> group_leader(self(), P), Go ! {done, self()}, ok end.`)
		ep = pr.recv().(etf.Tuple)[0].(etf.PID)
		pr.do(func(p *Process) error { return p.Send(ep, etf.Tuple{etf.Atom("gl"), g2.pid}) })
		if m := pr.recv().(etf.Tuple); m[0] != etf.Atom("done") {
			t.Fatalf("got %#v", m)
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("got %#v", r)
		}
		if gl := g2.p.GroupLeader(); gl != ep {
			t.Fatalf("group leader %v, want %v", gl, ep)
		}
	})
	t.Run("spawn from BEAM: registered and undef", func(t *testing.T) {
		if err := n.RegisterSpawnable("go_mod", "echo_once", func(args etf.List) (Behavior, error) {
			return &spawnedEcho{args: args}, nil
		}); err != nil {
			t.Fatal(err)
		}
		r := e.eval(t, pr, `P = spawn('`+string(n.Name())+`', go_mod, echo_once, [a, 1]), P ! {self(), ping}, receive {P, Args} -> Args after 10000 -> timeout end.`)
		if !etf.Equal(r, etf.List{etf.Atom("a"), 1}) {
			t.Fatalf("got %#v", r)
		}
		r = e.eval(t, pr, `process_flag(trap_exit, true), P = spawn_link('`+string(n.Name())+`', go_mod, echo_once, [b]), P ! {self(), ping}, `+
			`receive {P, _} -> ok end, receive {'EXIT', P, R} -> R after 10000 -> timeout end.`)
		if r != Normal {
			t.Fatalf("spawn_link: %#v", r)
		}
		r = e.eval(t, pr, `{_, Ref} = spawn_monitor('`+string(n.Name())+`', no_mod, no_fun, [x]), receive {'DOWN', Ref, process, _, Reason} -> Reason after 10000 -> timeout end.`)
		want := etf.Tuple{etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("no_mod"), etf.Atom("no_fun"), etf.List{etf.Atom("x")}, etf.List{}}}}
		if !etf.Equal(r, want) {
			t.Fatalf("got %#v", r)
		}
		// Small-integer argument lists travel as STRING_EXT (a Charlist on
		// our side); the factory and the undef reason must still see them.
		r = e.eval(t, pr, `P = spawn('`+string(n.Name())+`', go_mod, echo_once, [1, 2]), P ! {self(), ping}, receive {P, Args} -> Args after 10000 -> timeout end.`)
		if !etf.Equal(r, etf.List{1, 2}) {
			t.Fatalf("small-int args: got %#v", r)
		}
		r = e.eval(t, pr, `{_, Ref} = spawn_monitor('`+string(n.Name())+`', no_mod, no_fun, [1, 2]), receive {'DOWN', Ref, process, _, Reason} -> Reason after 10000 -> timeout end.`)
		want = etf.Tuple{etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("no_mod"), etf.Atom("no_fun"), etf.List{1, 2}, etf.List{}}}}
		if !etf.Equal(r, want) {
			t.Fatalf("small-int undef: got %#v", r)
		}
	})
	t.Run("ordering of 100k messages both ways", func(t *testing.T) {
		const count = 100_000
		// erl -> Go
		done := make(chan error, 1)
		next := 1
		rcv, _ := n.Spawn(BehaviorFunc(func(p *Process, m etf.Term) error {
			if m != next {
				done <- fmt.Errorf("got %v want %d", m, next)
				return &ExitError{Reason: Normal}
			}
			next++
			if next > count {
				done <- nil
			}
			return nil
		}))
		ref := e.evalAsync(pr, `Go ! {self()}, receive {go, P} -> node_peer:flood(P, 1, `+strconv.Itoa(count)+`) end.`)
		ep := pr.recv().(etf.Tuple)[0].(etf.PID)
		pr.do(func(p *Process) error { return p.Send(ep, etf.Tuple{etf.Atom("go"), rcv}) })
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("erl->Go: only %d messages", next-1)
		}
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("flood: %#v", r)
		}
		// Go -> erl
		ref = e.evalAsync(pr, `Go ! {self()}, node_peer:expect(1, `+strconv.Itoa(count)+`).`)
		ep = pr.recv().(etf.Tuple)[0].(etf.PID)
		snd := spawnProbe(t, n)
		snd.async(func(p *Process) error {
			for i := 1; i <= count; i++ {
				if err := p.Send(ep, i); err != nil {
					return err
				}
			}
			return nil
		})
		if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
			t.Fatalf("erl saw %#v", r)
		}
	})
}

type spawnedEcho struct{ args etf.List }

func (s *spawnedEcho) Init(*Process) error { return nil }
func (s *spawnedEcho) HandleMessage(p *Process, m etf.Term) error {
	if t, ok := m.(etf.Tuple); ok && len(t) == 2 {
		if from, ok := t[0].(etf.PID); ok {
			_ = p.Send(from, etf.Tuple{p.Self(), s.args})
			return &ExitError{Reason: Normal}
		}
	}
	return nil
}
func (s *spawnedEcho) Terminate(*Process, etf.Term) {}

func TestErlNoConnection(t *testing.T) {
	n, e := erlSetup(t)
	pr := spawnProbe(t, n)
	ref := e.evalAsync(pr, `P = spawn(fun() -> receive _ -> timer:sleep(infinity) end end), register(silent, P), Go ! {P}, ok.`)
	ep := pr.recv().(etf.Tuple)[0].(etf.PID)
	if r := resultOf(t, pr, ref); r != etf.Atom("ok") {
		t.Fatalf("got %#v", r)
	}
	x := spawnProbe(t, n, WithTrapExit())
	var mref etf.Ref
	x.do(func(p *Process) error {
		p.MonitorNode(e.name, true)
		mref, _ = p.Monitor(Name{"silent", e.name})
		return p.Link(ep)
	})
	callErr := make(chan error, 1)
	c := spawnProbe(t, n)
	c.async(func(p *Process) error {
		_, err := p.Call(context.Background(), Name{"silent", e.name}, etf.Atom("hang"))
		callErr <- err
		return nil
	})
	// One round trip so that LINK and MONITOR_P have been processed.
	if _, err := n.Call(context.Background(), Name{"net_kernel", e.name}, etf.Tuple{etf.Atom("is_auth"), n.Name()}); err != nil {
		t.Fatal(err)
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	seen := map[string]bool{}
	for range 3 {
		switch m := x.recv().(type) {
		case ExitMsg:
			if m.From != ep || m.Reason != NoConnection {
				t.Fatalf("got %#v", m)
			}
			seen["exit"] = true
		case DownMsg:
			if m.Ref != mref || m.Reason != NoConnection || m.Object != (Name{"silent", e.name}) {
				t.Fatalf("got %#v", m)
			}
			seen["down"] = true
		case NodeDownMsg:
			seen["nodedown"] = true
		default:
			t.Fatalf("unexpected %#v", m)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("seen %v", seen)
	}
	if err := <-callErr; !errors.Is(err, ErrNoConnection) {
		t.Fatalf("pending call: %v", err)
	}
	// Sending to the dead node succeeds and the message is dropped, as
	// erlang:send/2 does; a Call fails with noconnection.
	if err := n.Send(Name{"silent", e.name}, 1); err != nil {
		t.Fatalf("send after kill: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if _, err := n.Call(ctx, Name{"silent", e.name}, 1); !errors.Is(err, ErrNoConnection) {
		t.Fatalf("call after kill: %v", err)
	}
}
