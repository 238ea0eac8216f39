package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// echoServer answers {'$gen_call', From, Req} with Req, and handles a few
// special requests.
func echoServer() Behavior {
	return BehaviorFunc(func(p *Process, msg etf.Term) error {
		t, ok := msg.(etf.Tuple)
		if !ok || len(t) != 3 || t[0] != GenCall {
			return nil
		}
		switch t[2] {
		case etf.Atom("crash"):
			return &ExitError{Reason: boom}
		case etf.Atom("ignore"):
			return nil
		case etf.Atom("late"):
			from := t[1]
			_, _ = p.Spawn(BehaviorFunc(func(q *Process, m etf.Term) error {
				_ = Reply(q, from, etf.Atom("too_late"))
				return &ExitError{Reason: Normal}
			}))
			return nil
		case etf.Atom("pid_reply"):
			// Reply to the pid with the tag, as pre-alias servers did.
			from := t[1].(etf.Tuple)
			return p.Send(from[0], etf.Tuple{from[1], etf.Atom("via_pid")})
		}
		return Reply(p, t[1], t[2])
	})
}

func TestCall(t *testing.T) {
	n := localNode(t)
	srv, err := n.Spawn(echoServer(), WithName("echo"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	cases := []struct {
		name    string
		to      etf.Term
		req     etf.Term
		ctx     func() context.Context
		want    etf.Term
		wantErr error
	}{
		{name: "by pid", to: srv, req: 42, want: 42},
		{name: "by name", to: etf.Atom("echo"), req: "x", want: "x"},
		{name: "by Name", to: Name{"echo", n.Name()}, req: 1, want: 1},
		{name: "by tuple", to: etf.Tuple{etf.Atom("echo"), n.Name()}, req: 2, want: 2},
		{name: "reply to pid with tag", to: srv, req: etf.Atom("pid_reply"), want: etf.Atom("via_pid")},
		{name: "unknown name: noproc at once", to: etf.Atom("nobody"), req: 1, wantErr: ErrNoProc},
		{name: "dead pid: noproc at once", to: deadPID(t, n), req: 1, wantErr: ErrNoProc},
		{name: "timeout", to: srv, req: etf.Atom("ignore"), ctx: short, wantErr: ErrTimeout},
		{name: "timeout is DeadlineExceeded", to: srv, req: etf.Atom("ignore"), ctx: short, wantErr: context.DeadlineExceeded},
		{name: "bad target", to: 42, req: 1, wantErr: ErrBadTarget},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ctx
			if tc.ctx != nil {
				c = tc.ctx()
			}
			// From outside and from inside a process.
			got, err := n.Call(c, tc.to, tc.req)
			check := func(where string, got etf.Term, err error) {
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("%s: err %v, want %v", where, err, tc.wantErr)
					}
					return
				}
				if err != nil || !etf.Equal(got, tc.want) {
					t.Fatalf("%s: got %#v, %v; want %#v", where, got, err, tc.want)
				}
			}
			check("node", got, err)
			pr := spawnProbe(t, n)
			c = ctx
			if tc.ctx != nil {
				c = tc.ctx()
			}
			pr.do(func(p *Process) error {
				got, err := p.Call(c, tc.to, tc.req)
				check("process", got, err)
				return nil
			})
			pr.sync() // nothing (late reply, DOWN) reached the mailbox
		})
	}

	t.Run("calling self", func(t *testing.T) {
		pr := spawnProbe(t, n, WithName("selfcaller"))
		pr.do(func(p *Process) error {
			for _, to := range []etf.Term{p.Self(), etf.Atom("selfcaller")} {
				if _, err := p.Call(ctx, to, 1); !errors.Is(err, &ExitError{Reason: etf.Atom("calling_self")}) {
					t.Errorf("%v: %v", to, err)
				}
			}
			return nil
		})
	})
	t.Run("callee crash: ExitError with its reason", func(t *testing.T) {
		s, _ := n.Spawn(echoServer())
		_, err := n.Call(ctx, s, etf.Atom("crash"))
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Reason != boom {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("late reply never reaches the mailbox", func(t *testing.T) {
		pr := spawnProbe(t, n)
		pr.do(func(p *Process) error {
			c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			// the reply comes from a helper, possibly after the timeout
			_, err := p.Call(c, srv, etf.Atom("late"))
			_ = err
			return nil
		})
		pr.sync()
	})
	t.Run("killed while in a call: returns at once", func(t *testing.T) {
		pr := spawnProbe(t, n)
		down := watch(t, n, pr.pid)
		res := make(chan error, 1)
		pr.async(func(p *Process) error {
			_, err := p.Call(context.Background(), srv, etf.Atom("ignore"))
			res <- err
			return err
		})
		// Wait until the probe is blocked in the Call, then kill it.
		for {
			pr.p.mu.Lock()
			in := pr.p.call != nil
			pr.p.mu.Unlock()
			if in {
				break
			}
			time.Sleep(time.Millisecond)
		}
		k := spawnProbe(t, n)
		k.do(func(p *Process) error { return p.Exit(pr.pid, Kill) })
		if err := <-res; !errors.Is(err, &ExitError{Reason: Killed}) {
			t.Fatalf("call err %v", err)
		}
		if r := down(); r != Killed {
			t.Fatalf("died with %v", r)
		}
	})
}

func TestReplyTags(t *testing.T) {
	n := localNode(t)
	pr := spawnProbe(t, n)
	ref := n.MakeRef()
	var a etf.Alias
	pr.do(func(p *Process) error { a = p.Alias(AliasExplicitUnalias); return nil })
	aref := etf.Ref(a)
	aliasTag := etf.ImproperList{Elems: []etf.Term{atomAlias}, Tail: aref}
	cases := []struct {
		name string
		tag  etf.Term
	}{
		{"plain ref to pid", ref},
		{"[alias|Ref]", aliasTag},
		{"[[alias|Ref]|x]", etf.ImproperList{Elems: []etf.Term{aliasTag}, Tail: etf.Atom("x")}},
		{"[[alias|Ref], x]", etf.List{aliasTag, etf.Atom("x")}},
	}
	s := spawnProbe(t, n)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.do(func(p *Process) error { return Reply(p, etf.Tuple{pr.pid, tc.tag}, etf.Atom("ok")) })
			m := pr.recv().(etf.Tuple)
			if !etf.Equal(m[0], tc.tag) || m[1] != etf.Atom("ok") {
				t.Fatalf("got %#v", m)
			}
		})
	}
}
