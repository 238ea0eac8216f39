// Package erltest holds the helpers that tests across erlgo use to run
// real Erlang/OTP pieces: finding the BEAM tools (failing loudly under CI,
// skipping elsewhere), picking a free loopback port, running a private
// epmd per test and compiling testdata/*.erl with erlc.
//
// It is imported only by _test.go files. It depends on the standard
// library alone so that every package, etf included, can use it from its
// internal tests without an import cycle.
package erltest

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Wait bounds how long a helper polls for a started tool to become ready.
// It is generous on purpose: a loaded 2-core CI machine can be slow to
// start a BEAM, and the helpers poll instead of sleeping a fixed time.
const Wait = 30 * time.Second

// RequireTools returns the paths of the named programs (erl, erlc, epmd,
// elixir...), in order. When one is missing the test fails if the
// environment variable CI is set, so a CI run never passes silently
// without Erlang, and is skipped otherwise.
func RequireTools(t testing.TB, tools ...string) []string {
	t.Helper()
	paths := make([]string, len(tools))
	for i, name := range tools {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found on PATH but CI is set: install erlang-nox and elixir (make deps): %v", name, err)
			}
			t.Skipf("%s not found on PATH (set CI to make this a failure): %v", name, err)
		}
		paths[i] = p
	}
	return paths
}

// Tool is RequireTools for a single program.
func Tool(t testing.TB, name string) string {
	t.Helper()
	return RequireTools(t, name)[0]
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WaitTCP polls until something accepts connections on the loopback port,
// failing the test after Wait.
func WaitTCP(t testing.TB, port int) {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(Wait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listening on %s after %v: %v", addr, Wait, err)
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness, not a fixed wait
	}
}

// StartEPMD runs the real epmd on a private port until the test ends and
// returns the port once epmd listens on it. Peers find it through
// ERL_EPMD_PORT, so tests can run in parallel and never touch 4369.
//
// FreePort's port is free only a moment: another test (or any program
// binding ":0") may take it before epmd binds it, and a plain connect
// would then succeed against that other listener. So epmd runs with -d -d
// and StartEPMD reads its own report: "entering the main select() loop"
// means this epmd listens; "there is already a epmd running" (or an early
// exit) means the port was taken, and it tries again with a new port.
func StartEPMD(t testing.TB) int {
	t.Helper()
	port, _ := StartEPMDStoppable(t)
	return port
}

// StartEPMDStoppable is StartEPMD that also returns a function stopping
// that epmd (kill and reap; idempotent, and run at cleanup anyway), for
// tests about an EPMD going away.
func StartEPMDStoppable(t testing.TB) (int, func()) {
	t.Helper()
	bin := Tool(t, "epmd")
	var last string
	for try := 0; try < epmdTries; try++ {
		port := FreePort(t)
		stop, msg := startEPMDOn(t, bin, port)
		if stop != nil {
			return port, stop
		}
		last = msg
		t.Logf("epmd on port %d did not start (%s); trying another port", port, msg)
	}
	t.Fatalf("epmd did not start after %d ports: %s", epmdTries, last)
	return 0, nil
}

// StartEPMDOn runs epmd on a given port (e.g. again on the port of one a
// test stopped) and returns its stop function; the test fails if this
// epmd does not get the port.
func StartEPMDOn(t testing.TB, port int) func() {
	t.Helper()
	stop, msg := startEPMDOn(t, Tool(t, "epmd"), port)
	if stop == nil {
		t.Fatalf("epmd did not start on port %d: %s", port, msg)
	}
	return stop
}

const epmdTries = 5

// startEPMDOn starts epmd on port and waits for its verdict: on success it
// returns the stop function (also registered for cleanup); on failure nil
// and epmd's message, the process already reaped.
func startEPMDOn(t testing.TB, bin string, port int) (func(), string) {
	t.Helper()
	cmd := exec.Command(bin, "-d", "-d", "-port", strconv.Itoa(port))
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatalf("epmd stderr: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start epmd: %v", err)
	}
	verdict := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if sent {
				continue // keep draining: -d -d logs every request
			}
			switch {
			case strings.Contains(line, "entering the main select() loop"):
				verdict <- ""
				sent = true
			case strings.Contains(line, "already a epmd running"), strings.Contains(line, "cannot"), strings.Contains(line, "failed"):
				verdict <- line
				sent = true
			}
		}
		if !sent {
			verdict <- "epmd exited"
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-drained // the pipe is read to its end before Wait closes it
			_ = cmd.Wait()
		})
	}
	select {
	case msg := <-verdict:
		if msg != "" {
			stop()
			return nil, msg
		}
	case <-time.After(Wait):
		stop()
		t.Fatalf("epmd -port %d reported nothing within %v", port, Wait)
	}
	t.Cleanup(stop)
	return stop, ""
}

