package actors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/actors/actorstest"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// counter exercises every callback.
type counter struct {
	N          int
	waiting    []actors.From
	terminated *etf.Term
}

func (c *counter) Init(p *actors.Process, args ...any) error {
	if len(args) > 0 {
		c.N = args[0].(int)
	}
	if len(args) > 1 && args[1] == "continue" {
		p.Continue("from-init")
	}
	return nil
}

func (c *counter) HandleCall(p *actors.Process, from actors.From, req etf.Term) (etf.Term, error) {
	switch req {
	case etf.Atom("get"):
		return c.N, nil
	case etf.Atom("wait"): // reply when the next inc arrives
		c.waiting = append(c.waiting, from)
		return actors.NoReply, nil
	case etf.Atom("stop"):
		return etf.Atom("bye"), actors.StopNormal
	case etf.Atom("crash"):
		panic("crash requested")
	case etf.Atom("idle"):
		p.SetTimeout(time.Second)
		return etf.Atom("ok"), nil
	case etf.Atom("later"):
		p.SendAfter(2*time.Second, p.Self(), etf.Atom("tick"))
		return etf.Atom("ok"), nil
	case etf.Atom("remind"): // a timer to the caller, one to cancel
		p.SendAfter(time.Second, from.PID, etf.Atom("reminder"))
		ref := p.SendAfter(time.Second, from.PID, etf.Atom("cancelled"))
		return p.CancelTimer(ref), nil
	case etf.Atom("cont"):
		p.Continue(10)
		return c.N, nil // the reply carries the value before the continue
	}
	return nil, actors.ErrUnknownRequest
}

func (c *counter) HandleCast(p *actors.Process, msg etf.Term) error {
	if msg == etf.Atom("inc") {
		c.N++
		for _, f := range c.waiting {
			_ = actors.Reply(p, f, c.N)
		}
		c.waiting = nil
	}
	if t, ok := msg.(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("tell") {
		return p.Send(t[1], etf.Tuple{etf.Atom("count"), c.N})
	}
	return nil
}

func (c *counter) HandleInfo(p *actors.Process, msg etf.Term) error {
	switch msg {
	case actors.Timeout:
		c.N = -1
	case etf.Atom("tick"):
		c.N += 100
	}
	return nil
}

func (c *counter) HandleContinue(p *actors.Process, arg any) error {
	switch v := arg.(type) {
	case int:
		c.N += v
	case string:
		c.N += 1000
	}
	return nil
}

func (c *counter) Terminate(p *actors.Process, reason etf.Term) {
	if c.terminated != nil {
		*c.terminated = reason
	}
}

func (c *counter) State() etf.Term { return c.N }

func (c *counter) SetState(s etf.Term) error {
	n, ok := s.(int)
	if !ok {
		return errors.New("not an int")
	}
	c.N = n
	return nil
}

func TestActorCallCastInfo(t *testing.T) {
	h := actorstest.New(t, &counter{}, actorstest.WithArgs(5))
	require.Equal(t, 5, h.Call(etf.Atom("get")))
	h.Cast(etf.Atom("inc"))
	require.Equal(t, 6, h.Call(etf.Atom("get")))
	h.Cast(etf.Tuple{etf.Atom("tell"), h.Self()})
	h.AssertReceived(etf.Tuple{etf.Atom("count"), 6})
	h.AssertSent(h.Self(), etf.Tuple{etf.Atom("count"), 6})
	h.AssertState(6)
	h.AssertAlive()
}

func TestActorDeferredReply(t *testing.T) {
	h := actorstest.New(t, &counter{})
	w := h.CallAsync(etf.Atom("wait"))
	_, got := w.Reply()
	require.True(t, !got, "no reply before inc")
	h.Cast(etf.Atom("inc"))
	require.Equal(t, 1, w.MustReply())
	require.Equal(t, 1, len(h.EventsOf(actors.EventReply)))
}

func TestActorStopReplyThenTerminate(t *testing.T) {
	var reason etf.Term
	h := actorstest.New(t, &counter{terminated: &reason})
	require.Equal(t, etf.Atom("bye"), h.Call(etf.Atom("stop")))
	h.Sync()
	h.AssertExited(node.Normal)
	require.Equal(t, node.Normal, reason, "Terminate called with normal")
}

func TestActorPanicRunsTerminate(t *testing.T) {
	var reason etf.Term
	h := actorstest.New(t, &counter{terminated: &reason})
	_, err := h.TryCall(etf.Atom("crash"))
	var ee *node.ExitError
	require.True(t, errors.As(err, &ee), "exit error")
	require.Equal(t, etf.Tuple{etf.Atom("panic"), []byte("crash requested")}, ee.Reason)
	require.Equal(t, ee.Reason, reason)
}

func TestActorUnknownCallStops(t *testing.T) {
	h := actorstest.New(t, &counter{})
	_, err := h.TryCall(etf.Atom("nope"))
	require.Error(t, err)
	h.AssertExited(actorstest.Any)
}

func TestActorParentShutdown(t *testing.T) {
	cases := []struct {
		name      string
		trap      bool
		terminate bool
	}{
		{"trapping: Terminate runs", true, true},
		{"not trapping: killed without Terminate", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var reason etf.Term
			var opts []actorstest.Option
			if tc.trap {
				opts = append(opts, actorstest.WithSpawnOptions(node.WithTrapExit()))
			}
			h := actorstest.New(t, &counter{terminated: &reason}, opts...)
			h.Exit(node.Shutdown)
			h.AssertExited(node.Shutdown)
			if tc.terminate {
				require.Equal(t, node.Shutdown, reason)
			} else {
				require.Equal(t, nil, reason)
			}
		})
	}
}

