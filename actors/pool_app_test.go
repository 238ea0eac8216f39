package actors_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// echo replies {WorkerIndex, Req}; {crash} makes it exit.
type echo struct {
	actors.Base
	i int
}

func (e *echo) Init(p *actors.Process, args ...any) error { e.i = args[0].(int); return nil }

func (e *echo) HandleCall(p *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	if req == etf.Atom("crash") {
		return etf.Atom("crashing"), actors.Stop(etf.Atom("boom"))
	}
	return etf.Tuple{e.i, req}, nil
}

func TestPoolDispatch(t *testing.T) {
	cases := []struct {
		name     string
		dispatch actors.Dispatch
		reqs     []etf.Term
		same     bool // all requests land on the same worker
		distinct int  // number of distinct workers used
	}{
		{"round robin spreads", actors.RoundRobin, []etf.Term{1, 2, 3, 4, 5, 6}, false, 3},
		{"hash by key keeps a key on one worker", actors.HashKey,
			[]etf.Term{etf.Tuple{"user1", 1}, etf.Tuple{"user1", 2}, etf.Tuple{"user1", 3}}, true, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := localNode(t)
				_, err := actors.Spawn(n, &actors.Pool{Size: 3, Dispatch: tc.dispatch,
					New: func(int) (actors.Actor, error) { return &echo{}, nil }}, node.WithName("pool"))
				require.NoError(t, err)
				used := map[int]bool{}
				for _, r := range tc.reqs {
					reply, err := actors.Call[etf.Tuple](context.Background(), n, etf.Atom("pool"), r)
					require.NoError(t, err)
					require.Equal(t, r, reply[1])
					used[reply[0].(int)] = true
				}
				require.Equal(t, tc.distinct, len(used), "workers used")
			})
		})
	}
}

func TestPoolRestartsWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		n := localNode(t)
		_, err := actors.Spawn(n, &actors.Pool{Size: 2, New: func(int) (actors.Actor, error) { return &echo{}, nil }}, node.WithName("pool"))
		require.NoError(t, err)
		before, err := actors.GetState(ctx, n, etf.Atom("pool"))
		require.NoError(t, err)
		r, err := n.Call(ctx, etf.Atom("pool"), etf.Atom("crash")) // worker 0 replies, then exits
		require.NoError(t, err)
		require.Equal(t, etf.Atom("crashing"), r)
		synctest.Wait()
		after, err := actors.GetState(ctx, n, etf.Atom("pool"))
		require.NoError(t, err)
		b, a := before.(etf.List), after.(etf.List)
		require.True(t, a[0] != b[0], "worker 0 restarted with a new pid")
		require.Equal(t, b[1], a[1], "worker 1 untouched")
		_, isPID := a[0].(etf.PID)
		require.True(t, isPID, "worker 0 running")
		// and the pool keeps serving
		reply, err := actors.Call[etf.Tuple](ctx, n, etf.Atom("pool"), etf.Atom("x"))
		require.NoError(t, err)
		require.Equal(t, etf.Atom("x"), reply[1])
	})
}

// envReader answers with a key of its application's environment.
type envReader struct{ actors.Base }

func (envReader) HandleCall(p *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	v, found := p.Env(string(req.(etf.Atom)))
	if !found {
		return etf.Atom("undefined"), nil
	}
	return etf.Tuple{p.Application(), v}, nil
}

