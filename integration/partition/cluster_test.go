package partition

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// pair is two nodes on either side of the link, with their own cookie (so
// the two pairs of a cluster never join): a is always BEAM on side A, b is
// BEAM or Go on side B.
type pair struct {
	label string // "BEAM<->BEAM" or "Go<->BEAM"
	a, b  *peer
}

// cluster is the topology every case uses: hosts A and B; on A two BEAM
// nodes, on B a BEAM node and a Go node. Pair 0 is BEAM(A)<->BEAM(B), pair
// 1 BEAM(A)<->Go(B). A fault on the link hits both pairs at the same
// instant, so their behaviour is compared under the same conditions.
type cluster struct {
	h     *hosts
	pairs [2]pair
	tick  time.Duration // net_ticktime of every node
}

// tickTime is the net_ticktime (seconds) of the partition cases: short,
// so that a case takes seconds.
const tickTime = 2

func testdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

// newCluster starts the topology. With aWins the nodes on side A have the
// smaller names, so global's default resolver (random_exit_name keeps the
// pid on the smaller node) keeps A's registration; else B's.
func newCluster(t *testing.T, aWins bool) *cluster {
	t.Helper()
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	return newClusterOn(t, newHosts(t), aWins, tickTime)
}

// newClusterOn is newCluster on hosts made by the caller.
func newClusterOn(t *testing.T, h *hosts, aWins bool, tickSecs int) *cluster {
	t.Helper()
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	dir := erltest.Compile(t, testdataDir(), "ptest.erl")
	var b [3]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	aPrefix := "a"
	if !aWins {
		aPrefix = "z"
	}
	cookie0, cookie1 := "ptc0"+id, "ptc1"+id
	c := &cluster{h: h, tick: time.Duration(tickSecs) * time.Second}
	a0 := startBEAM(t, h.nsA, fmt.Sprintf("%s0_%s@%s", aPrefix, id, h.ipA), cookie0, dir, tickSecs)
	b0 := startBEAM(t, h.nsB, fmt.Sprintf("b_%s@%s", id, h.ipB), cookie0, dir, tickSecs)
	a1 := startBEAM(t, h.nsA, fmt.Sprintf("%s1_%s@%s", aPrefix, id, h.ipA), cookie1, dir, tickSecs)
	g := startGo(t, h.nsB, fmt.Sprintf("g_%s@%s", id, h.ipB), cookie1, tickSecs)
	waitReady(t, a0, b0, a1, g)
	c.pairs = [2]pair{{"BEAM<->BEAM", a0, b0}, {"Go<->BEAM", a1, g}}
	return c
}

// nodes is every node, A side first.
func (c *cluster) nodes() []*peer {
	return []*peer{c.pairs[0].a, c.pairs[1].a, c.pairs[0].b, c.pairs[1].b}
}

// connect makes B call A in each pair (connecting on demand) and waits
// until global has synced, so that later global and pg steps start from a
// joined cluster.
func (c *cluster) connect(t *testing.T) {
	t.Helper()
	for _, p := range c.pairs {
		if r := p.b.do(30*time.Second, "call", p.a.name); !strings.HasPrefix(r, "{ok,") {
			t.Fatalf("%s: %s cannot call %s: %s", p.label, p.b.name, p.a.name, r)
		}
	}
	for _, n := range c.nodes() {
		n.expect("ok", "gsync")
	}
}

// probe installs the watchers on both ends of both pairs: a link, a
// monitor and a monitor_node towards the other end, and a call the other
// end never answers.
func (c *cluster) probe(t *testing.T) {
	t.Helper()
	for _, p := range c.pairs {
		p.a.expect("ok", "probe", p.b.name)
		p.b.expect("ok", "probe", p.a.name)
	}
}

// observation is what one node saw about its peer after a fault.
type observation struct {
	nodedown, link, monitor, call event
	missing                       []string
}

// observe waits for the four events on n about peer, each at or after
// since, for at most d.
func observe(n, peer *peer, since time.Time, d time.Duration) observation {
	var o observation
	deadline := time.Now().Add(d)
	for _, k := range []struct {
		kind string
		dst  *event
	}{{"nodedown", &o.nodedown}, {"link", &o.link}, {"monitor", &o.monitor}, {"call", &o.call}} {
		e, ok := n.waitEvent(k.kind, peer.name, since, time.Until(deadline))
		if !ok {
			o.missing = append(o.missing, k.kind)
		}
		*k.dst = e
	}
	return o
}

// side is one direction of a pair: observer n watching peer.
type side struct {
	n, peer *peer
	obs     observation
}

// table is the side-by-side log of one case.
type table struct {
	tick  time.Duration
	fault string
	rows  [][3]string
}

func (tb *table) add(what, beam, gobeam string) {
	tb.rows = append(tb.rows, [3]string{what, beam, gobeam})
}

func (tb *table) log(t *testing.T) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "fault: %s (net_ticktime %v)\n", tb.fault, tb.tick)
	w := [3]int{}
	for _, r := range tb.rows {
		for i := range r {
			w[i] = max(w[i], len(r[i]))
		}
	}
	for _, r := range tb.rows {
		fmt.Fprintf(&sb, "  %-*s | %-*s | %s\n", w[0], r[0], w[1], r[1], r[2])
	}
	t.Log("\n" + sb.String())
}

// since formats the time from t0 to e.
func since(t0 time.Time, e event) string {
	if e.At.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%.2fs", e.At.Sub(t0).Seconds())
}

// callAll makes n calls over each pair, both pairs at once (from A when
// fromA, else from B), checks that every one is answered, after at least
// minRTT, and returns the median latency per pair.
func (c *cluster) callAll(t *testing.T, fromA bool, n int, minRTT time.Duration) [2]string {
	t.Helper()
	var out [2]string
	var errs [2]error
	var wg sync.WaitGroup
	for i, p := range c.pairs {
		from, to := p.b, p.a
		if fromA {
			from, to = p.a, p.b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ms []int
			for range n {
				r, err := from.try(30*time.Second, "call", to.name)
				if err != nil {
					errs[i] = err
					return
				}
				v, ok := strings.CutPrefix(r, "{ok,")
				m, err := strconv.Atoi(strings.TrimSuffix(v, "}"))
				if !ok || err != nil {
					errs[i] = fmt.Errorf("%s: %s (%s) calling %s: %s\noutput of %s:\n%s\noutput of %s:\n%s", p.label, from.name, from.kind, to.name, r, from.name, from.out(), to.name, to.out())
					return
				}
				if time.Duration(m)*time.Millisecond < minRTT {
					errs[i] = fmt.Errorf("%s: a call took %d ms, less than the link's %v round trip: is the delay applied?", p.label, m, minRTT)
				}
				ms = append(ms, m)
			}
			slices.Sort(ms)
			out[i] = fmt.Sprintf("%s calls %s: %d ms", from.kind, to.kind, ms[len(ms)/2])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
