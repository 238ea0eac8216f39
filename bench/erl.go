package bench

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/erlgo/erlgo/internal/beamproc"
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
	// ElixirPath locates elixir, whose ebin directory every erl node gets
	// on its code path (shape-exgencall20k calls Elixir's GenServer.call
	// from the erl driver); empty means look it up in PATH. Without
	// elixir that one shape fails with undef and the others run.
	ElixirPath string

	mu     sync.Mutex
	dir    string
	epmd   *beamproc.EPMD
	cookie string

	elixirOnce sync.Once
	elixirEbin string
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
	err = os.WriteFile(filepath.Join(dir, "erlgo_bench.erl"), erlSource, 0o600)
	if err == nil {
		err = beamproc.Compile(ctx, erlc, dir, "erlgo_bench.erl")
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
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
		return e.epmd.Port, nil
	}
	bin, err := e.tool(e.EPMDPath, "epmd")
	if err != nil {
		return 0, err
	}
	if e.epmd, err = beamproc.StartEPMD(ctx, bin, startTimeout); err != nil {
		return 0, err
	}
	return e.epmd.Port, nil
}

// Close stops epmd and removes the compiled module.
func (e *Env) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.epmd.Stop()
	e.epmd = nil
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

// elixir asks elixir (once) for the directory of its own modules; "" when
// there is no elixir.
func (e *Env) elixir(ctx context.Context) string {
	e.elixirOnce.Do(func() {
		path, err := e.tool(e.ElixirPath, "elixir")
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, startTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, path, "-e", `IO.write(:code.lib_dir(:elixir, :ebin))`).Output()
		if err == nil {
			e.elixirEbin = strings.TrimSpace(string(out))
		}
	})
	return e.elixirEbin
}

// UniqueName returns a fresh long node name prefix_<random>@127.0.0.1.
func UniqueName(prefix string) string { return prefix + "_" + randHex(4) + "@127.0.0.1" }

// erlNode is one erl process driven over stdin/stdout by line commands
// (see erlgo_bench.erl).
type erlNode struct {
	name string // node name, or "" for a local (nonode) node
	otp  string // OTP release from the READY line
	pid  int    // OS process id, for its context switch counters
	tcp  string // the go-go peer's TCP reference server, from READY tcp=
	proc *beamproc.LineProc
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
	if ebin := e.elixir(ctx); ebin != "" {
		args = append(args, "-pa", ebin)
	}
	if o.name != "" {
		// -start_epmd false: never spawn a daemon epmd; ours runs on
		// ERL_EPMD_PORT.
		args = append(args, "-name", o.name, "-setcookie", o.cookie, "-start_epmd", "false")
	}
	args = append(args, e.ErlArgs...)
	args = append(args, "-eval", o.eval)
	cmd := exec.Command(erl, args...)
	if o.epmdPort != 0 {
		cmd.Env = beamproc.EnvWithEPMD(o.epmdPort)
	}
	return startLineProc(ctx, o.name, cmd)
}

// startLineProc starts cmd (erl running erlgo_bench, or an `erlgo bench
// -peer`) and waits for its READY line; name is the node name it hosts.
func startLineProc(ctx context.Context, name string, cmd *exec.Cmd) (*erlNode, error) {
	proc, err := beamproc.Start(cmd, beamproc.Options{})
	if err != nil {
		return nil, err
	}
	n := &erlNode{name: name, proc: proc, pid: cmd.Process.Pid}
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
	f := parseFields(line)
	n.otp, n.tcp = f["otp"], f["tcp"]
	return n, nil
}

// readLine returns the next stdout line that is not erl chatter.
func (n *erlNode) readLine(ctx context.Context) (string, error) {
	for {
		line, err := n.proc.ReadLine(ctx)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, "READY") || strings.HasPrefix(line, "RESULT") ||
			strings.HasPrefix(line, "ERROR") || strings.HasPrefix(line, "PONG") {
			return line, nil
		}
	}
}

// command sends one command line and returns the answer line. A
// cancellation or timeout leaves the node in an unknown state, so the
// caller must kill it.
func (n *erlNode) command(ctx context.Context, line string) (string, error) {
	if err := n.proc.WriteLine(line); err != nil {
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
	n.proc.Kill(3 * time.Second)
}
