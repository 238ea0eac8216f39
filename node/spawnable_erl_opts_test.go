package node

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// BEAM -> Go spawns judged against BEAM -> BEAM: one erl node (A) sends the
// same spawn_request / spawn_opt to the Go node and to a second erl node
// (B); the answers must match. Options that erlang:spawn_request never
// puts on the wire ({reply, _}, {monitor, Bad}) are sent raw by a second
// Go node to the Go node and to B.

type optsLoop struct{}

func (optsLoop) Init(*Process) error { return nil }
func (optsLoop) HandleMessage(p *Process, m etf.Term) error {
	switch m {
	case etf.Atom("stop"):
		return &ExitError{Reason: Normal}
	case etf.Atom("crash"):
		return &ExitError{Reason: boom}
	}
	return nil
}
func (optsLoop) Terminate(*Process, etf.Term) {}

type optsSetup struct {
	n, g2 *Node
	a, b  *erlPeer
	pr    *probe // on n, drives A's evals
}

func spawnOptsSetup(t *testing.T) *optsSetup {
	needErl(t)
	port := startEPMD(t)
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	cookie := "cookie" + id
	s := &optsSetup{
		a: startErl(t, port, "erla"+id, cookie),
		b: startErl(t, port, "erlb"+id, cookie),
		n: distNode(t, "go"+id+"@127.0.0.1", port, cookie),
	}
	s.g2 = distNode(t, "gob"+id+"@127.0.0.1", port, cookie)
	for _, n := range []*Node{s.n, s.g2} {
		if err := n.RegisterSpawnable("go_mod", "loop", func(etf.List) (Behavior, error) { return optsLoop{}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	s.pr = spawnProbe(t, s.n)
	return s
}

// erlAsyncDist reports whether B's ERTS takes {async_dist, Bool} (erts
// 13.2, OTP 25.3, and later).
func erlAsyncDist(t *testing.T, s *optsSetup) bool {
	v, ok := s.a.eval(t, s.pr, `rpc:call('`+string(s.b.name)+`', erlang, system_info, [version]).`).(etf.Charlist)
	if !ok {
		t.Fatal("erts version of B")
	}
	parts := strings.Split(string(v), ".")
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major > 13 || major == 13 && minor >= 2
}

func TestErlSpawnRequestOptsToGo(t *testing.T) {
	s := spawnOptsSetup(t)
	goN, erlB := string(s.n.Name()), string(s.b.name)
	asyncOK := erlAsyncDist(t, s)
	try := `Try = fun(N, M, F, Args, O) -> R = erlang:spawn_request(N, M, F, Args, O), ` +
		`receive {spawn_reply, R, ok, P} -> unlink(P), exit(P, kill), ok; {spawn_reply, R, error, E} -> {error, E} after 10000 -> timeout end end, `
	cases := []struct {
		opts string
		ok   bool
	}{
		{`[]`, true},
		{`[link]`, true},
		{`[monitor]`, true},
		{`[{monitor, [{tag, t}, {alias, demonitor}]}]`, true},
		{`[{reply, success_only}, {reply_tag, spawn_reply}]`, true}, // stripped by A
		{`[{priority, low}, {priority, normal}, {priority, high}, {priority, max}]`, true},
		{`[{priority, ultra}]`, false},
		{`[bogus]`, false},
		{`[{bogus, 1}]`, false},
		{`[{link, true}]`, false},
		{`[{fullsweep_after, 10}, {min_heap_size, 100}, {min_bin_vheap_size, 100}]`, true},
		{`[{fullsweep_after, -1}]`, false},
		{`[{fullsweep_after, 1 bsl 70}]`, false},
		{`[{min_heap_size, foo}]`, false},
		{`[{max_heap_size, 0}]`, true},
		{`[{max_heap_size, 232}]`, false},
		{`[{max_heap_size, #{size => 1000, kill => true, error_logger => false}}]`, true},
		{`[{max_heap_size, #{kill => true}}]`, false},
		{`[{min_heap_size, 2000}, {max_heap_size, 2584}]`, false},
		{`[{min_heap_size, 2000}, {max_heap_size, 2586}]`, true},
		{`[{message_queue_data, off_heap}, {message_queue_data, on_heap}]`, true},
		{`[{message_queue_data, foo}]`, false},
		{`[{scheduler, 0}]`, true},
		{`[{scheduler, foo}]`, false},
		{`[link, {priority, high}, bogus]`, false},
	}
	for _, c := range cases {
		t.Run(c.opts, func(t *testing.T) {
			r := s.a.eval(t, s.pr, try+`{Try('`+goN+`', go_mod, loop, [], `+c.opts+`), Try('`+erlB+`', timer, sleep, [infinity], `+c.opts+`)}.`)
			want := etf.Term(etf.Atom("ok"))
			if !c.ok {
				want = etf.Tuple{etf.Atom("error"), etf.Atom("badopt")}
			}
			if !etf.Equal(r, etf.Tuple{want, want}) {
				t.Fatalf("{Go, erl} answered %v, want both %v", r, want)
			}
		})
	}
	t.Run("async_dist", func(t *testing.T) {
		r := s.a.eval(t, s.pr, try+`{Try('`+goN+`', go_mod, loop, [], [{async_dist, true}, {async_dist, false}]), `+
			`Try('`+erlB+`', timer, sleep, [infinity], [{async_dist, true}]), Try('`+goN+`', go_mod, loop, [], [{async_dist, 1}])}.`)
		erlWant := etf.Term(etf.Atom("ok"))
		if !asyncOK {
			erlWant = etf.Tuple{etf.Atom("error"), etf.Atom("badopt")} // erl before OTP 25.3
		}
		want := etf.Tuple{etf.Atom("ok"), erlWant, etf.Tuple{etf.Atom("error"), etf.Atom("badopt")}}
		if !etf.Equal(r, want) {
			t.Fatalf("got %v, want %v", r, want)
		}
	})
	t.Run("spawn_opt with a bad option raises badarg on both", func(t *testing.T) {
		r := s.a.eval(t, s.pr, `C = fun(N, M, F, A) -> try spawn_opt(N, M, F, A, [{priority, ultra}]) catch error:E -> E end end, `+
			`{C('`+goN+`', go_mod, loop, []), C('`+erlB+`', timer, sleep, [infinity])}.`)
		if !etf.Equal(r, etf.Tuple{etf.Atom("badarg"), etf.Atom("badarg")}) {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("monitor: the DOWN carries the request id", func(t *testing.T) {
		r := s.a.eval(t, s.pr, `R = erlang:spawn_request('`+goN+`', go_mod, loop, [], [monitor, {priority, high}, {fullsweep_after, 10}, {message_queue_data, off_heap}]), `+
			`receive {spawn_reply, R, ok, P} -> P ! stop, receive {'DOWN', M, process, P, Why} -> {M =:= R, Why} after 10000 -> timeout end after 10000 -> noreply end.`)
		if !etf.Equal(r, etf.Tuple{etf.Atom("true"), Normal}) {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("monitor with a tag: the tagged DOWN carries the request id", func(t *testing.T) {
		r := s.a.eval(t, s.pr, `R = erlang:spawn_request('`+goN+`', go_mod, loop, [], [{monitor, [{tag, go_down}]}]), `+
			`receive {spawn_reply, R, ok, P} -> P ! crash, receive {go_down, M, process, P, Why} -> {M =:= R, Why} after 10000 -> timeout end after 10000 -> noreply end.`)
		if !etf.Equal(r, etf.Tuple{etf.Atom("true"), boom}) {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("spawn_opt monitor: DOWN with the returned ref", func(t *testing.T) {
		r := s.a.eval(t, s.pr, `{P, M} = spawn_opt('`+goN+`', go_mod, loop, [], [monitor, {priority, max}, {max_heap_size, #{size => 100000}}]), `+
			`P ! stop, receive {'DOWN', M, process, P, Why} -> Why after 10000 -> timeout end.`)
		if r != Normal {
			t.Fatalf("got %v", r)
		}
	})
	t.Run("link with valid options: EXIT arrives, the Go process holds the link", func(t *testing.T) {
		ref := s.a.evalAsync(s.pr, `process_flag(trap_exit, true), R = erlang:spawn_request('`+goN+`', go_mod, loop, [], [link, {min_heap_size, 1000}, {scheduler, 0}]), `+
			`receive {spawn_reply, R, ok, P} -> Go ! {spawned, P, self()}, receive go -> P ! crash, receive {'EXIT', P, Why} -> Why after 10000 -> timeout end end after 10000 -> noreply end.`)
		m, ok := s.pr.recv().(etf.Tuple)
		if !ok || len(m) != 3 || m[0] != etf.Atom("spawned") {
			t.Fatalf("got %#v", m)
		}
		pid, erlPid := m[1].(etf.PID), m[2].(etf.PID)
		p := s.n.lookup(pid)
		if p == nil {
			t.Fatalf("no Go process %v", pid)
		}
		if ls := p.Links(); len(ls) != 1 || ls[0] != erlPid {
			t.Fatalf("Go process links %v, want [%v]", ls, erlPid)
		}
		s.pr.do(func(p *Process) error { return p.Send(erlPid, etf.Atom("go")) })
		if r := resultOf(t, s.pr, ref); r != boom {
			t.Fatalf("EXIT reason %v", r)
		}
	})
}

// TestErlSpawnOptsWire sends options erlang:spawn_request never puts on
// the wire from a Go node (g2) to the Go node under test and to erl B.
func TestErlSpawnOptsWire(t *testing.T) {
	s := spawnOptsSetup(t)
	a := func(x string) etf.Atom { return etf.Atom(x) }
	kv := func(k string, v etf.Term) etf.Tuple { return etf.Tuple{a(k), v} }
	req := spawnProbe(t, s.g2)
	send := func(t *testing.T, node, m, f etf.Atom, args etf.List, o etf.Term) error {
		cfg := remoteSpawnOptions(nil)
		cfg.opts = etf.List{o} // raw, past SpawnOpt's own handling of reply and monitor
		req.do(func(p *Process) error {
			_, err := p.spawnRequest(node, m, f, args, &cfg, nil)
			return err
		})
		for {
			switch m := req.recv().(type) {
			case SpawnReplyMsg:
				if m.Err == nil {
					req.do(func(p *Process) error { return p.Exit(m.Pid, etf.Atom("kill")) })
				}
				return m.Err
			case DownMsg: // of an earlier monitored spawn
			default:
				t.Fatalf("unexpected %#v", m)
			}
		}
	}
	cases := []struct {
		opt etf.Term
		ok  bool
	}{
		{kv("reply", a("yes")), false},
		{kv("reply", a("no")), false},
		{kv("reply_tag", a("x")), false},
		{kv("monitor", etf.List{}), true},
		{kv("monitor", etf.List{kv("tag", a("x"))}), true},
		{kv("monitor", etf.List{kv("alias", a("reply_demonitor"))}), true},
		{kv("monitor", a("bad")), false},
		{kv("monitor", etf.List{a("bad")}), false},
		{kv("monitor", etf.List{kv("alias", a("bad"))}), false},
		{kv("monitor", etf.ImproperList{Elems: []etf.Term{kv("tag", a("x"))}, Tail: a("t")}), false},
		{etf.Tuple{}, false},
		{etf.List{}, false},
		{1, false},
		{kv("max_heap_size", etf.Map{{Key: a("size"), Value: 233}, {Key: a("bogus"), Value: 1}}), true},
		{kv("max_heap_size", etf.Map{{Key: a("size"), Value: a("x")}}), false},
	}
	for _, c := range cases {
		t.Run(etf.Format(c.opt), func(t *testing.T) {
			goErr := send(t, s.n.Name(), "go_mod", "loop", nil, c.opt)
			erlErr := send(t, s.b.name, "timer", "sleep", etf.List{a("infinity")}, c.opt)
			want := error(nil)
			if !c.ok {
				want = ErrBadOpt
			}
			if goErr != want || erlErr != want {
				t.Fatalf("Go answered %v, erl %v; want %v", goErr, erlErr, want)
			}
		})
	}
}
