package events_test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ct "github.com/erlgo/erlgo/interop/global/clustertest"
	"github.com/erlgo/erlgo/node"
)

// BenchmarkFanout is issue 15's fan-out benchmark: one message from node 0
// to 1, 100 and 10,000 subscribers on 1 and 3 nodes, in the same run
// through
//
//   - beampg: real BEAM nodes with OTP's pg, broadcast the way
//     Phoenix.PubSub's PG2 adapter does (testdata/fanout_beam.erl);
//   - pgpubsub: erlgo's Phoenix.PubSub endpoint, pg.PubSub on Go nodes
//     (one forward_to_local per other node, fanned out by its worker);
//   - events: erlgo's events, one message per subscribing node fanned
//     out by that node's erlgo_events service.
//
// Subscriber i lives on node (i+1) mod nodes (fanNodeOf): on 3 nodes one
// subscriber is remote and 100 or 10,000 split evenly, a third on the
// publisher's node. ns/fanout is the time from just before the publish to
// the last subscriber's receive (BEAM reads os:system_time, the same
// clock), ns/msg that per subscriber; the Go rows' allocations count
// every node of the process. Each case's rows run back to back (with
// -count, each row that many times in a row), and the ratios
// ("vs-pgpubsub", "vs-beampg") are this row's ns/fanout over the median
// of that side's rows of the same case in the same run.
//
//	go test -run '^$' -bench BenchmarkFanout -benchtime 20x -count 3 ./interop/events/
func BenchmarkFanout(b *testing.B) {
	beam := startBeamFan(b, 3)
	// ns/fanout by side/case and row. A row's function runs more than
	// once (b.N=1 first, then the real b.N) on the same *testing.B, so
	// only its last run stays.
	res := map[string]map[*testing.B]float64{}
	record := func(b *testing.B, side, cs string, v float64) float64 {
		if res[side+"/"+cs] == nil {
			res[side+"/"+cs] = map[*testing.B]float64{}
		}
		res[side+"/"+cs][b] = v
		return v
	}
	ratio := func(b *testing.B, own float64, side, cs string) {
		if other := res[side+"/"+cs]; len(other) > 0 {
			b.ReportMetric(own/median(slices.Collect(maps.Values(other))), "vs-"+side)
		}
	}
	for _, nodes := range []int{1, 3} {
		for _, subs := range []int{1, 100, 10000} {
			cs := fmt.Sprintf("nodes=%d/subs=%d", nodes, subs)
			b.Run("beampg/"+cs, func(b *testing.B) {
				record(b, "beampg", cs, beam.bench(b, nodes, subs))
			})
			b.Run("pgpubsub/"+cs, func(b *testing.B) {
				own := record(b, "pgpubsub", cs, benchGoFanout(b, nodes, subs, newPGSideAny))
				ratio(b, own, "beampg", cs)
			})
			b.Run("events/"+cs, func(b *testing.B) {
				own := benchGoFanout(b, nodes, subs, newEventsSideAny)
				ratio(b, own, "pgpubsub", cs)
				ratio(b, own, "beampg", cs)
			})
		}
	}
}