// WaitEPMDName polls the EPMD on the loopback port until a node named
// alive (the part before '@') is registered, failing the test after Wait.
// It is for tests that check a registration made by someone else (a Go
// node started elsewhere, an erl peer); it never skips.
func WaitEPMDName(t testing.TB, port int, alive string) {
	t.Helper()
	bin := Tool(t, "epmd")
	deadline := time.Now().Add(Wait)
	for {
		out, err := exec.Command(bin, "-port", strconv.Itoa(port), "-names").CombinedOutput()
		if strings.Contains(string(out), "name "+alive+" ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not registered in the epmd on port %d after %v: %v\n%s", alive, port, Wait, err, out)
		}
		time.Sleep(50 * time.Millisecond) // polling for readiness, not a fixed wait
	}
}

// StopEPMDAtCleanup stops, when the test ends, whatever EPMD then runs on
// the loopback port, with `epmd -port P -kill` (KILL_REQ): for daemons a
// test made something start (a detached daemon that outlives its starter
// has no other owner). epmd refuses to die while nodes are registered, so
// it retries until the nodes the test killed are gone, failing the test
// after Wait. Register it before the cleanups that kill those nodes, so
// that it runs after them.
func StopEPMDAtCleanup(t testing.TB, port int) {
	t.Helper()
	bin := Tool(t, "epmd")
	t.Cleanup(func() {
		deadline := time.Now().Add(Wait)
		for {
			out, _ := exec.Command(bin, "-port", strconv.Itoa(port), "-kill").CombinedOutput()
			if strings.Contains(string(out), "Killed") || strings.Contains(string(out), "Cannot connect") {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("epmd on port %d not stopped after %v: %s", port, Wait, out)
				return
			}
			time.Sleep(20 * time.Millisecond) // polling the daemon, not a fixed wait
		}
	})
}

// EnvWithEPMD is the current environment plus ERL_EPMD_PORT=port, for
// starting erl or elixir against a private epmd.
func EnvWithEPMD(port int) []string {
	return append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(port))
}

// Compile compiles Erlang sources from dir with erlc into a fresh
// t.TempDir() and returns that directory, ready for erl -pa. files are
// names inside dir ("etf_echo.erl"); with none, every dir/*.erl is
// compiled.
func Compile(t testing.TB, dir string, files ...string) string {
	t.Helper()
	erlc := Tool(t, "erlc")
	var srcs []string
	if len(files) == 0 {
		var err error
		if srcs, err = filepath.Glob(filepath.Join(dir, "*.erl")); err != nil || len(srcs) == 0 {
			t.Fatalf("no Erlang sources in %s: %v", dir, err)
		}
	}
	for _, f := range files {
		srcs = append(srcs, filepath.Join(dir, f))
	}
	out := t.TempDir()
	if b, err := exec.Command(erlc, append([]string{"-o", out}, srcs...)...).CombinedOutput(); err != nil {
		t.Fatalf("erlc %v: %v\n%s", srcs, err, b)
	}
	return out
}
