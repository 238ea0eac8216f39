package soak

import (
	"bufio"
	"context"
	_ "embed"
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

// The runner starts its own peers instead of using internal/erltest (test
// support, not importable by the command) or bench's unexported starter;
// what is duplicated is small: epmd on a private port, erlc, erl with a
// READY line. bench/erl.go has the same shape for its line-driven nodes.

//go:embed erl/erlgo_soak.erl
var erlSource []byte

//go:embed erl/soak.exs
var exsSource []byte

// startTimeout bounds how long epmd, erl or elixir may take to come up on a
// loaded machine.
const startTimeout = 60 * time.Second

// tools are the programs the soak needs.
type tools struct{ erl, erlc, epmd, elixir string }

func findTools(withElixir bool) (tools, error) {
	var t tools
	var missing []string
	look := func(name string) string {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
		}
		return p
	}
	t.erl, t.erlc, t.epmd = look("erl"), look("erlc"), look("epmd")
	if withElixir {
		t.elixir = look("elixir")
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("%w: %s not found (install erlang-nox and elixir, or run make deps)", ErrUnavailable, strings.Join(missing, ", "))
	}
	return t, nil
}

// compile writes the helper sources into dir and compiles the Erlang module
// there; dir then goes to -pa for both erl and elixir.
func compile(ctx context.Context, erlc, dir string) error {
	src := filepath.Join(dir, "erlgo_soak.erl")
	if err := os.WriteFile(src, erlSource, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "soak.exs"), exsSource, 0o600); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, erlc, "-o", dir, src).CombinedOutput()
	if err != nil {
		return fmt.Errorf("erlc erlgo_soak.erl: %w: %s", err, out)
	}
	return nil
}

// epmdProc is the private `epmd -port P` of one run.
type epmdProc struct {
	cmd  *exec.Cmd
	port int
	done chan struct{}
}

// startEPMD starts epmd on a free loopback port. A port probed free can be
// taken before epmd binds it, so epmd runs with -d -d and we read its own
// report: "entering the main select() loop" means this epmd listens; an
// exit (e.g. "already running") means try another port.
func startEPMD(ctx context.Context, bin string) (*epmdProc, error) {
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, "-d", "-d", "-port", strconv.Itoa(port))
		dieWithParent(cmd)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start epmd: %w", err)
		}
		e := &epmdProc{cmd: cmd, port: port, done: make(chan struct{})}
		ready := make(chan struct{})
		tail := &tailBuffer{max: 2048}
		go func() {
			sc := bufio.NewScanner(stderr)
			once := sync.Once{}
			for sc.Scan() {
				tail.Write([]byte(sc.Text() + "\n"))
				if strings.Contains(sc.Text(), "entering the main select() loop") {
					once.Do(func() { close(ready) })
				}
			}
			_ = cmd.Wait()
			close(e.done)
		}()
		select {
		case <-ready:
			return e, nil
		case <-e.done:
			lastErr = fmt.Errorf("epmd -port %d exited: %s", port, tail.String())
		case <-time.After(startTimeout):
			e.stop()
			lastErr = fmt.Errorf("epmd -port %d: not ready after %v", port, startTimeout)
		case <-ctx.Done():
			e.stop()
			return nil, ctx.Err()
		}
	}
	return nil, lastErr
}

func (e *epmdProc) stop() {
	if e == nil {
		return
	}
	_ = e.cmd.Process.Kill()
	<-e.done
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// beamPeer is one erl or elixir node running erlgo_soak; it halts when its
// stdin closes.
type beamPeer struct {
	kind   string // "erl" or "elixir"
	name   string // node name
	echo   string // registered name of its echo gen_server
	otp    string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tailBuffer
	done   chan struct{}
	// connected receives the answers to dial.
	connected chan string
}

// peerSpec says how to start one BEAM peer.
type peerSpec struct {
	kind, name, cookie, dir string
	epmdPort                int
	tick                    time.Duration
}

// startPeer starts erl or elixir with the compiled module and waits for the
// READY line erlgo_soak:main prints once its servers run.
func startPeer(ctx context.Context, t tools, s peerSpec) (*beamPeer, error) {
	tick := strconv.Itoa(int((s.tick + time.Second - 1) / time.Second))
	// -start_epmd false: never spawn a daemon epmd; ours runs on
	// ERL_EPMD_PORT.
	erlFlags := []string{"-start_epmd", "false", "-kernel", "net_ticktime", tick}
	var cmd *exec.Cmd
	switch s.kind {
	case "erl":
		args := append([]string{"-noshell", "-name", s.name, "-setcookie", s.cookie, "-pa", s.dir}, erlFlags...)
		args = append(args, "-eval", "erlgo_soak:main()")
		cmd = exec.Command(t.erl, args...)
	case "elixir":
		cmd = exec.Command(t.elixir, "--name", s.name, "--cookie", s.cookie,
			"--erl", strings.Join(erlFlags, " "), "-pa", s.dir, filepath.Join(s.dir, "soak.exs"))
	default:
		return nil, fmt.Errorf("soak: unknown peer kind %q", s.kind)
	}
	cmd.Env = append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(s.epmdPort))
	dieWithParent(cmd)
	p := &beamPeer{kind: s.kind, name: s.name, cmd: cmd, stderr: &tailBuffer{max: 8192}, done: make(chan struct{}),
		connected: make(chan string, 1)}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.kind, err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "READY") {
				select {
				case ready <- line:
				default:
				}
				continue
			}
			if v, ok := strings.CutPrefix(line, "CONNECTED "); ok {
				select {
				case p.connected <- v:
				default:
				}
				continue
			}
			// Anything else the node prints (crash reports) is kept for
			// the error message.
			p.stderr.Write([]byte(line + "\n"))
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line := <-ready:
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "otp="); ok {
				p.otp = v
			}
			if v, ok := strings.CutPrefix(f, "echo="); ok {
				p.echo = v
			}
		}
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s %s exited before READY: %s", s.kind, s.name, strings.TrimSpace(p.stderr.String()))
	case <-timer.C:
		p.kill()
		return nil, fmt.Errorf("%s %s: no READY after %v: %s", s.kind, s.name, startTimeout, strings.TrimSpace(p.stderr.String()))
	case <-ctx.Done():
		p.kill()
		return nil, ctx.Err()
	}
}

// dial makes the peer connect to node (net_kernel:connect_node/1).
func (p *beamPeer) dial(ctx context.Context, node string) error {
	if _, err := io.WriteString(p.stdin, "connect "+node+"\n"); err != nil {
		return err
	}
	select {
	case v := <-p.connected:
		if v != "true" {
			return fmt.Errorf("%s %s: connect_node(%s): %s", p.kind, p.name, node, v)
		}
		return nil
	case <-p.done:
		return fmt.Errorf("%w: %s", errPeerExited, strings.TrimSpace(p.stderr.String()))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// exited reports whether the peer's OS process has ended.
func (p *beamPeer) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill closes stdin (erlgo_soak halts on EOF), waits briefly, then kills.
func (p *beamPeer) kill() {
	if p == nil {
		return
	}
	_ = p.stdin.Close()
	select {
	case <-p.done:
		return
	case <-time.After(5 * time.Second):
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// tailBuffer keeps the last max bytes written.
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

var errPeerExited = errors.New("soak: BEAM peer exited")