func TestApplicationEnvAndDeps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		n := localNode(t)
		apps := actors.NewApplications(n)
		j := &journal{}
		tree := func(name string) func() (actors.Actor, error) {
			return func() (actors.Actor, error) {
				j.add("start:" + name)
				return &actors.Supervisor{Children: []actors.ChildSpec{{ID: "reader",
					Start:   func(etf.List) (actors.Actor, error) { return envReader{}, nil },
					Options: []node.SpawnOption{node.WithName(etf.Atom(name + "_reader"))}}}}, nil
			}
		}
		require.NoError(t, apps.Load(actors.App{Name: "db", Start: tree("db"), Env: map[string]etf.Term{"pool_size": 10}}))
		require.NoError(t, apps.Load(actors.App{Name: "web", Deps: []etf.Atom{"db"}, Start: tree("web"), Env: map[string]etf.Term{"port": 8080}}))
		require.ErrorIs(t, apps.Start(ctx, "nope", actors.AppTemporary), actors.ErrAppNotLoaded)
		require.NoError(t, apps.Start(ctx, "web", actors.AppTemporary))
		require.Equal(t, []string{"start:db", "start:web"}, j.take(), "dependencies first")
		require.Equal(t, []etf.Atom{"db", "web"}, apps.Running())

		r, err := n.Call(ctx, etf.Atom("web_reader"), etf.Atom("port"))
		require.NoError(t, err)
		require.Equal(t, etf.Tuple{etf.Atom("web"), 8080}, r, "default env")
		require.NoError(t, apps.SetEnv("web", "port", 9090))
		r, err = n.Call(ctx, etf.Atom("web_reader"), etf.Atom("port"))
		require.NoError(t, err)
		require.Equal(t, etf.Tuple{etf.Atom("web"), 9090}, r, "overridden env")
		r, err = n.Call(ctx, etf.Atom("db_reader"), etf.Atom("port"))
		require.NoError(t, err)
		require.Equal(t, etf.Atom("undefined"), r, "apps do not see each other's env")

		require.NoError(t, apps.Stop(ctx, "web"))
		_, found := n.Whereis("web_reader")
		require.True(t, !found, "web tree stopped")
		require.Equal(t, []etf.Atom{"db"}, apps.Running())
		require.ErrorIs(t, apps.Stop(ctx, "web"), actors.ErrAppNotRunning)
		require.NoError(t, apps.StopAll(ctx))
		synctest.Wait()
		require.Equal(t, 0, n.ProcessCount())
	})
}

// TestApplicationModes: what the controller does when an application's
// tree stops by itself.
func TestApplicationModes(t *testing.T) {
	cases := []struct {
		name     string
		mode     actors.AppMode
		reason   etf.Term
		nodeDies bool
	}{
		{"temporary crash: logged only", actors.AppTemporary, etf.Atom("boom"), false},
		{"transient normal: logged only", actors.AppTransient, node.Normal, false},
		{"transient crash: node stops", actors.AppTransient, etf.Atom("boom"), true},
		{"permanent normal: node stops", actors.AppPermanent, node.Normal, true},
		{"permanent shutdown (e.g. intensity exceeded): node stops", actors.AppPermanent, node.Shutdown, true},
		{"temporary shutdown: logged only", actors.AppTemporary, node.Shutdown, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				n := localNode(t)
				apps := actors.NewApplications(n)
				j := &journal{}
				require.NoError(t, apps.Load(actors.App{Name: "other", Start: func() (actors.Actor, error) { return &worker{id: "other", j: j}, nil }}))
				require.NoError(t, apps.Load(actors.App{Name: "main", Start: func() (actors.Actor, error) { return &worker{id: "main", j: j}, nil },
					Options: []node.SpawnOption{node.WithName("main_root")}}))
				require.NoError(t, apps.Start(ctx, "other", actors.AppTemporary))
				require.NoError(t, apps.Start(ctx, "main", tc.mode))
				require.NoError(t, actors.Cast(n, etf.Atom("main_root"), etf.Tuple{etf.Atom("exit"), tc.reason}))
				synctest.Wait()
				select {
				case <-apps.Done():
					require.True(t, tc.nodeDies, "node stopped unexpectedly")
					var ae *actors.AppExitError
					require.True(t, errors.As(apps.Err(), &ae), "AppExitError")
					require.Equal(t, etf.Atom("main"), ae.App)
					require.Equal(t, tc.reason, ae.Reason)
					<-n.Done()
					l := slices.DeleteFunc(j.take(), func(s string) bool { return s == "stop:main" }) // main's own exit
					require.Equal(t, []string{"start:other", "start:main", "stop:other"}, l, "other apps stopped")
				default:
					require.True(t, !tc.nodeDies, "node should have stopped")
					require.Equal(t, []etf.Atom{"other"}, apps.Running())
				}
			})
		})
	}
}
