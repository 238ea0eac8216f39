package main

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// proc is a running erlgo node or erl: its stdout lines arrive on lines,
// its stderr is kept whole.
type proc struct {
	cmd     *exec.Cmd
	lines   chan string
	stdout  erltest.SyncBuffer
	stderr  erltest.SyncBuffer
	drained chan struct{}
}

// startProc starts argv with env and reads its output; the process is
// killed at cleanup if the test has not stopped it.
func startProc(t *testing.T, env []string, argv ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), lines: make(chan string, 1024), drained: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Dir = t.TempDir() // a crashing erl writes erl_crash.dump here
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	})
	go p.read(out)
	return p
}

func (p *proc) read(out io.Reader) {
	defer close(p.drained)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		_, _ = p.stdout.Write([]byte(sc.Text() + "\n"))
		select {
		case p.lines <- sc.Text():
		default: // nobody waits for lines any more
		}
	}
}

// waitLine waits for a stdout line containing want and returns it.
func (p *proc) waitLine(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(erltest.Wait)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, want) {
				return l
			}
		case <-p.drained:
			// Lines read before the exit are still queued: select picks
			// among ready cases at random, so look at them first.
			for len(p.lines) > 0 {
				if l := <-p.lines; strings.Contains(l, want) {
					return l
				}
			}
			t.Fatalf("%s exited before printing %q\nstdout:\n%s\nstderr:\n%s", p.cmd.Path, want, p.stdout.String(), p.stderr.String())
		case <-deadline:
			t.Fatalf("%s did not print %q within %v\nstdout:\n%s\nstderr:\n%s", p.cmd.Path, want, erltest.Wait, p.stdout.String(), p.stderr.String())
		}
	}
}

// stop sends SIGINT and waits for the exit, which must be clean.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-p.drained
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("%s exit: %v\nstderr:\n%s", p.cmd.Path, err, p.stderr.String())
	}
}

// startGoNode runs `erlgo node` with args and waits for its ready line,
// which it returns.
func startGoNode(t *testing.T, env []string, args ...string) (*proc, string) {
	t.Helper()
	p := startProc(t, env, append([]string{buildErlgo(t), "node"}, args...)...)
	ready := p.waitLine(t, "ready")
	return p, ready
}

// runErl runs erl -noshell with extra arguments and the -eval script
// (which must halt) and returns its output.
func runErl(t *testing.T, env []string, script string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*erltest.Wait)
	defer cancel()
	args := append([]string{"-noshell", "-start_epmd", "false"}, extra...)
	cmd := exec.CommandContext(ctx, erltest.Tool(t, "erl"), append(args, "-eval", script)...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	return string(out)
}

// privateEPMD starts an epmd for the test and returns the environment
// that points erl at it, and its port.
func privateEPMD(t *testing.T) ([]string, int) {
	t.Helper()
	port := erltest.StartEPMD(t)
	return erltest.EnvWithEPMD(port), port
}

// waitStderr polls until the process's stderr contains want.
func (p *proc) waitStderr(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(erltest.Wait)
	for !strings.Contains(p.stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr lacks %q after %v:\n%s", want, erltest.Wait, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // polling for a log line, not a fixed wait
	}
}