// median of xs (not empty); xs is reordered.
func median(xs []float64) float64 {
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

func newPGSideAny(tb testing.TB, nodes []*node.Node) fanSide     { return newPGSide(tb, nodes) }
func newEventsSideAny(tb testing.TB, nodes []*node.Node) fanSide { return newEventsSide(tb, nodes) }

// benchGoFanout runs one Go side's case and returns its ns/fanout.
func benchGoFanout(b *testing.B, nodes, subs int, newSide func(testing.TB, []*node.Node) fanSide) float64 {
	cluster := startFanCluster(b, nodes)
	side := newSide(b, cluster)
	fs := spawnFanSubs(b, cluster, subs, side.unwrap)
	side.subscribe(b, fs)
	if _, err := fs.fanout(side.publish, 0); err != nil { // warm-up: the subscriptions work
		b.Fatal(err)
	}
	counter, counts := side.(fanSender)
	var sent0 uint64
	if counts {
		sent0 = counter.sends()
	}
	b.ReportAllocs()
	var sum time.Duration
	rounds := int64(0)
	for b.Loop() {
		rounds++
		d, err := fs.fanout(side.publish, rounds)
		if err != nil {
			b.Fatal(err)
		}
		sum += d
	}
	if err := fs.check(rounds + 1); err != nil {
		b.Fatal(err)
	}
	per := float64(sum.Nanoseconds()) / float64(rounds)
	b.ReportMetric(per, "ns/fanout")
	b.ReportMetric(per/float64(subs), "ns/msg")
	if counts {
		b.ReportMetric(float64(counter.sends()-sent0)/float64(rounds), "sends/fanout")
	}
	return per
}

// TestFanoutHarness runs every side of BenchmarkFanout with 100
// subscribers on 3 nodes for a few rounds and checks that every
// subscriber got every round exactly once (and that events sent one
// message per node and round), so the benchmark cannot rot.
func TestFanoutHarness(t *testing.T) {
	const nodes, subs, rounds = 3, 100, 5
	goSide := func(newSide func(testing.TB, []*node.Node) fanSide) func(t *testing.T) {
		return func(t *testing.T) {
			cluster := startFanCluster(t, nodes)
			side := newSide(t, cluster)
			fs := spawnFanSubs(t, cluster, subs, side.unwrap)
			side.subscribe(t, fs)
			for r := range int64(rounds) {
				if _, err := fs.fanout(side.publish, r); err != nil {
					t.Fatal(err)
				}
			}
			if err := fs.check(rounds); err != nil {
				t.Fatal(err)
			}
			if c, ok := side.(fanSender); ok {
				if got := c.sends(); got != rounds*nodes {
					t.Fatalf("%d rounds to subscribers on %d nodes sent %d messages, want one per node and round", rounds, nodes, got)
				}
			}
		}
	}
	t.Run("pgpubsub", goSide(newPGSideAny))
	t.Run("events", goSide(newEventsSideAny))
	t.Run("beampg", func(t *testing.T) {
		bf := startBeamFan(t, nodes)
		id := bf.setup(t, nodes, subs)
		if d := bf.run(t, id, rounds-1); d <= 0 {
			t.Fatalf("fan-out time %v", d)
		}
		bf.check(t, nodes, subs, id, rounds)
	})
}

// beamFan drives testdata/fanout_beam.erl on real BEAM nodes, node 0
// broadcasting from the line evaluator's process.
type beamFan struct {
	nodes []*ct.Node
	seq   int
}

// startBeamFan starts count connected erl nodes on a private EPMD.
func startBeamFan(tb testing.TB, count int) *beamFan {
	tb.Helper()
	ct.Need(tb, "erl", "erlc", "epmd")
	epmd, cookie := ct.StartEPMD(tb), ct.Uniq("fanbeam")
	dir := ct.Compile(tb, filepath.Join("testdata", "fanout_beam.erl"))
	opts := make([]ct.Options, count)
	for i := range opts {
		opts[i].Prefix = "fanbeam"
	}
	bf := &beamFan{nodes: ct.StartNodes(tb, epmd, cookie, dir, opts...)}
	for i, a := range bf.nodes {
		for _, o := range bf.nodes[i+1:] {
			if v := a.Eval("net_kernel:connect_node(" + ct.Atom(o.Name) + ")"); v != "true" {
				tb.Fatalf("connect %s -> %s: %s", a.Name, o.Name, v)
			}
		}
	}
	return bf
}

func (bf *beamFan) nodeList(count int) string {
	names := make([]string, count)
	for i, n := range bf.nodes[:count] {
		names[i] = ct.Atom(n.Name)
	}
	return "[" + strings.Join(names, ",") + "]"
}

// beamEvalTimeout bounds one evaluation on node 0: 10,000 subscribers'
// setup or a long batch of rounds on a loaded machine can take more than
// clustertest's 30 s.
const beamEvalTimeout = 3 * time.Minute

// eval is clustertest's Eval on node 0 with beamEvalTimeout.
func (bf *beamFan) eval(tb testing.TB, expr string) string {
	tb.Helper()
	n := bf.nodes[0]
	v, err := n.EvalTimeout(expr, beamEvalTimeout)
	if err != nil {
		tb.Fatalf("%v\noutput:\n%s", err, n.Output())
	}
	val, ok := strings.CutPrefix(v, "{ok,")
	if !ok {
		tb.Fatalf("%s: %s raised %s\noutput:\n%s", n.Name, expr, v, n.Output())
	}
	return strings.TrimSuffix(val, "}")
}

// setup starts the forwarders and subscribers of one case, runs its
// warm-up round and stops them when tb ends; it returns the case's id.
func (bf *beamFan) setup(tb testing.TB, nodes, subs int) int {
	tb.Helper()
	bf.seq++
	id, list := bf.seq, bf.nodeList(nodes)
	bf.eval(tb, fmt.Sprintf("fanout_beam:setup(%s, %d, %d)", list, subs, id))
	tb.Cleanup(func() { bf.eval(tb, fmt.Sprintf("fanout_beam:teardown(%s, %d)", list, id)) })
	return id
}

// run runs rounds more fan-outs and returns their summed time.
func (bf *beamFan) run(tb testing.TB, id int, rounds int) time.Duration {
	tb.Helper()
	v := bf.eval(tb, fmt.Sprintf("fanout_beam:run(%d, %d)", rounds, id))
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		tb.Fatalf("fanout_beam:run: %q", v)
	}
	return time.Duration(ns)
}

// check fails tb unless each of the subs subscribers got rounds
// messages, in order.
func (bf *beamFan) check(tb testing.TB, nodes, subs, id, rounds int) {
	tb.Helper()
	v := bf.eval(tb, fmt.Sprintf("C = fanout_beam:check(%s, %d), {length(C), length([x || {G, B} <- C, {G, B} =/= {%d, 0}])}",
		bf.nodeList(nodes), id, rounds))
	if v != fmt.Sprintf("{%d,0}", subs) {
		tb.Fatalf("BEAM subscribers {count, not exactly %d in order}: %s, want {%d,0}", rounds, v, subs)
	}
}

// bench runs one BEAM case and returns its ns/fanout. All b.N rounds run
// in one evaluation, so the line evaluator's overhead stays out of
// ns/fanout (measured inside BEAM) and mostly out of ns/op.
func (bf *beamFan) bench(b *testing.B, nodes, subs int) float64 {
	id := bf.setup(b, nodes, subs)
	b.ResetTimer()
	sum := bf.run(b, id, b.N)
	b.StopTimer()
	bf.check(b, nodes, subs, id, b.N+1)
	per := float64(sum.Nanoseconds()) / float64(b.N)
	b.ReportMetric(per, "ns/fanout")
	b.ReportMetric(per/float64(subs), "ns/msg")
	return per
}
