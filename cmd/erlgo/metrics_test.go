package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/erlgo/erlgo/internal/erltest"
)

// metricsNode runs `erlgo node ... -metrics 127.0.0.1:0` against a
// private epmd and returns the node's name, its metrics URL, the epmd's
// environment, and a function that stops it with SIGINT and checks its exit.
func metricsNode(t *testing.T, cookie string) (name, url string, env []string, stop func()) {
	t.Helper()
	exe := buildErlgo(t)
	port := erltest.StartEPMD(t)
	env = erltest.EnvWithEPMD(port)
	name = uniq("gomet") + "@127.0.0.1"
	cmd := exec.Command(exe, "node", "-name", name, "-cookie", cookie, "-epmd-port", strconv.Itoa(port),
		"-start-epmd", "false", "-no-global", "-listen", "127.0.0.1:0", "-metrics", "127.0.0.1:0")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls, ready, drained := make(chan string, 1), make(chan struct{}), make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-drained // no t.Logf after the test
		_ = cmd.Wait()
	})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			l := sc.Text()
			t.Logf("erlgo node: %s", l)
			if _, rest, ok := strings.Cut(l, "metrics at "); ok {
				urls <- strings.TrimSuffix(strings.Fields(rest)[0], ",")
			}
			if strings.Contains(l, " ready ") {
				close(ready)
			}
		}
	}()
	select {
	case url = <-urls:
	case <-drained:
		t.Fatal("erlgo node exited without printing its metrics address")
	case <-time.After(erltest.Wait):
		t.Fatal("erlgo node printed no metrics address")
	}
	select {
	case <-ready:
	case <-drained:
		t.Fatal("erlgo node exited before ready")
	case <-time.After(erltest.Wait):
		t.Fatal("erlgo node not ready")
	}
	return name, url, env, func() {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		<-drained
		if err := cmd.Wait(); err != nil {
			t.Fatalf("erlgo node exit: %v", err)
		}
	}
}

// scrapeURL GETs url and parses the exposition format.
func scrapeURL(t *testing.T, url string) map[string]*dto.MetricFamily {
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
		t.Fatalf("the scrape of %s does not parse: %v", url, err)
	}
	return fams
}

// metricValue is the value of the first metric of family name whose
// labels include the name=value pairs, or -1.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
next:
	for _, m := range fams[name].GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Counter != nil:
			return m.Counter.GetValue()
		}
	}
	return -1
}

// TestNodeMetrics runs `erlgo node -metrics 127.0.0.1:0`, has a real erl
// node ping it and leave, and scrapes: the demo's processes, the
// connection that came and went, Go's GC metrics; pprof answers.
func TestNodeMetrics(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	cookie := uniq("cookie")
	name, url, env, stop := metricsNode(t, cookie)

	fams := scrapeURL(t, url)
	if v := metricValue(fams, "erlgo_processes", "node", name); v < 5 {
		t.Fatalf("erlgo_processes{node=%q} = %v: the demo node runs more", name, v)
	}
	for _, f := range []string{"go_gc_duration_seconds", "go_goroutines", "go_memstats_heap_alloc_bytes", "erlgo_mailbox_depth", "erlgo_call_duration_seconds"} {
		if fams[f] == nil {
			t.Errorf("no %s in the scrape", f)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*erltest.Wait)
	defer cancel()
	script := fmt.Sprintf(`io:format("ping=~p~n", [net_adm:ping('%s')]), halt().`, name)
	e := exec.CommandContext(ctx, erl, "-noshell", "-start_epmd", "false", "-name", uniq("erlmet")+"@127.0.0.1",
		"-setcookie", cookie, "-eval", script)
	e.Env = env
	if out, err := e.CombinedOutput(); err != nil || !strings.Contains(string(out), "ping=pong") {
		t.Fatalf("erl could not ping %s: %v\n%s", name, err, out)
	}
	deadline := time.Now().Add(erltest.Wait)
	for { // erl halted: its connection went up, then down
		fams = scrapeURL(t, url)
		up := metricValue(fams, "erlgo_dist_connections_up_total", "node", name, "visibility", "visible")
		down := metricValue(fams, "erlgo_dist_connections_down_total", "node", name, "visibility", "visible")
		if up == 1 && down == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections up %v, down %v after erl pinged and halted; want 1 and 1", up, down)
		}
		time.Sleep(20 * time.Millisecond)
	}

	pprofURL := strings.TrimSuffix(url, "/metrics") + "/debug/pprof/goroutine?debug=1"
	resp, err := http.Get(pprofURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "goroutine profile: total ") {
		t.Fatalf("%s: %s %.200q", pprofURL, resp.Status, body)
	}
	stop()
}

// TestNodeMetricsRefusesRemote: -metrics on an address other hosts reach
// is refused without -metrics-remote, and the node does not start.
func TestNodeMetricsRefusesRemote(t *testing.T) {
	exe := buildErlgo(t)
	port := erltest.StartEPMD(t)
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "node", "-name", uniq("gorem")+"@127.0.0.1", "-cookie", uniq("c"),
		"-epmd-port", strconv.Itoa(port), "-start-epmd", "false", "-no-global", "-listen", "127.0.0.1:0",
		"-metrics", "0.0.0.0:0")
	cmd.Env = erltest.EnvWithEPMD(port)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not loopback") {
		t.Fatalf("erlgo node -metrics 0.0.0.0:0: %v\n%s", err, out)
	}
}
