package global

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

func TestRegisterLocal(t *testing.T) {
	n, s := localNode(t, "")
	ctx := ctxT(t)
	a, b := startInbox(t, n), startInbox(t, n)

	require.NoError(t, s.Register(ctx, etf.Atom("a"), a.pid))
	got, ok := s.Whereis(etf.Atom("a"))
	require.True(t, ok)
	require.Equal(t, a.pid, got)

	tests := []struct {
		name string
		key  etf.Term
		pid  etf.PID
	}{
		{"name taken", etf.Atom("a"), b.pid},
		{"pid has a name", etf.Atom("other"), a.pid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, s.Register(ctx, tc.key, tc.pid), ErrNameTaken)
		})
	}

	// Tuple keys work (global names are any term).
	key := etf.Tuple{etf.Atom("user"), 42, []byte("x")}
	require.NoError(t, s.Register(ctx, key, b.pid))
	pid, err := s.Send(nil, key, etf.Atom("hello"))
	require.NoError(t, err)
	require.Equal(t, b.pid, pid)
	require.Equal(t, etf.Atom("hello"), b.recv(t))
	require.ElementsMatch(t, []etf.Term{etf.Atom("a"), key}, s.RegisteredNames())

	require.NoError(t, s.Unregister(ctx, etf.Atom("a")))
	_, ok = s.Whereis(etf.Atom("a"))
	require.False(t, ok)
	_, err = s.Send(nil, etf.Atom("a"), 1)
	require.ErrorIs(t, err, ErrNotRegistered)
	require.NoError(t, s.Unregister(ctx, etf.Atom("never")))

	// A registered process that dies loses its name.
	require.NoError(t, n.Send(b.pid, etf.Atom("stop")))
	require.Eventually(t, func() bool { return !s.names.hasPid(b.pid) }, waitFor, 10*time.Millisecond)
	_, ok = s.Whereis(key)
	require.False(t, ok)
	require.NoError(t, s.Sync(ctx))
}

func TestLocksLocal(t *testing.T) {
	n, s := localNode(t, "")
	ctx := ctxT(t)
	id := LockID{Resource: etf.Atom("res"), Requester: etf.Atom("me")}
	require.NoError(t, s.SetLock(ctx, id, nil, 0))
	// Same requester: granted again.
	require.NoError(t, s.SetLock(ctx, id, nil, 0))

	// Another requester is refused, as global:set_lock/3 with 0 retries.
	other := LockID{Resource: etf.Atom("res"), Requester: etf.Atom("you")}
	require.ErrorIs(t, s.SetLock(ctx, other, nil, 0), ErrLockNotSet)

	// A BEAM-style caller through gen_server calls sees the same table.
	reply, err := n.Call(ctx, ServerName, etf.Tuple{etf.Atom("set_lock"), etf.Tuple{etf.Atom("res"), etf.Atom("x")}})
	require.NoError(t, err)
	require.Equal(t, atomFalse, reply)

	require.NoError(t, s.DelLock(ctx, id, nil))
	ran := false
	require.NoError(t, s.Trans(ctx, other, nil, 0, func() error { ran = true; return nil }))
	require.True(t, ran)
	boom := errors.New("boom")
	require.ErrorIs(t, s.Trans(ctx, other, nil, 0, func() error { return boom }), boom)
	// Released after Trans: a third requester gets it.
	require.NoError(t, s.SetLock(ctx, LockID{Resource: etf.Atom("res"), Requester: 3}, nil, 0))
}

// TestServerCalls drives the server as a BEAM node's multi_call would.
func TestServerCalls(t *testing.T) {
	n, s := localNode(t, "")
	ctx := ctxT(t)
	ib := startInbox(t, n)
	fun := etf.Export{Module: "global", Function: "random_exit_name", Arity: 3}
	tests := []struct {
		name string
		req  etf.Term
		want etf.Term
	}{
		{"protocol version", etf.Atom("get_protocol_version"), protocolVersion},
		{"register", etf.Tuple{etf.Atom("register"), etf.Atom("n1"), ib.pid, fun}, atomYes},
		{"register_ext", etf.Tuple{etf.Atom("register_ext"), etf.Atom("n2"), ib.pid, fun, n.Name()}, atomYes},
		{"unregister", etf.Tuple{etf.Atom("unregister"), etf.Atom("n2")}, atomOK},
		{"set_lock", etf.Tuple{etf.Atom("set_lock"), etf.Tuple{etf.Atom("r"), etf.Atom("q")}}, atomTrue},
		{"del_lock", etf.Tuple{etf.Atom("del_lock"), etf.Tuple{etf.Atom("r"), etf.Atom("q")}}, atomTrue},
		{"known", etf.Atom("get_known"), etf.List{}},
		{"synced", etf.Atom("get_synced"), etf.List{}},
		{"names_ext", etf.Atom("get_names_ext"), etf.List(nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := n.Call(ctx, ServerName, tc.req)
			require.NoError(t, err)
			require.True(t, etf.Equal(tc.want, got), "got %v", got)
		})
	}
	pid, ok := s.Whereis(etf.Atom("n1"))
	require.True(t, ok)
	require.Equal(t, ib.pid, pid)
	_, ok = s.Whereis(etf.Atom("n2"))
	require.False(t, ok)

	// Unknown calls get no reply (OTP logs and ignores them); the server
	// survives unknown casts and infos.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err := n.Call(short, ServerName, etf.Atom("bogus"))
	require.ErrorIs(t, err, node.ErrTimeout)
	require.NoError(t, n.Send(ServerName, etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("bogus")}}))
	require.NoError(t, n.Send(ServerName, etf.Atom("bogus")))
	require.True(t, n.IsAlive(s.PID()))
}

