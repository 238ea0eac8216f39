package interop

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// fuzzServices are the targets of FuzzServices, by the first fuzz byte.
var fuzzServices = []etf.Atom{NetKernelName, RexName, UserName, "erpc"}

// FuzzServices sends a decoded hostile term to net_kernel, rex or user (or
// uses it as the argument list of an erpc spawn) and checks that the
// service is the same process afterwards and still answers: a service
// that dies on one message (defect 6 of issue 12: a reply to a pid of a
// gone node ended net_kernel) fails here even though it would be
// restarted. The node has no distribution, so every reply to another
// node fails, the worst case for the services.
func FuzzServices(f *testing.F) {
	gone := etf.PID{Node: "gone@127.0.0.1", ID: 42, Creation: 7}
	ref := etf.Ref{Node: "gone@127.0.0.1", Creation: 7, Len: 3, ID: [5]uint32{1, 2, 3}}
	call := func(req etf.Term) etf.Term { return etf.Tuple{node.GenCall, etf.Tuple{gone, ref}, req} }
	mfa := func(tag etf.Atom) etf.Term {
		return etf.Tuple{tag, etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}, etf.Atom("user")}
	}
	for _, s := range []struct {
		svc  uint8
		term etf.Term
	}{
		{0, call(etf.Tuple{etf.Atom("is_auth"), etf.Atom("a@b")})}, // defect 6
		{0, etf.Tuple{node.GenCall, etf.Atom("nofrom"), etf.Atom("get_state")}},
		{0, etf.Tuple{node.GenCall, etf.Tuple{gone, etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: ref}}, etf.Atom("ticktime")}},
		{1, call(mfa("call"))},
		{1, call(mfa("block_call"))},
		{1, etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("cast"), etf.Atom("t"), etf.Atom("panic"), etf.List{}, gone}}},
		{1, etf.Tuple{gone, etf.Tuple{etf.Atom("sbcast"), etf.Atom("user"), 1}}},
		{1, etf.Tuple{gone, etf.Tuple{etf.Atom("send"), etf.Atom("nobody"), 1}}},
		{1, etf.Tuple{gone, mfa("call")}},
		{2, etf.Tuple{atomIORequest, gone, ref, etf.Tuple{atomPutChars, etf.Atom("unicode"), etf.Binary("x\n")}}},
		{2, etf.Tuple{atomIORequest, gone, ref, etf.Tuple{atomPutChars, etf.Atom("io_lib"), etf.Atom("format"), etf.List{etf.Charlist("~p~s~n"), etf.List{1}}}}},
		{2, etf.Tuple{atomIORequest, gone, ref, etf.Tuple{etf.Atom("requests"), etf.List{etf.Atom("getopts"), etf.Tuple{etf.Atom("get_line"), etf.Charlist("")}}}}},
		{3, etf.List{ref, etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}}},
		{3, etf.List{etf.Atom("t"), etf.Atom("panic"), etf.List{}}},
	} {
		b, err := etf.Encode(s.term)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.svc, b)
	}
	n, s := fuzzNode(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, svc uint8, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		name := fuzzServices[int(svc)%len(fuzzServices)]
		if name == "erpc" {
			fuzzErpc(t, n, s, term)
			return
		}
		before, _ := n.Whereis(name)
		_ = n.Send(name, term)
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := probe(ctx, n, name); err != nil {
			t.Fatalf("%s does not answer after %s: %v", name, etf.Format(term), err)
		}
		if after, _ := n.Whereis(name); after != before {
			t.Fatalf("%s died on %s (restarted as %v)", name, etf.Format(term), after)
		}
	})
}

// fuzzErpc uses term as the arguments of erpc:execute_call/4 or
// execute_cast/3, as a SPAWN_REQUEST would, and waits for the process.
func fuzzErpc(t *testing.T, n *node.Node, s *Services, term etf.Term) {
	args, ok := etf.AsList(term)
	if !ok {
		return
	}
	factory := s.executeCast
	if len(args) == 4 {
		factory = s.executeCall
	}
	b, err := factory(args)
	if err != nil {
		return
	}
	p, ch := startWatcher(t, n)
	errc := make(chan error, 1)
	_ = n.Send(p.Self(), func(p *node.Process) {
		_, _, err := p.SpawnMonitor(b)
		errc <- err
	})
	// The call runs in Init, so its exit is the spawn's error too.
	var ee *node.ExitError
	if err := <-errc; err != nil && !errors.As(err, &ee) {
		t.Fatalf("spawn %s: %v", etf.Format(term), err)
	}
	for {
		if _, ok := recv(t, ch).(node.DownMsg); ok {
			break
		}
	}
	_ = n.Exit(p.Self(), node.Kill)
}

// probe checks that the service registered as name answers.
func probe(ctx context.Context, n *node.Node, name etf.Atom) error {
	switch name {
	case NetKernelName:
		_, err := n.Call(ctx, name, etf.Tuple{etf.Atom("is_auth"), n.Name()})
		return err
	case RexName:
		_, err := n.Call(ctx, name, etf.Tuple{etf.Atom("call"), etf.Atom("t"), etf.Atom("add"), etf.List{1, 2}, etf.Atom("user")})
		return err
	default:
		pid, _ := n.Whereis(name)
		return PutCharsTo(ctx, n, pid, "probe\n")
	}
}

// fuzzNode is localServices for fuzzing: output and logs are discarded so
// that memory does not grow with the inputs.
func fuzzNode(f *testing.F) (*node.Node, *Services) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := node.Start(context.Background(), "fzsvc@127.0.0.1", node.WithoutDistribution(), node.WithLogger(log))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = n.Stop(ctx)
	})
	s, err := Start(context.Background(), n, WithOutput(io.Discard))
	if err != nil {
		f.Fatal(err)
	}
	s.Register("t", "add", 2, Func2(func(_ context.Context, a, b int) (int, error) { return a + b, nil }))
	s.Register("t", "panic", 0, func(context.Context, etf.List) (etf.Term, error) { panic("kaput") })
	s.Register("t", "exit", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Exit(a[0]) })
	s.Register("t", "print", 1, func(ctx context.Context, a etf.List) (etf.Term, error) {
		return nil, Format(ctx, Process(ctx), "printed ~p~n", a)
	})
	return n, s
}
