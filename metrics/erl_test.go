package metrics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

// Tests against a real erl node: a private epmd, erl running
// testdata/metrics_peer.erl driven line by line on its stdin, and a Go
// node with its metrics served on loopback.

// tick is the net_ticktime of the erl tests, on both sides.
const tick = 2 * time.Second

// erlPeer is a running metrics_peer.
type erlPeer struct {
	name  etf.Atom
	stdin io.WriteCloser
	lines chan string
}

// startErl starts erl -name alive@127.0.0.1 with net_ticktime tick and
// extra arguments, targeting goNode, and waits for its "ready" line.
func startErl(t *testing.T, epmdPort int, alive, cookie string, goNode etf.Atom, extra ...string) *erlPeer {
	t.Helper()
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	dir := erltest.Compile(t, "testdata", "metrics_peer.erl")
	name := alive + "@127.0.0.1"
	args := append([]string{"-noshell", "-name", name, "-setcookie", cookie, "-pa", dir,
		"-kernel", "net_ticktime", fmt.Sprint(int(tick / time.Second))}, extra...)
	cmd := exec.Command("erl", append(args, "-eval", fmt.Sprintf("metrics_peer:start(['%s'])", goNode))...)
	cmd.Env = erltest.EnvWithEPMD(epmdPort)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e := &erlPeer{name: etf.Atom(name), stdin: stdin, lines: make(chan string, 64)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(e.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			e.lines <- strings.TrimSpace(sc.Text())
		}
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		for range e.lines { // let the reader finish
		}
		wg.Wait()
	})
	e.expect(t, "ready")
	return e
}

// expect waits for a line starting with prefix and returns it.
func (e *erlPeer) expect(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-e.lines:
			if !ok {
				t.Fatalf("erl exited before printing %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			t.Logf("erl: %s", l)
		case <-timeout:
			t.Fatalf("erl did not print %q", prefix)
		}
	}
}

// do sends a command line and waits for its answer line.
func (e *erlPeer) do(t *testing.T, cmd, answer string) string {
	t.Helper()
	if _, err := io.WriteString(e.stdin, cmd+"\n"); err != nil {
		t.Fatal(err)
	}
	return e.expect(t, answer)
}

// erlSetup starts a Go node (net_ticktime tick) serving its metrics, with
// a sink process for want messages, and an erl peer aiming at it.
func erlSetup(t *testing.T, want int, extra ...string) (*node.Node, *Server, *sink, *erlPeer) {
	t.Helper()
	epmdPort, cookie := erltest.StartEPMD(t), uniq("c")
	n := startNode(t, uniq("go"), epmdPort, cookie, node.WithTickTime(tick), node.WithoutEPMDStart())
	s := newSink(want)
	if _, err := n.Spawn(s.behavior(), node.WithName("sink")); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, n)
	return n, srv, s, startErl(t, epmdPort, uniq("erl"), cookie, n.Name(), extra...)
}

// TestScrapeErlPeer: a real erl node connects, sends, answers calls, idles
// past net_ticktime and disconnects; each step moves the metrics.
func TestScrapeErlPeer(t *testing.T) {
	const msgs, calls = 1000, 25
	n, srv, s, e := erlSetup(t, msgs)
	peer := string(e.name)

	f := scrape(t, srv.URL())
	if f.value(t, "erlgo_dist_connections_up_total", "visibility", "visible") != 0 {
		t.Fatal("a connection counted before erl connected")
	}
	if got := e.do(t, "connect", "connect "); got != "connect true" {
		t.Fatalf("erl: %s", got)
	}
	// erl's connect_node returns with the handshake done on its side; the
	// Go side books the connection a moment later.
	f = waitScrape(t, srv.URL(), func(f families) bool {
		return f.value(t, "erlgo_dist_connections_up_total", "visibility", "visible") == 1
	})
	in0 := f.value(t, "erlgo_dist_messages_total", "peer", peer, "direction", "in")

	e.do(t, fmt.Sprintf("send %d", msgs), "sent ")
	s.wait(t)
	calls0 := f.histogram(t, "erlgo_call_duration_seconds", "result", "ok").GetSampleCount()
	for range calls {
		// rex is a gen_server: {call, M, F, A, GroupLeader}.
		r, err := n.Call(context.Background(), node.Name{Name: "rex", Node: e.name},
			etf.Tuple{etf.Atom("call"), etf.Atom("erlang"), etf.Atom("node"), etf.List{}, etf.Atom("user")})
		if err != nil || r != e.name {
			t.Fatalf("rpc erlang:node() on erl: %#v, %v", r, err)
		}
	}
	f = scrape(t, srv.URL())
	if v := f.value(t, "erlgo_dist_messages_total", "peer", peer, "direction", "in") - in0; v < msgs+calls {
		t.Fatalf("messages in from erl grew by %v, want >= %d", v, msgs+calls)
	}
	if got := f.histogram(t, "erlgo_call_duration_seconds", "result", "ok").GetSampleCount() - calls0; got != calls {
		t.Fatalf("call histogram grew by %d, want %d", got, calls)
	}
	if got, want := f.value(t, "erlgo_processes"), float64(n.ProcessCount()); got != want {
		t.Fatalf("erlgo_processes = %v, ProcessCount = %v", got, want)
	}

	// Idle past net_ticktime: only ticks flow; they are counted in bytes,
	// and the connection stays up.
	bytesIn := f.value(t, "erlgo_dist_bytes_total", "peer", peer, "direction", "in")
	time.Sleep(2*tick + tick/2)
	f = scrape(t, srv.URL())
	if v := f.value(t, "erlgo_dist_bytes_total", "peer", peer, "direction", "in"); v <= bytesIn {
		t.Fatalf("bytes in from erl did not grow while idle (ticks): %v -> %v", bytesIn, v)
	}
	if f.value(t, "erlgo_dist_connections", "visibility", "visible") != 1 ||
		f.value(t, "erlgo_dist_connections_down_total", "visibility", "visible") != 0 {
		t.Fatal("the connection did not survive idling past net_ticktime")
	}

	e.do(t, "disconnect", "disconnected true")
	waitScrape(t, srv.URL(), func(f families) bool {
		return f.value(t, "erlgo_dist_connections_down_total", "visibility", "visible") == 1 &&
			f.value(t, "erlgo_dist_connections", "visibility", "visible") == 0
	})
}

