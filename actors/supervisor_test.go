package actors_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"

	"github.com/stretchr/testify/require"
)

// journal records starts and stops across processes.
type journal struct {
	mu sync.Mutex
	l  []string
}

func (j *journal) add(s string) { j.mu.Lock(); j.l = append(j.l, s); j.mu.Unlock() }

func (j *journal) take() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.l
	j.l = nil
	return out
}

// worker is a supervised test child. It traps exits so that Terminate
// (and the journal) shows shutdown order.
type worker struct {
	actors.Base
	id        string
	j         *journal
	slowStop  time.Duration
	failStart bool
}

func (w *worker) Init(p *actors.Process, args ...any) error {
	if w.failStart {
		return actors.Stop(etf.Atom("no_start"))
	}
	p.TrapExit(true)
	if len(args) > 0 {
		w.j.add(fmt.Sprintf("start:%s%v", w.id, args))
	} else {
		w.j.add("start:" + w.id)
	}
	return nil
}

func (w *worker) HandleCall(p *actors.Process, _ actors.From, req etf.Term) (etf.Term, error) {
	return p.Self(), nil
}

func (w *worker) HandleCast(p *actors.Process, msg etf.Term) error {
	if t, ok := msg.(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("exit") {
		return actors.Stop(t[1])
	}
	return nil
}

func (w *worker) Terminate(p *actors.Process, reason etf.Term) {
	if reason == node.Shutdown {
		w.j.add("stop:" + w.id)
	}
	if w.slowStop > 0 {
		time.Sleep(w.slowStop)
	}
}

func spec(j *journal, id string, r actors.RestartType) actors.ChildSpec {
	return actors.ChildSpec{ID: etf.Atom(id), Restart: r, Start: func(etf.List) (actors.Actor, error) {
		return &worker{id: id, j: j}, nil
	}}
}

// quiet discards logs unless ACTORS_TEST_LOG is set.
func quiet() *slog.Logger {
	if os.Getenv("ACTORS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

var nodeN sync.Mutex
var nodeSeqN int

func localNode(t testing.TB) *node.Node {
	t.Helper()
	nodeN.Lock()
	nodeSeqN++
	name := fmt.Sprintf("sup%d@localhost", nodeSeqN)
	nodeN.Unlock()
	n, err := node.Start(context.Background(), name, node.WithoutDistribution(), node.WithLogger(quiet()))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}

// kids returns id -> pid ("-" when not running), via which_children.
func kids(t testing.TB, n *node.Node, sup etf.Term) map[string]string {
	t.Helper()
	cs, err := actors.WhichChildren(context.Background(), n, sup)
	require.NoError(t, err, "which_children")
	out := map[string]string{}
	for _, c := range cs {
		v := "-"
		if c.PID != (etf.PID{}) {
			v = c.PID.String()
		}
		out[fmt.Sprint(c.ID)] = v
	}
	return out
}

func crash(t testing.TB, n *node.Node, sup etf.Term, id string, reason etf.Term) {
	t.Helper()
	before := kids(t, n, sup)
	pid, ok := findPID(t, n, sup, id)
	if !ok {
		t.Fatalf("child %s not running: %v", id, before)
	}
	ok2 := actors.Cast(n, pid, etf.Tuple{etf.Atom("exit"), reason})
	if ok2 != nil {
		t.Fatal(ok2)
	}
	synctest.Wait()
}

func findPID(t testing.TB, n *node.Node, sup etf.Term, id string) (etf.PID, bool) {
	cs, err := actors.WhichChildren(context.Background(), n, sup)
	require.NoError(t, err)
	for _, c := range cs {
		if fmt.Sprint(c.ID) == id && c.PID != (etf.PID{}) {
			return c.PID, true
		}
	}
	return etf.PID{}, false
}

// TestSupervisorStrategies is a table of strategy x restart type x exit
// reason: which children are restarted, in which order they are stopped
// and started, and whether the supervisor survives.
func TestSupervisorStrategies(t *testing.T) {
	boom := etf.Atom("boom")
	cases := []struct {
		name     string
		strategy actors.Strategy
		restart  actors.RestartType // of child b
		reason   etf.Term
		journal  []string // after the initial starts
		changed  []string // children whose pid changed ("b-gone": removed)
	}{
		{"one_for_one permanent crash", actors.OneForOne, actors.Permanent, boom, []string{"start:b"}, []string{"b"}},
		{"one_for_one permanent normal exit", actors.OneForOne, actors.Permanent, node.Normal, []string{"start:b"}, []string{"b"}},
		{"one_for_one transient crash", actors.OneForOne, actors.Transient, boom, []string{"start:b"}, []string{"b"}},
		{"one_for_one transient normal", actors.OneForOne, actors.Transient, node.Normal, nil, []string{"b-stopped"}},
		{"one_for_one transient shutdown", actors.OneForOne, actors.Transient, etf.Tuple{node.Shutdown, 1}, nil, []string{"b-stopped"}},
		{"one_for_one temporary crash", actors.OneForOne, actors.Temporary, boom, nil, []string{"b-gone"}},
		{"one_for_all permanent crash", actors.OneForAll, actors.Permanent, boom,
			[]string{"stop:c", "stop:a", "start:a", "start:b", "start:c"}, []string{"a", "b", "c"}},
		{"one_for_all transient normal", actors.OneForAll, actors.Transient, node.Normal, nil, []string{"b-stopped"}},
		{"rest_for_one permanent crash", actors.RestForOne, actors.Permanent, boom,
			[]string{"stop:c", "start:b", "start:c"}, []string{"b", "c"}},
		{"rest_for_one temporary crash", actors.RestForOne, actors.Temporary, boom, nil, []string{"b-gone"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				j := &journal{}
				n := localNode(t)
				sup := &actors.Supervisor{Strategy: tc.strategy, Children: []actors.ChildSpec{
					spec(j, "a", actors.Permanent), spec(j, "b", tc.restart), spec(j, "c", actors.Permanent),
				}}
				_, err := actors.Spawn(n, sup, node.WithName("sup"))
				require.NoError(t, err)
				require.Equal(t, []string{"start:a", "start:b", "start:c"}, j.take(), "children start in order")
				before := kids(t, n, etf.Atom("sup"))
				crash(t, n, etf.Atom("sup"), "b", tc.reason)
				require.Equal(t, tc.journal, j.take(), "journal")
				after := kids(t, n, etf.Atom("sup"))
				var changed []string
				for _, id := range []string{"a", "b", "c"} {
					switch {
					case after[id] == "":
						changed = append(changed, id+"-gone")
					case after[id] == "-":
						changed = append(changed, id+"-stopped")
					case after[id] != before[id]:
						changed = append(changed, id)
					}
				}
				require.Equal(t, tc.changed, changed, "children changed")
			})
		})
	}
}

func TestSupervisorIntensity(t *testing.T) {
	cases := []struct {
		name      string
		intensity int
		period    time.Duration
		gap       time.Duration // between crashes
		crashes   int
		survives  bool
	}{
		{"default 1 in 5s: second crash within 5s stops", 0, 0, time.Second, 2, false},
		{"default 1 in 5s: crashes 6s apart are fine", 0, 0, 6 * time.Second, 4, true},
		{"3 in 10s: three crashes fine", 3, 10 * time.Second, time.Second, 3, true},
		{"3 in 10s: fourth crash stops", 3, 10 * time.Second, time.Second, 4, false},
		{"no restarts allowed", -1, time.Second, 0, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				j := &journal{}
				n := localNode(t)
				sup := &actors.Supervisor{Intensity: tc.intensity, Period: tc.period, Children: []actors.ChildSpec{
					spec(j, "a", actors.Permanent), spec(j, "b", actors.Permanent), spec(j, "c", actors.Permanent),
				}}
				pid, err := actors.Spawn(n, sup, node.WithName("sup"))
				require.NoError(t, err)
				// Watch the supervisor from a trapping probe.
				down := make(chan etf.Term, 1)
				_, err = n.Spawn(&watcher{target: pid, down: down})
				require.NoError(t, err)
				j.take()
				for i := 0; i < tc.crashes; i++ {
					if i > 0 {
						time.Sleep(tc.gap)
					}
					crash(t, n, etf.Atom("sup"), "b", etf.Atom("boom"))
				}
				synctest.Wait()
				select {
				case reason := <-down:
					if tc.survives {
						t.Fatalf("supervisor exited: %v", reason)
					}
					require.Equal(t, node.Shutdown, reason, "exit reason")
					// all children stopped, in reverse start order
					l := j.take()
					require.True(t, len(l) >= 2, "journal too short: ", l)
					require.Equal(t, []string{"stop:c", "stop:a"}, l[len(l)-2:], "children stopped in reverse order")
				default:
					if !tc.survives {
						t.Fatal("supervisor survived")
					}
				}
			})
		})
	}
}

// watcher reports the exit reason of target.
type watcher struct {
	target etf.PID
	down   chan etf.Term
}

func (w *watcher) Init(p *node.Process) error { _, err := p.Monitor(w.target); return err }

func (w *watcher) HandleMessage(_ *node.Process, msg etf.Term) error {
	if d, ok := msg.(node.DownMsg); ok {
		w.down <- d.Reason
		return actors.StopNormal
	}
	return nil
}

func (w *watcher) Terminate(*node.Process, etf.Term) {}