// TestExchangeNames covers clash resolution: the node with the smaller
// name resolves with the method stored with its own entry.
func TestExchangeNames(t *testing.T) {
	n, s := localNode(t, "m@127.0.0.1")
	ctx := ctxT(t)
	ours := startInbox(t, n, node.WithTrapExit())
	require.NoError(t, s.Register(ctx, etf.Atom("x"), ours.pid))
	theirsHigh := etf.PID{Node: "z@h", ID: 1, Creation: 1}
	theirsLow := etf.PID{Node: "a@h", ID: 1, Creation: 1}
	method := etf.Atom("m")
	entry := func(pid etf.PID) etf.List { return etf.List{etf.Tuple{etf.Atom("x"), pid, method}} }
	p := procOf(t, n)

	tests := []struct {
		name         string
		peer         etf.Atom
		names        etf.List
		ops, resolve etf.List
	}{
		{"new name", "z@h", etf.List{etf.Tuple{etf.Atom("y"), theirsHigh, method}},
			etf.List{insertOp(etf.Atom("y"), theirsHigh, method)}, nil},
		{"same pid", "z@h", entry(ours.pid), nil, nil},
		{"peer resolves", "a@h", entry(theirsLow), nil, nil},
		{"we resolve, ours on the lower node wins", "z@h", entry(theirsHigh),
			nil, etf.List{insertOp(etf.Atom("x"), ours.pid, DefaultMethod)}},
		{"we resolve, theirs on the lower node wins", "z@h", entry(theirsLow),
			etf.List{insertOp(etf.Atom("x"), theirsLow, method)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops, res := s.exchangeNames(p, tc.peer, tc.names)
			require.True(t, etf.Equal(tc.ops, ops), "ops %v", ops)
			require.True(t, etf.Equal(tc.resolve, res), "resolved %v", res)
		})
	}
	// The last case killed our process (random_exit_name kills the pid on
	// the higher node).
	require.Eventually(t, func() bool { return !n.IsAlive(ours.pid) }, waitFor, 10*time.Millisecond)
}

func procOf(t *testing.T, n *node.Node) *node.Process {
	ch := make(chan *node.Process, 1)
	_, err := n.Spawn(&procGrab{ch: ch})
	require.NoError(t, err)
	return <-ch
}

type procGrab struct{ ch chan *node.Process }

func (g *procGrab) Init(p *node.Process) error                  { g.ch <- p; return nil }
func (g *procGrab) HandleMessage(*node.Process, etf.Term) error { return nil }
func (g *procGrab) Terminate(*node.Process, etf.Term)           {}

// FuzzServerMessage feeds decoded hostile terms to the server: it must
// never crash.
func FuzzServerMessage(f *testing.F) {
	seeds := []etf.Term{
		etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("init_connect"), etf.Tuple{7, 1}, etf.Atom("x@h"), etf.Tuple{etf.Atom("locker"), 1, etf.List{}, etf.PID{Node: "x@h"}}}},
		etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("exchange"), etf.Atom("x@h"), etf.List{etf.Tuple{1, 2, 3}}, etf.List{}, 1}},
		etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("resolved"), etf.Atom("x@h"), etf.List{1}, etf.List{etf.Tuple{1, 2}}, 1, 2, 3}},
		etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("new_nodes"), etf.Atom("x@h"), etf.List{etf.Tuple{etf.Atom("insert"), 1}}, 1, etf.List{etf.Atom("y@h")}, 1}},
		etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("in_sync"), etf.Atom("x@h"), atomTrue}},
		etf.Tuple{node.GenCast, etf.Tuple{etf.Atom("lock_set"), 1, 2, 3}},
		etf.Tuple{etf.Atom("lost_connection"), etf.Atom("x@h"), 1, 2, etf.Atom("y@h")},
		etf.Tuple{etf.Atom("remove_connection"), 5},
		etf.Tuple{node.GenCall, 1, etf.Tuple{etf.Atom("set_lock"), 1}},
	}
	for _, s := range seeds {
		b, err := etf.Encode(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	n, err := node.Start(context.Background(), "fz@127.0.0.1", node.WithoutDistribution(), node.WithLogger(quietLogger()))
	if err != nil {
		f.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = n.Stop(ctx)
	}()
	s, err := Start(context.Background(), n)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		before := s.PID()
		_ = n.Send(before, term)
		if _, err := n.Call(context.Background(), ServerName, etf.Atom("get_protocol_version")); err != nil {
			t.Fatalf("server died on %v: %v", term, err)
		}
		// A restart would hide a crash from the call above.
		if after := s.PID(); after != before {
			t.Fatalf("server died on %v (restarted as %v)", term, after)
		}
	})
}

func TestPidLess(t *testing.T) {
	// ERTS compares pid data before nodes: <erl.56.0> < <a.105.0>.
	tests := []struct {
		a, b etf.PID
		less bool
	}{
		{etf.PID{Node: "erl@h", ID: 56}, etf.PID{Node: "a@h", ID: 105}, true},
		{etf.PID{Node: "a@h", ID: 105}, etf.PID{Node: "erl@h", ID: 56}, false},
		{etf.PID{Node: "z@h", ID: 9, Serial: 0}, etf.PID{Node: "a@h", ID: 1, Serial: 1}, true},
		{etf.PID{Node: "a@h", ID: 7}, etf.PID{Node: "b@h", ID: 7}, true},
	}
	for _, tc := range tests {
		require.Equal(t, tc.less, pidLess(tc.a, tc.b), tc.a, tc.b)
	}
}