// TestScrapeUnderLoad scrapes over and over while erl floods the node and
// processes come and go on it: every scrape parses, counters never go
// back, and the totals add up at the end.
func TestScrapeUnderLoad(t *testing.T) {
	const msgs = 200_000
	n, srv, s, e := erlSetup(t, msgs)
	if got := e.do(t, "connect", "connect "); got != "connect true" {
		t.Fatalf("erl: %s", got)
	}

	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Add(1)
	go func() { // processes spawned and exiting under the scrapes
		defer churn.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			pid, err := n.Spawn(echo())
			if err != nil {
				t.Error(err)
				return
			}
			_ = n.Send(pid, "x")
			_ = n.Exit(pid, etf.Atom("kill"))
		}
	}()

	if _, err := io.WriteString(e.stdin, fmt.Sprintf("send %d\n", msgs)); err != nil {
		t.Fatal(err)
	}
	var last float64
	scrapes := 0
	for done := false; !done; {
		select {
		case <-s.done:
			done = true
		default:
		}
		f := scrape(t, srv.URL())
		scrapes++
		m := f.find("erlgo_dist_messages_total", "peer", string(e.name), "direction", "in")
		if m == nil {
			t.Fatal("no messages counter for erl during the flood")
		}
		if v := m.Counter.GetValue(); v < last {
			t.Fatalf("messages in went back: %v -> %v", last, v)
		} else {
			last = v
		}
		f.histogram(t, "erlgo_mailbox_depth")
	}
	close(stop)
	churn.Wait()
	e.expect(t, "sent ")
	if last < msgs {
		f := scrape(t, srv.URL())
		last = f.value(t, "erlgo_dist_messages_total", "peer", string(e.name), "direction", "in")
	}
	if last < msgs {
		t.Fatalf("messages in = %v after %d were received", last, msgs)
	}
	t.Logf("%d scrapes during a flood of %d messages", scrapes, msgs)
}

// TestScrapeHiddenErlPeer: an erl started -hidden is counted apart.
func TestScrapeHiddenErlPeer(t *testing.T) {
	_, srv, _, e := erlSetup(t, 1, "-hidden")
	if got := e.do(t, "connect", "connect "); got != "connect true" {
		t.Fatalf("erl: %s", got)
	}
	f := waitScrape(t, srv.URL(), func(f families) bool {
		return f.value(t, "erlgo_dist_connections_up_total", "visibility", "hidden") == 1
	})
	if f.value(t, "erlgo_dist_connections", "visibility", "hidden") != 1 ||
		f.value(t, "erlgo_dist_connections", "visibility", "visible") != 0 ||
		f.value(t, "erlgo_dist_connections_up_total", "visibility", "visible") != 0 {
		t.Fatal("a hidden erl was not counted as hidden")
	}
	e.do(t, "disconnect", "disconnected true")
	waitScrape(t, srv.URL(), func(f families) bool {
		return f.value(t, "erlgo_dist_connections_down_total", "visibility", "hidden") == 1 &&
			f.value(t, "erlgo_dist_connections", "visibility", "hidden") == 0
	})
}
