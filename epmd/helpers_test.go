package epmd

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitFor is the generous deadline for anything that must eventually
// happen; tests never sleep a fixed time.
const waitFor = 30 * time.Second

// logWriter sends log lines to t.Log until the test's cleanups are done,
// so a straggling goroutine cannot log into a finished test.
type logWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	w := &logWriter{t: t}
	// Registered first, so it runs after every other cleanup.
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func uniqueName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// startServer runs our server on a loopback port until the test ends.
func startServer(t testing.TB, cfg ServerConfig) (*Server, int) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := NewServer(cfg)
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	t.Cleanup(func() {
		require.NoError(t, s.Close())
		<-served
	})
	return s, l.Addr().(*net.TCPAddr).Port
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

// proc is a started OS process (epmd or erl) in its own process group.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string // stdout lines
	exited chan struct{}
	once   sync.Once
}

// startProc starts name with args and extra environment, and kills its
// whole process group when the test ends.
func startProc(t testing.TB, env []string, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &logWriter{t: t}
	require.NoError(t, cmd.Start())
	p := &proc{cmd: cmd, lines: make(chan string, 100), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			t.Logf("%s: %s", name, sc.Text())
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill kills the process group and waits for the process to be reaped.
func (p *proc) kill() {
	p.once.Do(func() {
		select {
		case <-p.exited: // reaped: its pid may belong to someone else now
		default:
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	<-p.exited
}

// waitLine waits for a stdout line containing want.
func (p *proc) waitLine(t testing.TB, want string) string {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, want) {
				return l
			}
		case <-p.exited:
			// Every line was queued before exited closed.
			for {
				select {
				case l := <-p.lines:
					if strings.Contains(l, want) {
						return l
					}
				default:
					t.Fatalf("process exited before printing %q", want)
				}
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %q", want)
		}
	}
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t testing.TB, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: "+format, args...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
