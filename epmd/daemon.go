package epmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// ErrEPMDRunning means StartDaemon found an EPMD already answering on the
// port (another process started one first), so it started none.
var ErrEPMDRunning = errors.New("epmd: an EPMD already answers on the port")

// ErrNoDaemon means StartDaemon had no command: none given and no epmd on
// PATH.
var ErrNoDaemon = errors.New("epmd: no daemon command given and no epmd on PATH")

// DaemonReadyTimeout bounds StartDaemon's wait for the daemon to answer
// when ctx has no deadline.
const DaemonReadyTimeout = 30 * time.Second

// ErrDaemonExited means the daemon StartDaemon ran exited before an EPMD
// answered on its port (typically: the port was taken, or the command is
// not an EPMD).
var ErrDaemonExited = errors.New("epmd: daemon exited before it listened")

// DaemonConfig says how StartDaemon runs an EPMD that outlives this
// process.
type DaemonConfig struct {
	// Command is the program and its leading arguments; StartDaemon
	// appends "-port N" (and "-address A" when Address is set), which both
	// OTP's epmd and `erlgo epmd` understand. Empty means
	// DefaultDaemonCommand().
	Command []string
	// Port is the EPMD port; zero means PortFromEnv().
	Port int
	// Address is passed as -address (comma-separated IPs to listen on,
	// loopback always added); empty means all interfaces, as epmd does.
	Address string
	// Host is where readiness is checked; empty means DefaultHost.
	Host string
	// Logger: nil means slog.Default().
	Logger *slog.Logger
}

// DefaultDaemonCommand returns the EPMD daemon command Publish uses by
// default: OTP's epmd found on PATH, which is what erl itself starts. It
// returns nil when there is none (a machine without Erlang).
func DefaultDaemonCommand() []string {
	if p, err := exec.LookPath("epmd"); err == nil {
		return []string{p}
	}
	return nil
}

// StartDaemon starts an EPMD daemon that outlives this process and returns
// its pid once an EPMD answers a NAMES request on Host:Port. Starts for one
// port are serialized across this machine's processes (a lock file in the
// temp directory); if an EPMD answers once StartDaemon holds the lock, it
// starts nothing and returns ErrEPMDRunning.
//
// The daemon is detached the way `epmd -daemon` detaches itself: a new
// session (no controlling terminal, no signals from this process group),
// standard input, output and error on /dev/null, working directory "/". It is
// started without "-daemon" so that its pid is known and its exit is
// seen: if it exits before listening (the port was taken, a bad command),
// StartDaemon returns ErrDaemonExited. Nothing kills it when ctx ends or
// this process exits; stop it with Client.Kill (`epmd -kill`) or by pid.
// While this process runs, a goroutine reaps it if it exits.
//
// ctx (DaemonReadyTimeout when it has no deadline) bounds the wait for
// readiness; on its expiry the daemon is killed and ctx's error returned.
func StartDaemon(ctx context.Context, cfg DaemonConfig) (int, error) {
	argv, err := cfg.withDefaults()
	if err != nil {
		return 0, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DaemonReadyTimeout)
		defer cancel()
	}
	unlock, err := lockPort(ctx, cfg.Port)
	if err != nil {
		return 0, err
	}
	defer unlock()
	c := &Client{Host: cfg.Host, Port: cfg.Port, Logger: cfg.Logger}
	if answers(ctx, c) { // started by whoever held the lock before us
		return 0, fmt.Errorf("%w: %s:%d", ErrEPMDRunning, cfg.Host, cfg.Port)
	}
	cmd, exited, err := spawnDaemon(argv, cfg)
	if err != nil {
		return 0, err
	}
	if err := awaitDaemon(ctx, c, cmd, exited, argv[0], cfg); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	cfg.Logger.Debug("epmd: started a detached EPMD daemon", "cmd", argv[0], "pid", pid, "port", cfg.Port)
	return pid, nil
}

// withDefaults fills in cfg's zero fields and returns the command to run.
func (cfg *DaemonConfig) withDefaults() ([]string, error) {
	if cfg.Port == 0 {
		cfg.Port = PortFromEnv()
	}
	if cfg.Host == "" {
		cfg.Host = DefaultHost
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	argv := cfg.Command
	if len(argv) == 0 {
		argv = DefaultDaemonCommand()
		if len(argv) == 0 {
			return nil, ErrNoDaemon
		}
	}
	return argv, nil
}

// spawnDaemon starts argv detached on cfg's port and address; exited
// receives the daemon's exit (never nil) when it ends.
func spawnDaemon(argv []string, cfg DaemonConfig) (*exec.Cmd, <-chan error, error) {
	args := append(append([]string(nil), argv[1:]...), "-port", strconv.Itoa(cfg.Port))
	if cfg.Address != "" {
		args = append(args, "-address", cfg.Address)
	}
	cmd := exec.Command(argv[0], args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), EnvPort+"="+strconv.Itoa(cfg.Port))
	// Stdin, Stdout and Stderr stay nil: os/exec connects them to /dev/null.
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("epmd: start daemon %s: %w", argv[0], err)
	}
	exited := make(chan error, 1)
	go func() {
		werr := cmd.Wait()
		if werr == nil {
			// epmd exits 0 when its port is taken; the errors below wrap
			// werr with %w, which would print %!w(<nil>) for nil.
			werr = errors.New("exit status 0")
		}
		exited <- werr
	}()
	return cmd, exited, nil
}

// awaitDaemon polls until an EPMD answers on c's address and checks that it
// is ours; on ctx's expiry it kills the daemon.
func awaitDaemon(ctx context.Context, c *Client, cmd *exec.Cmd, exited <-chan error, name string, cfg DaemonConfig) error {
	delay := 5 * time.Millisecond
	for {
		// A real EPMD request, not just a connect: the port must be
		// served by an EPMD before nodes are told to register there.
		if answers(ctx, c) {
			select {
			case werr := <-exited:
				// Another EPMD answered and ours gave up on the port.
				return fmt.Errorf("%w (%w); another EPMD serves %s:%d", ErrDaemonExited, werr, cfg.Host, cfg.Port)
			default:
			}
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case werr := <-exited:
			t.Stop()
			return fmt.Errorf("%w: %s -port %d: %w", ErrDaemonExited, name, cfg.Port, werr)
		case <-ctx.Done():
			t.Stop()
			_ = cmd.Process.Kill()
			<-exited //nolint:errcheck // reaped; ctx's error is the one to report
			return fmt.Errorf("epmd: daemon did not listen on %s:%d: %w", cfg.Host, cfg.Port, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// answers reports whether an EPMD answers NAMES on c's address now.
func answers(ctx context.Context, c *Client) bool {
	probe, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, _, err := c.Names(probe)
	return err == nil
}
