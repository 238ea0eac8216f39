package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 10 * time.Second

var seq atomic.Int64

// uniq returns a name unique in this test run (node names, cookies).
func uniq(prefix string) string {
	return fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), seq.Add(1))
}

// quietLogger discards, unless METRICS_TEST_LOG is set.
func quietLogger() *slog.Logger {
	if os.Getenv("METRICS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startNode starts a node registered in the EPMD at epmdPort (an
// embedded one when none answers there), stopped at cleanup.
func startNode(t testing.TB, alive string, epmdPort int, cookie string, opts ...node.Option) *node.Node {
	t.Helper()
	opts = append([]node.Option{node.WithCookie(cookie), node.WithEPMD("127.0.0.1", epmdPort),
		node.WithEmbeddedEPMD(), node.WithLogger(quietLogger()), node.WithListenAddr("127.0.0.1:0")}, opts...)
	n, err := node.Start(context.Background(), alive+"@127.0.0.1", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := n.Stop(ctx); err != nil {
			t.Errorf("stop %s: %v", n.Name(), err)
		}
	})
	return n
}

// serve runs Serve for n on a free loopback port, closed at cleanup.
func serve(t testing.TB, n *node.Node, opts ...Option) *Server {
	t.Helper()
	s, err := Serve(context.Background(), "127.0.0.1:0", n, append([]Option{WithLogger(quietLogger())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close metrics server: %v", err)
		}
	})
	return s
}

// families is one parsed scrape.
type families map[string]*dto.MetricFamily

// scrape GETs url and parses the text exposition format, failing the
// test on any error: a scrape that does not parse is a failure.
func scrape(t testing.TB, url string) families {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape of %s does not parse: %v", url, err)
	}
	return fams
}

// find returns the metric of family name whose labels include want
// (name=value pairs), nil if there is none.
func (f families) find(name string, want ...string) *dto.Metric {
	fam := f[name]
	if fam == nil {
		return nil
	}
next:
	for _, m := range fam.GetMetric() {
		for i := 0; i+1 < len(want); i += 2 {
			if labelValue(m, want[i]) != want[i+1] {
				continue next
			}
		}
		return m
	}
	return nil
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// value returns the value of a gauge, counter or untyped metric; it fails
// the test when the metric is missing.
func (f families) value(t testing.TB, name string, want ...string) float64 {
	t.Helper()
	m := f.find(name, want...)
	if m == nil {
		t.Fatalf("no %s%v in the scrape", name, want)
	}
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	t.Fatalf("%s%v is not a gauge or counter", name, want)
	return 0
}

// histogram returns a histogram metric; it fails the test when missing.
func (f families) histogram(t testing.TB, name string, want ...string) *dto.Histogram {
	t.Helper()
	m := f.find(name, want...)
	if m == nil || m.Histogram == nil {
		t.Fatalf("no histogram %s%v in the scrape", name, want)
	}
	return m.Histogram
}

// bucket returns the cumulative count of h's bucket with upper bound le.
func bucket(t testing.TB, h *dto.Histogram, le float64) uint64 {
	t.Helper()
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	t.Fatalf("no bucket le=%v", le)
	return 0
}

// sink is a process that counts the messages it gets.
type sink struct {
	got  atomic.Int64
	want int64
	done chan struct{} // closed when got reaches want
}

func newSink(want int) *sink { return &sink{want: int64(want), done: make(chan struct{})} }

func (s *sink) behavior() node.Behavior {
	return node.BehaviorFunc(func(*node.Process, etf.Term) error {
		if s.got.Add(1) == s.want {
			close(s.done)
		}
		return nil
	})
}

func (s *sink) wait(t testing.TB) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(waitFor):
		t.Fatalf("sink got %d of %d messages", s.got.Load(), s.want)
	}
}

// echo answers gen_server calls with their request.
func echo() node.Behavior {
	return node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		if t, ok := msg.(etf.Tuple); ok && len(t) == 3 && t[0] == node.GenCall {
			return node.Reply(p, t[1], t[2])
		}
		return nil
	})
}
