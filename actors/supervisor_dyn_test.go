package actors_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

func TestSupervisorShutdownOrderAndTimeouts(t *testing.T) {
	cases := []struct {
		name     string
		shutdown time.Duration
		slow     time.Duration // b's Terminate takes this long
		journal  []string
		took     time.Duration // virtual time the supervisor needs to stop
	}{
		{"reverse order, default timeout", 0, 0, []string{"stop:c", "stop:b", "stop:a"}, 0},
		{"brutal_kill skips Terminate", actors.BrutalKill, 0, []string{"stop:c", "stop:a"}, 0},
		{"slow child within timeout", 5 * time.Second, 2 * time.Second, []string{"stop:c", "stop:b", "stop:a"}, 2 * time.Second},
		{"slow child past timeout is killed", time.Second, 3 * time.Second, []string{"stop:c", "stop:b", "stop:a"}, 3 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				j := &journal{}
				n := localNode(t)
				b := spec(j, "b", actors.Permanent)
				b.Shutdown = tc.shutdown
				b.Start = func(etf.List) (actors.Actor, error) { return &worker{id: "b", j: j, slowStop: tc.slow}, nil }
				sup := &actors.Supervisor{Children: []actors.ChildSpec{spec(j, "a", actors.Permanent), b, spec(j, "c", actors.Permanent)}}
				pid, err := actors.Spawn(n, sup)
				require.NoError(t, err)
				j.take()
				start := time.Now()
				require.NoError(t, actors.StopProcess(context.Background(), n, pid, node.Shutdown))
				require.Equal(t, tc.journal, j.take())
				require.Equal(t, tc.took, time.Since(start), "virtual stop time")
				synctest.Wait()
				require.Equal(t, 0, n.ProcessCount(), "all processes gone")
			})
		})
	}
}

func TestSupervisorFailedStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &journal{}
		n := localNode(t)
		bad := actors.ChildSpec{ID: etf.Atom("bad"), Start: func(etf.List) (actors.Actor, error) {
			return &worker{id: "bad", j: j, failStart: true}, nil
		}}
		_, err := actors.Spawn(n, &actors.Supervisor{Children: []actors.ChildSpec{spec(j, "a", actors.Permanent), spec(j, "b", actors.Permanent), bad}})
		var ee *node.ExitError
		require.True(t, errors.As(err, &ee), "exit error: ", err)
		require.Equal(t, etf.Tuple{node.Shutdown, etf.Tuple{etf.Atom("failed_to_start_child"), etf.Atom("bad"), etf.Atom("no_start")}}, ee.Reason)
		require.Equal(t, []string{"start:a", "start:b", "stop:b", "stop:a"}, j.take())
		synctest.Wait()
		require.Equal(t, 0, n.ProcessCount())
	})
}

func TestSupervisorAutoShutdown(t *testing.T) {
	cases := []struct {
		name  string
		auto  actors.AutoShutdown
		exits []string // significant children that exit normally, in order
		stops bool
	}{
		{"never", actors.Never, []string{"s1", "s2"}, false},
		{"any_significant", actors.AnySignificant, []string{"s1"}, true},
		{"all_significant: one of two", actors.AllSignificant, []string{"s1"}, false},
		{"all_significant: both", actors.AllSignificant, []string{"s1", "s2"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				j := &journal{}
				n := localNode(t)
				sig := func(id string) actors.ChildSpec {
					s := spec(j, id, actors.Transient)
					s.Significant = true
					return s
				}
				pid, err := actors.Spawn(n, &actors.Supervisor{AutoShutdown: tc.auto, Children: []actors.ChildSpec{
					spec(j, "w", actors.Permanent), sig("s1"), sig("s2"),
				}}, node.WithName("sup"))
				require.NoError(t, err)
				for _, id := range tc.exits {
					crash(t, n, etf.Atom("sup"), id, node.Normal)
				}
				require.Equal(t, !tc.stops, n.IsAlive(pid), "supervisor alive")
			})
		})
	}
}

func TestSupervisorDynamicChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := &journal{}
		n := localNode(t)
		sup := etf.Atom("sup")
		_, err := actors.Spawn(n, &actors.Supervisor{Children: []actors.ChildSpec{spec(j, "a", actors.Permanent)}}, node.WithName(sup))
		require.NoError(t, err)
		pid, err := actors.StartChild(ctx, n, sup, spec(j, "d", actors.Permanent))
		require.NoError(t, err)
		_, err = actors.StartChild(ctx, n, sup, spec(j, "d", actors.Permanent))
		var as *actors.AlreadyStartedError
		require.True(t, errors.As(err, &as) && as.PID == pid, "already_started: ", err)
		cc, err := actors.CountChildren(ctx, n, sup)
		require.NoError(t, err)
		require.Equal(t, actors.ChildCounts{Specs: 2, Active: 2, Workers: 2}, cc)

		require.ErrorIs(t, actors.DeleteChild(ctx, n, sup, etf.Atom("d")), actors.ErrChildRunning)
		require.NoError(t, actors.TerminateChild(ctx, n, sup, "d"), "string id matches atom id")
		require.Equal(t, map[string]string{"a": kids(t, n, sup)["a"], "d": "-"}, kids(t, n, sup))
		_, err = actors.StartChild(ctx, n, sup, spec(j, "d", actors.Permanent))
		require.ErrorIs(t, err, actors.ErrAlreadyPresent)
		pid2, err := actors.RestartChild(ctx, n, sup, etf.Atom("d"))
		require.NoError(t, err)
		require.True(t, pid2 != pid, "new pid")
		_, err = actors.RestartChild(ctx, n, sup, etf.Atom("d"))
		require.ErrorIs(t, err, actors.ErrChildRunning)
		require.NoError(t, actors.TerminateChild(ctx, n, sup, etf.Atom("d")))
		require.NoError(t, actors.DeleteChild(ctx, n, sup, etf.Atom("d")))
		require.ErrorIs(t, actors.TerminateChild(ctx, n, sup, etf.Atom("d")), actors.ErrChildNotFound)
		require.ErrorIs(t, actors.DeleteChild(ctx, n, sup, etf.Atom("zz")), actors.ErrChildNotFound)

		spec, err := n.Call(ctx, sup, etf.Tuple{etf.Atom("get_childspec"), etf.Atom("a")})
		require.NoError(t, err)
		m := spec.(etf.Tuple)[1].(etf.Map)
		r, _ := m.Get(etf.Atom("restart"))
		require.Equal(t, etf.Atom("permanent"), r)
		sd, _ := m.Get(etf.Atom("shutdown"))
		require.Equal(t, 5000, sd)
	})
}

func TestSupervisorSimpleOneForOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := &journal{}
		n := localNode(t)
		sup := etf.Atom("pool_sup")
		tmpl := actors.ChildSpec{ID: etf.Atom("w"), Restart: actors.Transient, Start: func(args etf.List) (actors.Actor, error) {
			return &worker{id: "w", j: j}, nil
		}}
		_, err := actors.Spawn(n, &actors.Supervisor{Strategy: actors.SimpleOneForOne, Children: []actors.ChildSpec{tmpl}}, node.WithName(sup))
		require.NoError(t, err)
		p1, err := actors.StartChildArgs(ctx, n, sup, 1)
		require.NoError(t, err)
		p2, err := actors.StartChildArgs(ctx, n, sup, 2, etf.Atom("x"))
		require.NoError(t, err)
		require.Equal(t, []string{"start:w[1]", "start:w[2 x]"}, j.take(), "extra args reach Init")
		cs, err := actors.WhichChildren(ctx, n, sup)
		require.NoError(t, err)
		require.Equal(t, 2, len(cs))
		require.Equal(t, etf.Atom("undefined"), cs[0].ID)
		cc, err := actors.CountChildren(ctx, n, sup)
		require.NoError(t, err)
		require.Equal(t, actors.ChildCounts{Specs: 1, Active: 2, Workers: 2}, cc)

		// crash restarts with the same args
		require.NoError(t, actors.Cast(n, p1, etf.Tuple{etf.Atom("exit"), etf.Atom("boom")}))
		synctest.Wait()
		require.Equal(t, []string{"start:w[1]"}, j.take())
		// normal exit of a transient child: removed
		require.NoError(t, actors.Cast(n, p2, etf.Tuple{etf.Atom("exit"), node.Normal}))
		synctest.Wait()
		cs, err = actors.WhichChildren(ctx, n, sup)
		require.NoError(t, err)
		require.Equal(t, 1, len(cs))
		require.NoError(t, actors.TerminateChild(ctx, n, sup, cs[0].PID))
		require.ErrorIs(t, actors.TerminateChild(ctx, n, sup, etf.Atom("w")), actors.ErrSimpleOneForOne)
		require.ErrorIs(t, actors.TerminateChild(ctx, n, sup, p1), actors.ErrChildNotFound)
		cc, _ = actors.CountChildren(ctx, n, sup)
		require.Equal(t, 0, cc.Active)
	})
}
