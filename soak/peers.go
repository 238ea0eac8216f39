package soak

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/erlgo/erlgo/internal/beamproc"
)

// The runner starts its own peers with internal/beamproc (the process
// plumbing it shares with bench); internal/erltest is test support, not
// importable by the command. The peer protocol (READY, connect) is here.

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
	return beamproc.Compile(ctx, erlc, dir, "erlgo_soak.erl")
}

// beamPeer is one erl or elixir node running erlgo_soak; it halts when its
// stdin closes.
type beamPeer struct {
	kind string // "erl" or "elixir"
	name string // node name
	echo string // registered name of its echo gen_server
	otp  string
	proc *beamproc.LineProc
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
	cmd.Env = beamproc.EnvWithEPMD(s.epmdPort)
	p := &beamPeer{kind: s.kind, name: s.name, connected: make(chan string, 1)}
	ready := make(chan string, 1)
	stderr := beamproc.NewTailBuffer(8192)
	// The peer's stdout is routed as it is read, never queued: nothing
	// reads the peer between dials, and a queue would fill and stall it.
	route := func(line string) bool {
		if strings.HasPrefix(line, "READY") {
			select {
			case ready <- line:
			default:
			}
			return false
		}
		if v, ok := strings.CutPrefix(line, "CONNECTED "); ok {
			select {
			case p.connected <- v:
			default:
			}
			return false
		}
		// Anything else the node prints (crash reports) is kept for the
		// error message.
		stderr.Write([]byte(line + "\n"))
		return false
	}
	var err error
	if p.proc, err = beamproc.Start(cmd, beamproc.Options{Stderr: stderr, Route: route}); err != nil {
		return nil, fmt.Errorf("%s: %w", s.kind, err)
	}
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
	case <-p.proc.Done():
		return nil, fmt.Errorf("%s %s exited before READY: %s", s.kind, s.name, p.proc.Stderr())
	case <-timer.C:
		p.kill()
		return nil, fmt.Errorf("%s %s: no READY after %v: %s", s.kind, s.name, startTimeout, p.proc.Stderr())
	case <-ctx.Done():
		p.kill()
		return nil, ctx.Err()
	}
}

// dial makes the peer connect to node (net_kernel:connect_node/1).
func (p *beamPeer) dial(ctx context.Context, node string) error {
	if err := p.proc.WriteLine("connect " + node); err != nil {
		return err
	}
	select {
	case v := <-p.connected:
		if v != "true" {
			return fmt.Errorf("%s %s: connect_node(%s): %s", p.kind, p.name, node, v)
		}
		return nil
	case <-p.proc.Done():
		return fmt.Errorf("%w: %s", errPeerExited, p.proc.Stderr())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// exited reports whether the peer's OS process has ended.
func (p *beamPeer) exited() bool { return p.proc.Exited() }

// kill closes stdin (erlgo_soak halts on EOF), waits briefly, then kills.
func (p *beamPeer) kill() {
	if p == nil {
		return
	}
	p.proc.Kill(5 * time.Second)
}

var errPeerExited = errors.New("soak: BEAM peer exited")
