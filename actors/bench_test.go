package actors_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// latencies collects per-call durations and reports their median.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(l[len(l)*99/100].Nanoseconds()), "p99-ns")
}

// callLoop is a process that makes b.N calls from inside a process (the
// gen_server:call path a Go actor uses) and reports when done.
type callLoop struct {
	to   etf.Term
	n    int
	lat  latencies
	done chan error
}

func (c *callLoop) Init(*node.Process) error { return nil }

func (c *callLoop) HandleMessage(p *node.Process, _ etf.Term) error {
	ctx := context.Background()
	for range c.n {
		t0 := time.Now()
		if _, err := p.Call(ctx, c.to, etf.Atom("get")); err != nil {
			c.done <- err
			return nil
		}
		c.lat = append(c.lat, time.Since(t0))
	}
	c.done <- nil
	return nil
}

func (c *callLoop) Terminate(*node.Process, etf.Term) {}

func runCallLoop(b *testing.B, n *node.Node, to etf.Term) {
	cl := &callLoop{to: to, n: b.N, lat: make(latencies, 0, b.N), done: make(chan error, 1)}
	pid, err := n.Spawn(cl)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	_ = n.Send(pid, etf.Atom("go"))
	if err := <-cl.done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cl.lat.report(b)
}

// BenchmarkCallLocal: Go -> Go gen_server call round trip on one node,
// from inside a process (an actor calling an actor).
func BenchmarkCallLocal(b *testing.B) {
	n := localNode(b)
	if _, err := actors.Spawn(n, &itCounter{}, node.WithName("bench_counter")); err != nil {
		b.Fatal(err)
	}
	runCallLoop(b, n, etf.Atom("bench_counter"))
}

// BenchmarkCallLocalFromNode: the same through Node.Call (a temporary
// caller process per call), the path of non-actor Go code.
func BenchmarkCallLocalFromNode(b *testing.B) {
	n := localNode(b)
	if _, err := actors.Spawn(n, &itCounter{}, node.WithName("bench_counter")); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := actors.Call[int](ctx, n, etf.Atom("bench_counter"), etf.Atom("get")); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkCallGoToBEAM: Go process -> erl_echo on a real erl node over
// loopback.
func BenchmarkCallGoToBEAM(b *testing.B) {
	c := newCluster(b)
	startITActors(b, c.n)
	erl := c.startErl(b, fmt.Sprintf("actors_it:main(['%s'])", c.n.Name()))
	erl.until(b, "READY")
	to := etf.Tuple{etf.Atom("erl_echo"), etf.Atom(erl.name)}
	if _, err := c.n.Call(context.Background(), to, etf.Atom("ping")); err != nil {
		b.Fatal(err)
	}
	lat := make(latencies, 0, b.N)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := c.n.Call(ctx, to, etf.Atom("ping")); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkCallBEAMToGo: erl makes gen_server calls to a Go actor over
// loopback and, in the same run, to an Erlang gen_server on a second erl
// node over loopback and on its own node; the metrics are erl's own
// measurements, and the ratio compares the loopback medians.
func BenchmarkCallBEAMToGo(b *testing.B) {
	c := newCluster(b)
	startITActors(b, c.n)
	calls := max(b.N, 2000)
	erl := c.startErl(b, fmt.Sprintf("actors_it:bench(['%s', '%d'])", c.n.Name(), calls))
	res := map[string][2]float64{}
	for _, l := range erl.until(b, "READY") {
		f := strings.Fields(l)
		if len(f) == 4 && f[0] == "BENCH" {
			total, _ := strconv.ParseFloat(f[2], 64)
			p50, _ := strconv.ParseFloat(f[3], 64)
			res[f[1]] = [2]float64{total * 1000 / float64(calls), p50}
		}
	}
	bg, bb, br := res["beam_go"], res["beam_beam"], res["beam_beam_remote"]
	if bg[0] == 0 || bb[0] == 0 || br[0] == 0 {
		b.Fatalf("no results:\n%s", erl.output())
	}
	b.ReportMetric(bg[0], "beam-go-ns/call")
	b.ReportMetric(bg[1], "beam-go-p50-ns")
	b.ReportMetric(br[0], "beam-beam-loopback-ns/call")
	b.ReportMetric(br[1], "beam-beam-loopback-p50-ns")
	b.ReportMetric(bb[1], "beam-beam-local-p50-ns")
	b.ReportMetric(bg[1]/br[1], "p50-ratio-go/beam")
}

// BenchmarkCallGoToGoRemote: gen_server call between two Go nodes over
// loopback distribution, from inside a process.
func BenchmarkCallGoToGoRemote(b *testing.B) {
	c := newCluster(b)
	startITActors(b, c.n)
	peer := c.secondNode(b)
	to := etf.Tuple{etf.Atom("go_counter"), c.n.Name()}
	for i := 0; ; i++ { // readiness, see TestGoToGoRemote
		if _, err := peer.Call(context.Background(), to, etf.Atom("get")); err == nil {
			break
		} else if i == 100 {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runCallLoop(b, peer, to)
}
