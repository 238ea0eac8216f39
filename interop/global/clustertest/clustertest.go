// Package clustertest starts real erl/elixir nodes for the tests of
// interop/global and interop/pg: a private epmd per test, nodes driven line
// by line through testdata/gtest.erl (each line an Erlang expression, each
// answer one "RESULT Id Term" line), killed when the test ends.
package clustertest

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// Need fails (under CI) or skips the test when tools are missing.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	erltest.RequireTools(t, tools...)
}

// Uniq returns prefix followed by random hex.
func Uniq(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// StartEPMD runs epmd on a free port until the test ends.
func StartEPMD(t testing.TB) int {
	t.Helper()
	return erltest.StartEPMD(t)
}

// testdataDir is this package's testdata directory.
func testdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

// Compile compiles the helper module gtest.erl and every extra .erl/.ex
// file into a temp dir of the test and returns the dir.
func Compile(t testing.TB, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	erls := []string{filepath.Join(testdataDir(), "gtest.erl")}
	var exs []string
	for _, f := range extra {
		if strings.HasSuffix(f, ".ex") {
			exs = append(exs, f)
		} else {
			erls = append(erls, f)
		}
	}
	if out, err := exec.Command("erlc", append([]string{"-o", dir}, erls...)...).CombinedOutput(); err != nil {
		t.Fatalf("erlc: %v: %s", err, out)
	}
	if len(exs) > 0 {
		Need(t, "elixirc")
		if out, err := exec.Command("elixirc", append([]string{"-o", dir}, exs...)...).CombinedOutput(); err != nil {
			t.Fatalf("elixirc: %v: %s", err, out)
		}
	}
	return dir
}

// Options configures StartNode.
type Options struct {
	Prefix string   // node name prefix (default "erl")
	Elixir bool     // run under elixir instead of erl
	Kernel []string // extra kernel parameters, as name value pairs
}

// Node is a running BEAM node.
type Node struct {
	t    testing.TB
	Name etf.Atom
	cmd  *exec.Cmd
	in   io.WriteCloser

	mu      sync.Mutex
	waiting map[string]chan string
	nextID  int
	done    chan struct{}
	out     strings.Builder
}

// StartNode starts a BEAM node with long name prefix<random>@127.0.0.1,
// the given cookie and epmd port, code path dir (see Compile) and
// start_pg true, and waits until it runs gtest's evaluator.
func StartNode(t testing.TB, epmdPort int, cookie, dir string, o Options) *Node {
	t.Helper()
	n, err := startNode(t, epmdPort, cookie, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// StartNodes starts several nodes concurrently (BEAM boot takes seconds).
func StartNodes(t testing.TB, epmdPort int, cookie, dir string, opts ...Options) []*Node {
	t.Helper()
	nodes := make([]*Node, len(opts))
	errs := make([]error, len(opts))
	var wg sync.WaitGroup
	for i, o := range opts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = startNode(t, epmdPort, cookie, dir, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return nodes
}

func startNode(t testing.TB, epmdPort int, cookie, dir string, o Options) (*Node, error) {
	if o.Prefix == "" {
		o.Prefix = "erl"
	}
	name := Uniq(o.Prefix) + "@127.0.0.1"
	kernel := append([]string{"start_pg", "true"}, o.Kernel...)
	var cmd *exec.Cmd
	if o.Elixir {
		var erlArgs []string
		for i := 0; i+1 < len(kernel); i += 2 {
			erlArgs = append(erlArgs, "-kernel", kernel[i], kernel[i+1])
		}
		cmd = exec.Command("elixir", "--name", name, "--cookie", cookie, "--erl", strings.Join(erlArgs, " "),
			"-pa", dir, "-e", ":gtest.main()")
	} else {
		args := []string{"-noshell", "-name", name, "-setcookie", cookie, "-pa", dir}
		for i := 0; i+1 < len(kernel); i += 2 {
			args = append(args, "-kernel", kernel[i], kernel[i+1])
		}
		cmd = exec.Command("erl", append(args, "-eval", "gtest:main()")...)
	}
	cmd.Env = append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(epmdPort))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &Node{t: t, Name: etf.Atom(name), cmd: cmd, in: in, waiting: map[string]chan string{}, done: make(chan struct{})}
	ready := make(chan struct{})
	go n.read(stdout, ready)
	t.Cleanup(n.Kill)
	select {
	case <-ready:
		return n, nil
	case <-n.done:
		return nil, fmt.Errorf("%s exited before it was ready:\n%s", name, n.Output())
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("%s not ready:\n%s", name, n.Output())
	}
}

func (n *Node) read(r io.Reader, ready chan struct{}) {
	defer close(n.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	once := sync.Once{}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "READY ") {
			once.Do(func() { close(ready) })
			continue
		}
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			id, val, _ := strings.Cut(rest, " ")
			n.mu.Lock()
			ch := n.waiting[id]
			delete(n.waiting, id)
			n.mu.Unlock()
			if ch != nil {
				ch <- val
				continue
			}
		}
		n.mu.Lock()
		n.out.WriteString(line + "\n")
		n.mu.Unlock()
	}
}

// Output returns what the node printed besides results.
func (n *Node) Output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.String()
}

// EvalTimeout evaluates expr (Erlang expressions; the final "." is added)
// and returns the printed {ok, Value} / {error, Why} line, or an error when
// no answer arrives in time.
func (n *Node) EvalTimeout(expr string, d time.Duration) (string, error) {
	n.mu.Lock()
	n.nextID++
	id := strconv.Itoa(n.nextID)
	ch := make(chan string, 1)
	n.waiting[id] = ch
	n.mu.Unlock()
	line := id + " " + strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(expr), "."), "\n", " ") + ".\n"
	if _, err := io.WriteString(n.in, line); err != nil {
		return "", err
	}
	select {
	case v := <-ch:
		return v, nil
	case <-n.done:
		return "", fmt.Errorf("%s exited", n.Name)
	case <-time.After(d):
		return "", fmt.Errorf("%s: no answer to %q within %v", n.Name, expr, d)
	}
}

// Eval evaluates expr and returns the ~w text of its value; the test fails
// on an exception or after 30 s.
func (n *Node) Eval(expr string) string {
	n.t.Helper()
	v, err := n.EvalTimeout(expr, 30*time.Second)
	if err != nil {
		n.t.Fatalf("%v\noutput:\n%s", err, n.Output())
	}
	val, ok := strings.CutPrefix(v, "{ok,")
	if !ok {
		n.t.Fatalf("%s: %s raised %s\noutput:\n%s", n.Name, expr, v, n.Output())
	}
	return strings.TrimSuffix(val, "}")
}

// Kill kills the node at once (no clean shutdown) and waits for it.
func (n *Node) Kill() {
	if n.cmd.Process != nil {
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	}
	_ = n.in.Close()
	<-n.done
	_ = n.cmd.Wait()
}

// Eventually polls cond every 50 ms until it holds or d passes.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Atom formats a node name (or any atom) as Erlang source: 'x@127.0.0.1'.
func Atom(a etf.Atom) string { return "'" + strings.ReplaceAll(string(a), "'", "\\'") + "'" }