func TestActorTimers(t *testing.T) {
	h := actorstest.New(t, &counter{})
	h.Call(etf.Atom("later"))
	h.Advance(time.Second)
	require.Equal(t, 0, h.Call(etf.Atom("get")), "not yet")
	h.Advance(time.Second)
	require.Equal(t, 100, h.Call(etf.Atom("get")))
	require.Equal(t, 1, len(h.EventsOf(actors.EventTimer)))
}

// SendAfter takes a destination, as erlang:send_after/3: the timer runs on
// the actor's clock and reaches the caller.
func TestActorTimerToAnotherProcess(t *testing.T) {
	h := actorstest.New(t, &counter{})
	require.Equal(t, true, h.Call(etf.Atom("remind")), "CancelTimer of a pending timer")
	require.Empty(t, h.Received())
	h.Advance(time.Second)
	require.Equal(t, []etf.Term{etf.Atom("reminder")}, h.Received())
	ev := h.EventsOf(actors.EventTimer)
	require.Len(t, ev, 2)
	require.Equal(t, etf.Term(h.Self()), ev[0].To)
}

func TestActorTimeout(t *testing.T) {
	h := actorstest.New(t, &counter{})
	h.Call(etf.Atom("idle"))
	h.Advance(500 * time.Millisecond)
	h.Cast(etf.Atom("noop")) // any message cancels the timeout
	h.Advance(time.Hour)
	require.Equal(t, 0, h.Call(etf.Atom("get")))
	h.Call(etf.Atom("idle"))
	h.Advance(time.Second)
	require.Equal(t, -1, h.Call(etf.Atom("get")))
}

func TestActorContinue(t *testing.T) {
	h := actorstest.New(t, &counter{}, actorstest.WithArgs(0, "continue"))
	require.Equal(t, 1000, h.Call(etf.Atom("get")), "continue from Init ran first")
	require.Equal(t, 1000, h.Call(etf.Atom("cont")))
	require.Equal(t, 1010, h.Call(etf.Atom("get")))
}

func TestActorSys(t *testing.T) {
	h := actorstest.New(t, &counter{}, actorstest.WithArgs(3), actorstest.WithSpawnOptions(node.WithName("ctr")))
	ctx := context.Background()
	n := h.Node()
	st, err := actors.GetState(ctx, n, etf.Atom("ctr"))
	require.NoError(t, err)
	require.Equal(t, 3, st)

	status, err := actors.GetStatus(ctx, n, h.PID())
	require.NoError(t, err)
	tup := status.(etf.Tuple)
	require.Equal(t, etf.Atom("status"), tup[0])
	require.Equal(t, h.PID(), tup[1])
	require.Equal(t, etf.Tuple{etf.Atom("module"), etf.Atom("gen_server")}, tup[2])
	items := tup[3].(etf.List)
	require.Equal(t, etf.Atom("running"), items[1])
	require.Equal(t, h.Self(), items[2], "parent")
	misc := items[4].(etf.List)
	require.Equal(t, etf.Tuple{etf.Atom("data"), etf.List{etf.Tuple{etf.Charlist("State"), 3}}}, misc[2])

	// suspend: calls wait until resume
	require.NoError(t, actors.Suspend(ctx, n, h.PID()))
	w := h.CallAsync(etf.Atom("get"))
	_, got := w.Reply()
	require.True(t, !got, "suspended actor must not answer")
	require.NoError(t, actors.Resume(ctx, n, h.PID()))
	h.Sync()
	require.Equal(t, 3, w.MustReply())

	ns, err := actors.ReplaceState(ctx, n, h.PID(), func(old etf.Term) (etf.Term, error) { return old.(int) * 10, nil })
	require.NoError(t, err)
	require.Equal(t, 30, ns)
	_, err = actors.ReplaceState(ctx, n, h.PID(), func(etf.Term) (etf.Term, error) { return "x", nil })
	require.Error(t, err)
	h.AssertAlive()

	require.NoError(t, actors.StopProcess(ctx, n, h.PID(), etf.Atom("done")))
	h.Sync()
	h.AssertExited(etf.Atom("done"))
}

func TestCallTyped(t *testing.T) {
	h := actorstest.New(t, &counter{}, actorstest.WithArgs(41))
	ctx := context.Background()
	n, err := actors.Call[int](ctx, h.Node(), h.PID(), etf.Atom("get"))
	require.NoError(t, err)
	require.Equal(t, 41, n)
	_, err = actors.Call[string](ctx, h.Node(), h.PID(), etf.Atom("get"))
	require.Error(t, err, "conversion error")
	_, err = actors.Call[int](ctx, h.Node(), etf.Atom("missing"), etf.Atom("get"))
	require.ErrorIs(t, err, node.ErrNoProc)
	_, err = actors.GetState(ctx, h.Node(), etf.Atom("missing"))
	require.ErrorIs(t, err, node.ErrNoProc)
	require.NoError(t, actors.Cast(h.Node(), etf.Atom("missing"), etf.Atom("inc")), "cast never fails for a missing name")
}
