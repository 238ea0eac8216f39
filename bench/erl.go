package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed erl/erlgo_bench.erl
var erlSource []byte

// startTimeout bounds how long an erl node or epmd may take to come up.
const startTimeout = 30 * time.Second

// Env holds what the sides share: the compiled Erlang module, one private
// EPMD for every named node of the run, and the run's cookie. It is created
// lazily by the first side that needs it; Close tears it all down.
type Env struct {
	// ErlPath, ErlcPath and EPMDPath locate the Erlang tools; empty means
	// look them up in PATH.
	ErlPath, ErlcPath, EPMDPath string
	// ErlArgs are extra emulator flags for every erl node (e.g. "+P 2000000").
	ErlArgs []string
	// PeerCommand starts the receiving Go node of the go-go side; RunPeer's
	// flags are appended. erlgo sets it to {os.Executable(), "bench",
	// "-peer"}. Empty makes go-go unavailable.
	PeerCommand []string
	// PeerArgs are extra RunPeer flags, e.g. {"-cpuprofile", "peer.prof"}.
	PeerArgs []string

	mu       sync.Mutex
	dir      string
	epmd     *exec.Cmd
	epmdPort int
	cookie   string
}

func (e *Env) tool(path, name string) (string, error) {
	if path == "" {
		path = name
	}
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s not found (install erlang-nox)", ErrUnavailable, path)
	}
	return p, nil
}

// ModuleDir compiles erlgo_bench.erl into a temporary directory (once) and
// returns the directory for erl's -pa.
func (e *Env) ModuleDir(ctx context.Context) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dir != "" {
		return e.dir, nil
	}
	erlc, err := e.tool(e.ErlcPath, "erlc")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "erlgo-bench-")
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "erlgo_bench.erl")
	if err := os.WriteFile(src, erlSource, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	out, err := exec.CommandContext(ctx, erlc, "-o", dir, src).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("erlc erlgo_bench.erl: %w: %s", err, out)
	}
	e.dir = dir
	return dir, nil
}

// Cookie returns the run's distribution cookie, random per run.
func (e *Env) Cookie() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cookie == "" {
		e.cookie = "bench_" + randHex(8)
	}
	return e.cookie
}

