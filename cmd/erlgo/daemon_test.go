package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/internal/erltest"
)

var testSeq atomic.Int64

func uniq(prefix string) string {
	return fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), testSeq.Add(1))
}

// built is the erlgo binary the tests share, built once per test run: the
// daemon and cookie tests need a real binary, since `erlgo epmd -daemon`
// runs itself again.
var built struct {
	once sync.Once
	dir  string
	exe  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildErlgo returns the path of this command built with go build.
func buildErlgo(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go") //nolint:staticcheck // the toolchain running this test
		if _, err := os.Stat(gobin); err != nil {
			gobin = "go"
		}
		if built.dir, built.err = os.MkdirTemp("", "erlgo-test-"); built.err != nil {
			return
		}
		built.exe = filepath.Join(built.dir, "erlgo")
		if out, err := exec.Command(gobin, "build", "-o", built.exe, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.exe
}

// pidsRunning returns the pids whose command line starts with exe.
func pidsRunning(t *testing.T, exe string) []int {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("reading /proc (these tests need Linux): %v", err)
	}
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err == nil && strings.HasPrefix(string(b), exe+"\x00") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestEPMDDaemon: `erlgo epmd -daemon` returns once the detached copy
// answers (the NAMES right after it needs no retry), the copy leads its
// own session with its standard streams on /dev/null, and a second
// -daemon on the same port is refused.
func TestEPMDDaemon(t *testing.T) {
	exe := buildErlgo(t)
	port := erltest.FreePort(t)
	erltest.StopEPMDAtCleanup(t, port)
	out, err := exec.Command(exe, "epmd", "-daemon", "-port", strconv.Itoa(port), "-address", "127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("erlgo epmd -daemon: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got, _, err := (&epmd.Client{Port: port}).Names(ctx); err != nil || got != port {
		t.Fatalf("NAMES right after -daemon returned: %d, %v", got, err)
	}
	pids := pidsRunning(t, exe)
	if len(pids) != 1 {
		t.Fatalf("want one daemon process of %s, found %v", exe, pids)
	}
	pid := pids[0]
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) }) // if KILL_REQ failed
	sid, err := sessionOf(pid)
	if err != nil || sid != pid {
		t.Errorf("daemon %d: session %d (%v), want its own", pid, sid, err)
	}
	for _, fd := range []string{"0", "1", "2"} {
		if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd)); err != nil || target != os.DevNull {
			t.Errorf("daemon fd %s -> %q (%v), want %s", fd, target, err, os.DevNull)
		}
	}
	out, err = exec.Command(exe, "epmd", "-daemon", "-port", strconv.Itoa(port)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already") {
		t.Fatalf("second -daemon on a served port: %v\n%s", err, out)
	}
}

// TestNodeStopLeavesEPMD is defect 2 of issue 12 for `erlgo node`: no EPMD
// runs, the node starts a detached one (OTP's epmd with -start-epmd auto,
// erlgo's own with -start-epmd erlgo), a real erl registers in it, the Go
// node stops, and a new erl still reaches the first by name.
func TestNodeStopLeavesEPMD(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	exe := buildErlgo(t)
	for _, mode := range []string{"auto", "erlgo"} {
		t.Run(mode, func(t *testing.T) {
			port := erltest.FreePort(t)
			erltest.StopEPMDAtCleanup(t, port)
			cookie := uniq("cookie")
			env := erltest.EnvWithEPMD(port)

			goName := uniq("go") + "@127.0.0.1"
			gn := exec.Command(exe, "node", "-name", goName, "-cookie", cookie, "-epmd-port", strconv.Itoa(port),
				"-start-epmd", mode, "-no-global", "-listen", "127.0.0.1:0")
			gn.Env = env
			stdout, err := gn.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			gn.Stderr = gn.Stdout
			if err := gn.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = gn.Process.Kill(); _ = gn.Wait() })
			ready, drained := make(chan string, 1), make(chan struct{})
			go func() {
				defer close(drained)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					t.Logf("erlgo node: %s", sc.Text())
					if strings.Contains(sc.Text(), "ready") {
						ready <- sc.Text()
					}
				}
			}()
			select {
			case line := <-ready:
				if !strings.Contains(line, "starts daemon") {
					t.Errorf("ready line does not say which EPMD it starts: %s", line)
				}
			case <-time.After(erltest.Wait):
				t.Fatal("erlgo node not ready")
			}

			first := uniq("first") + "@127.0.0.1"
			a := exec.Command(erl, "-noshell", "-start_epmd", "false", "-name", first, "-setcookie", cookie,
				"-eval", "receive after infinity -> ok end.")
			a.Env = env
			if err := a.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = a.Process.Kill(); _ = a.Wait() })
			erltest.WaitEPMDName(t, port, first[:strings.IndexByte(first, '@')])

			if err := gn.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			<-drained // all output read before Wait closes the pipe
			if err := gn.Wait(); err != nil {
				t.Fatalf("erlgo node exit: %v", err)
			}

			ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
			defer cancel()
			b := exec.CommandContext(ctx, erl, "-noshell", "-start_epmd", "false", "-name", uniq("second")+"@127.0.0.1",
				"-setcookie", cookie, "-eval", fmt.Sprintf(`io:format("ping=~p~n", [net_adm:ping('%s')]), halt().`, first))
			b.Env = env
			out, err := b.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "ping=pong") {
				t.Fatalf("after the Go node stopped, a new erl could not reach %s: %v\n%s", first, err, out)
			}
		})
	}
}

// sessionOf reads the session id of pid from /proc/PID/stat (Linux).
func sessionOf(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// pid (comm) state ppid pgrp session ...; comm may hold blanks.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 4 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	return strconv.Atoi(f[3])
}
