package discovery

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/beamproc"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait for a peer or the loop; generous for a loaded
// 2-core machine (a bound that proves nothing hangs, not a timing).
const waitFor = 30 * time.Second

var seq atomic.Int64

// uniq is a name part unique to this test run.
func uniq() string { return strconv.FormatInt(seq.Add(1), 10) + "x" + strconv.Itoa(os.Getpid()) }

func quietLogger() *slog.Logger {
	if os.Getenv("DISCOVERY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// peerDir compiles discovery_peer.erl once per test.
func peerDir(t testing.TB) string {
	t.Helper()
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	return erltest.Compile(t, "testdata", "discovery_peer.erl")
}

// peer is a real erl node running discovery_peer.
type peer struct {
	t    testing.TB
	name etf.Atom
	lp   *beamproc.LineProc
}

type peerOpts struct {
	ns    string // run inside this network namespace
	iface string // bind distribution to this address only
	cwd   string // working directory (where net_adm looks for .hosts.erlang)
	tick  int    // net_ticktime in seconds (0: OTP's default)
	extra []string
}

// startPeer starts "erl -name name" against the EPMD on epmdPort and waits
// for its ready line. It is killed when the test ends.
func startPeer(t testing.TB, dir string, epmdPort int, name, cookie string, o peerOpts) *peer {
	t.Helper()
	args := []string{"-noshell", "-name", name, "-setcookie", cookie, "-pa", dir}
	if o.iface != "" {
		args = append(args, "-kernel", "inet_dist_use_interface", "{"+strings.ReplaceAll(o.iface, ".", ",")+"}")
	}
	if o.tick > 0 {
		args = append(args, "-kernel", "net_ticktime", strconv.Itoa(o.tick))
	}
	args = append(args, o.extra...)
	args = append(args, "-eval", "discovery_peer:start()")
	var cmd *exec.Cmd
	if o.ns != "" {
		cmd = exec.Command("ip", append([]string{"netns", "exec", o.ns, "erl"}, args...)...)
	} else {
		cmd = exec.Command("erl", args...)
	}
	cmd.Env = erltest.EnvWithEPMD(epmdPort)
	cmd.Dir = o.cwd
	lp, err := beamproc.Start(cmd, beamproc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, name: etf.Atom(name), lp: lp}
	t.Cleanup(func() { lp.Kill(5 * time.Second) })
	p.expect("ready")
	return p
}

// expect reads lines until one starts with prefix and returns it; other
// lines (events the test does not care about) are skipped.
func (p *peer) expect(prefix string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for {
		line, err := p.lp.ReadLine(ctx)
		if err != nil {
			p.t.Fatalf("%s: waiting for %q: %v", p.name, prefix, err)
		}
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
}

// command sends a command line and returns the answer line starting with
// prefix.
func (p *peer) command(cmd, prefix string) string {
	p.t.Helper()
	if err := p.lp.WriteLine(cmd); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	return p.expect(prefix)
}

// nodes asks the peer for nodes().
func (p *peer) nodes() []etf.Atom {
	p.t.Helper()
	return atoms(strings.TrimPrefix(p.command("nodes", "nodes"), "nodes"))
}

// kill stops the peer now (nodedown for everyone connected).
func (p *peer) kill() { p.lp.Kill(0) }

// atoms parses a space-separated list of ~w-printed atoms.
func atoms(s string) []etf.Atom {
	var out []etf.Atom
	for _, f := range strings.Fields(s) {
		out = append(out, etf.Atom(strings.Trim(f, "'")))
	}
	return out
}

// goNode starts a Go node on the EPMD at epmdPort, stopped at cleanup.
func goNode(t testing.TB, name, cookie string, epmdPort int, opts ...node.Option) *node.Node {
	t.Helper()
	opts = append([]node.Option{node.WithCookie(cookie), node.WithEPMD("127.0.0.1", epmdPort),
		node.WithoutEPMDStart(), node.WithLogger(quietLogger())}, opts...)
	n, err := node.Start(context.Background(), name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = n.Stop(ctx)
	})
	return n
}

// events collects a Runner's events for assertions.
type events struct {
	mu  sync.Mutex
	all []Event
	ch  chan struct{}
}

func newEvents() *events { return &events{ch: make(chan struct{}, 1)} }

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	default:
	}
}

func (e *events) snapshot() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.all)
}

// waitFor waits until at least count events equal to ev were seen.
func (e *events) waitCount(t *testing.T, ev Event, count int) {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		n := 0
		for _, x := range e.snapshot() {
			if x == ev {
				n++
			}
		}
		if n >= count {
			return
		}
		select {
		case <-e.ch:
		case <-deadline.C:
			t.Fatalf("no %d× %+v after %v; events: %+v", count, ev, waitFor, e.snapshot())
		}
	}
}

func (e *events) wait(t *testing.T, ev Event) { t.Helper(); e.waitCount(t, ev, 1) }

// startRunner starts a loop with test-speed timings, stopped at cleanup.
func startRunner(t *testing.T, n *node.Node, s Strategy, ev *events, opts ...Option) *Runner {
	t.Helper()
	opts = append([]Option{WithPollInterval(200 * time.Millisecond), WithBackoff(50*time.Millisecond, 400*time.Millisecond),
		WithConnectTimeout(5 * time.Second), WithLogger(quietLogger()), OnEvent(ev.add)}, opts...)
	r, err := Start(context.Background(), n, s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// hasAll reports whether have contains every name in want.
func hasAll(have []etf.Atom, want ...etf.Atom) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// eventually polls cond until it holds, failing after waitFor. It is for
// state the test cannot be told about (another node's view).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling another node's state
	}
}

func nodeTick(d time.Duration) node.Option { return node.WithTickTime(d) }

func nodeHidden() node.Option { return node.WithHidden() }
