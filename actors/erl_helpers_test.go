package actors_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
	"github.com/erlgo/erlgo/node"
)

const erlWait = erltest.Wait

var erlSeq atomic.Int64

// peer is a real erl node started for a test.
type peer struct {
	name  string
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	out   []string
}

// cluster holds a private EPMD, a cookie, compiled helpers and a Go node
// registered in that EPMD.
type cluster struct {
	epmd   int
	cookie string
	beam   string
	n      *node.Node
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	erltest.Tool(t, "erl")
	c := &cluster{epmd: erltest.StartEPMD(t), beam: erltest.Compile(t, "testdata"),
		cookie: fmt.Sprintf("actors_%d_%d", os.Getpid(), erlSeq.Add(1))}
	ctx, cancel := context.WithTimeout(context.Background(), erlWait)
	defer cancel()
	name := fmt.Sprintf("go_actors_%d_%d@127.0.0.1", os.Getpid(), erlSeq.Add(1))
	n, err := node.Start(ctx, name, node.WithCookie(c.cookie), node.WithLogger(quiet()),
		node.WithEPMD("127.0.0.1", c.epmd))
	if err != nil {
		t.Fatalf("start go node: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), erlWait)
		defer cancel()
		_ = n.Stop(ctx)
	})
	c.n = n
	c.requireDistribution(t, name)
	return c
}

// requireDistribution checks that the Go node registered with the
// cluster's EPMD. node.Start returns after registering, so a miss is a
// real failure; it waits up to erltest.Wait on a loaded machine and never
// skips (it used to skip after 2 s when EPMD was slow).
func (c *cluster) requireDistribution(t testing.TB, name string) {
	t.Helper()
	erltest.WaitEPMDName(t, c.epmd, name[:strings.IndexByte(name, '@')])
}

// startErl starts erl evaluating expr; its stdout lines arrive on p.lines.
func (c *cluster) startErl(t testing.TB, expr string) *peer {
	t.Helper()
	name := fmt.Sprintf("erl_actors_%d_%d@127.0.0.1", os.Getpid(), erlSeq.Add(1))
	p := c.startCmd(t, "erl", "-noshell", "-name", name, "-setcookie", c.cookie, "-pa", c.beam, "-eval", expr)
	p.name = name
	return p
}

// startCmd starts a BEAM program using the cluster's EPMD.
func (c *cluster) startCmd(t testing.TB, prog string, args ...string) *peer {
	t.Helper()
	p := &peer{lines: make(chan string, 256)}
	p.cmd = exec.Command(prog, args...)
	p.cmd.Env = erltest.EnvWithEPMD(c.epmd)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out = append(p.out, sc.Text())
			p.mu.Unlock()
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(p.kill)
	return p
}

func (p *peer) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

func (p *peer) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.out, "\n")
}

// until collects lines until one equals stop.
func (p *peer) until(t testing.TB, stop string) []string {
	t.Helper()
	var got []string
	timeout := time.After(erlWait * 2)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("erl exited before %q:\n%s", stop, p.output())
			}
			if l == stop {
				return got
			}
			got = append(got, l)
		case <-timeout:
			t.Fatalf("erl did not print %q:\n%s", stop, p.output())
		}
	}
}