// EPMDPort starts a private `epmd -port P` (once) and returns P, so the
// benchmark never touches a user's EPMD on 4369.
func (e *Env) EPMDPort(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.epmd != nil {
		return e.epmdPort, nil
	}
	bin, err := e.tool(e.EPMDPath, "epmd")
	if err != nil {
		return 0, err
	}
	var lastErr error
	for range 5 { // the free port may be taken between probe and bind
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		cmd := exec.Command(bin, "-port", strconv.Itoa(port))
		dieWithParent(cmd)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return 0, fmt.Errorf("start epmd: %w", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if err := waitListening(ctx, port, exited); err != nil {
			_ = cmd.Process.Kill()
			<-exited
			lastErr = fmt.Errorf("epmd -port %d: %w: %s", port, err, stderr.String())
			continue
		}
		e.epmd, e.epmdPort = cmd, port
		return port, nil
	}
	return 0, lastErr
}

// Close stops epmd and removes the compiled module.
func (e *Env) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.epmd != nil {
		_ = e.epmd.Process.Kill()
		e.epmd = nil
	}
	if e.dir != "" {
		os.RemoveAll(e.dir)
		e.dir = ""
	}
	return nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// UniqueName returns a fresh long node name prefix_<random>@127.0.0.1.
func UniqueName(prefix string) string { return prefix + "_" + randHex(4) + "@127.0.0.1" }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitListening polls until something accepts on 127.0.0.1:port.
func waitListening(ctx context.Context, port int, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("exited before listening")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// erlNode is one erl process driven over stdin/stdout by line commands
// (see erlgo_bench.erl).
type erlNode struct {
	name   string // node name, or "" for a local (nonode) node
	otp    string // OTP release from the READY line
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *tailBuffer
	done   chan struct{}
}

// erlNodeOptions configure startErl.
type erlNodeOptions struct {
	name     string // long node name, "" for none
	cookie   string
	epmdPort int
	eval     string // e.g. "erlgo_bench:serve()"
}

// startErl starts erl with the compiled module and waits for its READY line.
func (e *Env) startErl(ctx context.Context, o erlNodeOptions) (*erlNode, error) {
	dir, err := e.ModuleDir(ctx)
	if err != nil {
		return nil, err
	}
	erl, err := e.tool(e.ErlPath, "erl")
	if err != nil {
		return nil, err
	}
	args := []string{"-noshell", "-pa", dir}
	if o.name != "" {
		// -start_epmd false: never spawn a daemon epmd; ours runs on
		// ERL_EPMD_PORT.
		args = append(args, "-name", o.name, "-setcookie", o.cookie, "-start_epmd", "false")
	}
	args = append(args, e.ErlArgs...)
	args = append(args, "-eval", o.eval)
	cmd := exec.Command(erl, args...)
	cmd.Env = os.Environ()
	if o.epmdPort != 0 {
		cmd.Env = append(cmd.Env, "ERL_EPMD_PORT="+strconv.Itoa(o.epmdPort))
	}
	return startLineProc(ctx, o.name, cmd)
}

// startLineProc starts cmd (erl running erlgo_bench, or an `erlgo bench
// -peer`) and waits for its READY line; name is the node name it hosts.
func startLineProc(ctx context.Context, name string, cmd *exec.Cmd) (*erlNode, error) {
	dieWithParent(cmd)
	n := &erlNode{name: name, cmd: cmd, lines: make(chan string, 16), stderr: &tailBuffer{max: 4096}, done: make(chan struct{})}
	cmd.Stderr = n.stderr
	var err error
	if n.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			n.lines <- sc.Text()
		}
		_ = cmd.Wait()
		close(n.done)
		close(n.lines)
	}()
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	line, err := n.readLine(sctx)
	if err == nil && !strings.HasPrefix(line, "READY") {
		err = fmt.Errorf("unexpected first line %q", line)
	}
	if err != nil {
		n.kill()
		return nil, fmt.Errorf("%s %s: %w", filepath.Base(cmd.Path), name, err)
	}
	if f := parseFields(line); f["otp"] != "" {
		n.otp = f["otp"]
	}
	return n, nil
}

// readLine returns the next stdout line that is not erl chatter.
func (n *erlNode) readLine(ctx context.Context) (string, error) {
	for {
		select {
		case line, ok := <-n.lines:
			if !ok {
				return "", fmt.Errorf("exited: %s", strings.TrimSpace(n.stderr.String()))
			}
			if strings.HasPrefix(line, "READY") || strings.HasPrefix(line, "RESULT") ||
				strings.HasPrefix(line, "ERROR") || strings.HasPrefix(line, "PONG") {
				return line, nil
			}
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// command sends one command line and returns the answer line. A
// cancellation or timeout leaves the node in an unknown state, so the
// caller must kill it.
func (n *erlNode) command(ctx context.Context, line string) (string, error) {
	if _, err := io.WriteString(n.stdin, line+"\n"); err != nil {
		return "", fmt.Errorf("erl %s: write command: %w", n.name, err)
	}
	ans, err := n.readLine(ctx)
	if err != nil {
		return "", fmt.Errorf("erl %s: %q: %w", n.name, line, err)
	}
	if strings.HasPrefix(ans, "ERROR") {
		return "", fmt.Errorf("erl %s: %q: %s", n.name, line, ans)
	}
	return ans, nil
}

// kill closes stdin (erlgo_bench halts on EOF), waits briefly, then kills.
func (n *erlNode) kill() {
	if n == nil {
		return
	}
	_ = n.stdin.Close()
	go func() { // drain so the reader goroutine can finish
		for range n.lines {
		}
	}()
	select {
	case <-n.done:
		return
	case <-time.After(3 * time.Second):
	}
	_ = n.cmd.Process.Kill()
	<-n.done
}

// tailBuffer keeps the last max bytes written (erl's stderr, for errors).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
