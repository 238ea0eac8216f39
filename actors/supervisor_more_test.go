package actors_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// TestSupervisorRestartFailure: a restart whose start fails is retried,
// each attempt counting against the intensity (OTP's try_again_restart).
func TestSupervisorRestartFailure(t *testing.T) {
	cases := []struct {
		name     string
		failures int32 // starts that fail after the crash
		survives bool
	}{
		{"recovers after two failed restarts", 2, true},
		{"gives up when attempts exceed intensity", 10, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				j := &journal{}
				n := localNode(t)
				var failing atomic.Int32
				flaky := actors.ChildSpec{ID: etf.Atom("flaky"), Start: func(etf.List) (actors.Actor, error) {
					if failing.Load() > 0 {
						failing.Add(-1)
						return nil, errors.New("not now")
					}
					return &worker{id: "flaky", j: j}, nil
				}}
				pid, err := actors.Spawn(n, &actors.Supervisor{Intensity: 3, Period: 60e9,
					Children: []actors.ChildSpec{spec(j, "a", actors.Permanent), flaky}}, node.WithName("sup"))
				require.NoError(t, err)
				failing.Store(tc.failures)
				crash(t, n, etf.Atom("sup"), "flaky", etf.Atom("boom"))
				require.Equal(t, tc.survives, n.IsAlive(pid), "supervisor alive")
				if tc.survives {
					_, running := findPID(t, n, etf.Atom("sup"), "flaky")
					require.True(t, running, "flaky restarted")
				}
			})
		})
	}
}

func TestSupervisorOneForAllDropsTemporarySiblings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &journal{}
		n := localNode(t)
		_, err := actors.Spawn(n, &actors.Supervisor{Strategy: actors.OneForAll, Children: []actors.ChildSpec{
			spec(j, "a", actors.Permanent), spec(j, "b", actors.Temporary), spec(j, "c", actors.Permanent),
		}}, node.WithName("sup"))
		require.NoError(t, err)
		j.take()
		crash(t, n, etf.Atom("sup"), "a", etf.Atom("boom"))
		require.Equal(t, []string{"stop:c", "stop:b", "start:a", "start:c"}, j.take())
		k := kids(t, n, etf.Atom("sup"))
		_, hasB := k["b"]
		require.True(t, !hasB, "temporary sibling removed: ", k)
		require.Equal(t, 2, len(k))
	})
}

// TestSupervisorErlangChildSpecs: start_child with the map and tuple
// child specs BEAM sends, served by Factories.
func TestSupervisorErlangChildSpecs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := &journal{}
		n := localNode(t)
		sup := etf.Atom("sup")
		_, err := actors.Spawn(n, &actors.Supervisor{Factories: map[etf.Atom]actors.Factory{
			"my_worker": func(args etf.List) (actors.Actor, error) { return &worker{id: "w", j: j}, nil },
		}}, node.WithName(sup))
		require.NoError(t, err)
		mfa := etf.Tuple{etf.Atom("my_worker"), etf.Atom("start_link"), etf.List{1}}
		cases := []struct {
			name string
			spec etf.Term
			want string // "ok" or the error reason's first atom
		}{
			{"map spec", etf.Map{{Key: etf.Atom("id"), Value: etf.Atom("m")}, {Key: etf.Atom("start"), Value: mfa},
				{Key: etf.Atom("restart"), Value: etf.Atom("transient")}, {Key: etf.Atom("shutdown"), Value: etf.Atom("brutal_kill")}}, "ok"},
			{"tuple spec", etf.Tuple{etf.Atom("t"), mfa, etf.Atom("temporary"), 1000, etf.Atom("worker"), etf.List{etf.Atom("my_worker")}}, "ok"},
			{"unknown module", etf.Map{{Key: etf.Atom("id"), Value: etf.Atom("u")},
				{Key: etf.Atom("start"), Value: etf.Tuple{etf.Atom("nope"), etf.Atom("start_link"), etf.List{}}}}, "invalid_child_spec"},
			{"not a spec", 42, "invalid_child_spec"},
		}
		for _, tc := range cases {
			r, err := n.Call(ctx, sup, etf.Tuple{etf.Atom("start_child"), tc.spec})
			require.NoError(t, err, tc.name)
			tup := r.(etf.Tuple)
			if tc.want == "ok" {
				require.Equal(t, etf.Atom("ok"), tup[0], tc.name)
				continue
			}
			require.Equal(t, etf.Atom("error"), tup[0], tc.name)
			require.Equal(t, etf.Atom(tc.want), tup[1].(etf.Tuple)[0], tc.name)
		}
		r, err := n.Call(ctx, sup, etf.Tuple{etf.Atom("get_childspec"), etf.Atom("m")})
		require.NoError(t, err)
		m := r.(etf.Tuple)[1].(etf.Map)
		for k, want := range map[string]etf.Term{"restart": etf.Atom("transient"), "shutdown": etf.Atom("brutal_kill")} {
			got, _ := m.Get(etf.Atom(k))
			require.Equal(t, want, got, k)
		}
		r, err = n.Call(ctx, sup, etf.Atom("bogus"))
		require.NoError(t, err)
		require.Equal(t, etf.Atom("error"), r.(etf.Tuple)[0], "unknown call answered with an error")
	})
}

func TestPoolHashKeyFunc(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := localNode(t)
		_, err := actors.Spawn(n, &actors.Pool{Size: 4, Dispatch: actors.HashKey,
			Key: func(m etf.Term) etf.Term { return m.(etf.Tuple)[1] },
			New: func(int) (actors.Actor, error) { return &echo{}, nil }}, node.WithName("pool"))
		require.NoError(t, err)
		workerOf := func(req etf.Term) int {
			r, err := actors.Call[etf.Tuple](context.Background(), n, etf.Atom("pool"), req)
			require.NoError(t, err)
			return r[0].(int)
		}
		for _, key := range []string{"k1", "k2", "k3"} {
			w := workerOf(etf.Tuple{1, key})
			for i := range 5 {
				require.Equal(t, w, workerOf(etf.Tuple{i, key}), "same key, same worker")
			}
		}
	})
}

// TestSupervisorNestedTree: a supervisor child is reported as such and the
// whole tree stops depth-first in reverse order.
func TestSupervisorNestedTree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		j := &journal{}
		n := localNode(t)
		inner := actors.ChildSpec{ID: etf.Atom("inner"), Type: actors.SupervisorChild,
			Start: func(etf.List) (actors.Actor, error) {
				return &actors.Supervisor{Children: []actors.ChildSpec{spec(j, "x", actors.Permanent), spec(j, "y", actors.Permanent)}}, nil
			}}
		root, err := actors.Spawn(n, &actors.Supervisor{Children: []actors.ChildSpec{spec(j, "a", actors.Permanent), inner, spec(j, "b", actors.Permanent)}})
		require.NoError(t, err)
		require.Equal(t, []string{"start:a", "start:x", "start:y", "start:b"}, j.take())
		cc, err := actors.CountChildren(ctx, n, root)
		require.NoError(t, err)
		require.Equal(t, actors.ChildCounts{Specs: 3, Active: 3, Supervisors: 1, Workers: 2}, cc)
		require.NoError(t, actors.StopProcess(ctx, n, root, node.Shutdown))
		require.Equal(t, []string{"stop:b", "stop:y", "stop:x", "stop:a"}, j.take())
		synctest.Wait()
		require.Equal(t, 0, n.ProcessCount())
	})
}
