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
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
// returns the port once epmd accepts connections. Peers find it through
// ERL_EPMD_PORT, so tests can run in parallel and never touch 4369.
func StartEPMD(t testing.TB) int {
	t.Helper()
	bin := Tool(t, "epmd")
	port := FreePort(t)
	cmd := exec.Command(bin, "-port", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start epmd: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	WaitTCP(t, port)
	return port
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
