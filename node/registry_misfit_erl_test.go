package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// logRecords is a slog.Handler that keeps the Warn records whose message
// contains match, with their attributes (those added by With included).
type logRecords struct {
	match string
	mu    *sync.Mutex
	recs  *[]map[string]slog.Value
	attrs []slog.Attr
}

func newLogRecords(match string) *logRecords {
	return &logRecords{match: match, mu: new(sync.Mutex), recs: new([]map[string]slog.Value)}
}

func (h *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecords) WithGroup(string) slog.Handler            { return h }
func (h *logRecords) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *logRecords) Handle(_ context.Context, r slog.Record) error {
	if os.Getenv("NODE_TEST_LOG") != "" {
		println("log:", r.Level.String(), r.Message)
	}
	if !strings.Contains(r.Message, h.match) {
		return nil
	}
	m := map[string]slog.Value{}
	for _, a := range h.attrs {
		m[a.Key] = a.Value
	}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
	h.mu.Lock()
	*h.recs = append(*h.recs, m)
	h.mu.Unlock()
	return nil
}

func (h *logRecords) snapshot() []map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]slog.Value(nil), *h.recs...)
}

// counted sums the misfits a set of log lines accounts for: one each, plus
// the unlogged_before each carries.
func counted(recs []map[string]slog.Value) int {
	n := 0
	for _, r := range recs {
		n++
		if v, ok := r["unlogged_before"]; ok {
			n += int(v.Int64())
		}
	}
	return n
}

// misfitSink counts the messages it receives; on done it reports the
// count and the last message before it.
type misfitSink struct {
	n    int
	last etf.Term
	out  chan [2]any
}

func (s *misfitSink) Init(*Process) error { return nil }
func (s *misfitSink) HandleMessage(_ *Process, m etf.Term) error {
	if m == etf.Term(etf.Atom("done")) {
		s.out <- [2]any{s.n, s.last}
		s.n, s.last = 0, nil
		return nil
	}
	s.n++
	s.last = m
	return nil
}
func (s *misfitSink) Terminate(*Process, etf.Term) {}

// TestRegistryMisfitFlood: a real erl node sends 10,000 terms that name
// the registered Elixir.Shop.Item but do not fit it (an extra key). The Go
// node delivers them raw (or drops them with WithRejectMismatch) and logs
// a bounded number of warnings, through the connection's rate limit: every
// misfit is either a line or counted in a later line's unlogged_before.
// The well-formed Item after the flood arrives as regItem, and erl's
// evaluations are answered over the same connection.
func TestRegistryMisfitFlood(t *testing.T) {
	needErl(t)
	for _, reject := range []bool{false, true} {
		t.Run(fmt.Sprintf("reject=%v", reject), func(t *testing.T) {
			const flood = 10000
			port := startEPMD(t)
			id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
			cookie := "cookie" + id
			e := startErl(t, port, "erlmf"+id, cookie)
			var ropts []etf.RegistryOption
			if reject {
				ropts = append(ropts, etf.WithRejectMismatch())
			}
			logs := newLogRecords("does not fit its registered type")
			n := distNode(t, "gomf"+id+"@127.0.0.1", port, cookie,
				WithRegistry(itemRegistry(t, ropts...)), WithLogger(slog.New(logs)))
			sink := &misfitSink{out: make(chan [2]any, 1)}
			if _, err := n.Spawn(sink, WithName("misfit_sink")); err != nil {
				t.Fatal(err)
			}
			pr := spawnProbe(t, n)

			start := time.Now()
			code := fmt.Sprintf(`S = {misfit_sink, node(Go)},
				Bad = #{'__struct__' => 'Elixir.Shop.Item', sku => <<"bad">>, qty => 1, color => red},
				lists:foreach(fun(_) -> S ! Bad end, lists:seq(1, %d)),
				S ! #{'__struct__' => 'Elixir.Shop.Item', sku => <<"ok">>, qty => 2},
				S ! done, ok.`, flood)
			// The evaluation's answer comes back on the connection that
			// carried the flood: the node kept serving it.
			if got := e.eval(t, pr, code); got != etf.Term(etf.Atom("ok")) {
				t.Fatalf("eval of the flood: %#v", got)
			}
			got := waitSink(t, sink)
			wantN := flood + 1
			if reject {
				wantN = 1
			}
			if got[0] != wantN || got[1] != etf.Term(regItem{"ok", 2}) {
				t.Fatalf("sink got %v messages, last %#v; want %d, the Item", got[0], got[1], wantN)
			}
			elapsed := time.Since(start)
			recs := logs.snapshot()
			// 10 lines a second per connection: the flood took elapsed.
			if limit := 10 * (int(elapsed/time.Second) + 2); len(recs) == 0 || len(recs) > limit {
				t.Fatalf("%d warning lines for %d misfits in %v (limit %d)", len(recs), flood, elapsed, limit)
			}
			if recs[0]["peer"].String() != string(e.name) {
				t.Errorf("the warning does not name the peer: %v", recs[0])
			}

			// The next misfit after the limiter's one-second window is
			// logged and carries the count of those held back, so every
			// misfit is accounted for. The wait is the behaviour under test.
			time.Sleep(1100 * time.Millisecond)
			e.eval(t, pr, `S = {misfit_sink, node(Go)},
				S ! #{'__struct__' => 'Elixir.Shop.Item', sku => <<"late">>}, S ! done, ok.`)
			waitSink(t, sink)
			recs = logs.snapshot()
			if c := counted(recs); c != flood+1 {
				t.Fatalf("%d lines account for %d misfits, want %d", len(recs), c, flood+1)
			}
			t.Logf("%d misfits in %v: %d warning lines", flood+1, elapsed, len(recs))
		})
	}
}

func waitSink(t *testing.T, s *misfitSink) [2]any {
	t.Helper()
	select {
	case got := <-s.out:
		return got
	case <-time.After(30 * time.Second):
		t.Fatal("the sink did not get done")
		return [2]any{}
	}
}
