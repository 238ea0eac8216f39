package erltest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestFreePortIsUsable(t *testing.T) {
	p := FreePort(t)
	if p <= 0 || p > 65535 {
		t.Fatalf("port %d out of range", p)
	}
}

// TestEPMDAndCompile starts a private epmd, compiles the probe module and
// runs it in a distributed erl registered in that epmd.
func TestEPMDAndCompile(t *testing.T) {
	erl := Tool(t, "erl")
	port := StartEPMD(t)
	for _, files := range [][]string{nil, {"erltest_probe.erl"}} {
		dir := Compile(t, "testdata", files...)
		if _, err := os.Stat(filepath.Join(dir, "erltest_probe.beam")); err != nil {
			t.Fatalf("compile %v: %v", files, err)
		}
		cmd := exec.Command(erl, "-noshell", "-name", "erltest_probe@127.0.0.1", "-setcookie", "erltest",
			"-pa", dir, "-eval", "erltest_probe:hello(), halt().")
		cmd.Env = EnvWithEPMD(port)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "HELLO") {
			t.Fatalf("erl: %v\n%s", err, out)
		}
	}
}

// TestStartEPMDOnTakenPort is the race StartEPMD guards against: the port
// was taken between FreePort and epmd's bind. A connect would succeed
// (against the other listener); epmd's own report says it did not bind.
func TestStartEPMDOnTakenPort(t *testing.T) {
	bin := Tool(t, "epmd")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	stop, msg := startEPMDOn(t, bin, port)
	if stop != nil {
		t.Fatalf("epmd reported listening on a port another listener holds")
	}
	if !strings.Contains(msg, "epmd") {
		t.Fatalf("verdict %q does not come from epmd", msg)
	}
}

// TestWaitEPMDName sees a real erl's registration in the private epmd.
func TestWaitEPMDName(t *testing.T) {
	erl := Tool(t, "erl")
	port := StartEPMD(t)
	cmd := exec.Command(erl, "-noshell", "-name", "erltest_wait@127.0.0.1", "-setcookie", "erltest",
		"-eval", "receive after infinity -> ok end.")
	cmd.Env = EnvWithEPMD(port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	WaitEPMDName(t, port, "erltest_wait")
}

// TestStartEPMDStoppableAndOn stops a private epmd and starts one again on
// the same port, as tests of an EPMD restart do.
func TestStartEPMDStoppableAndOn(t *testing.T) {
	port, stop := StartEPMDStoppable(t)
	stop()
	stop() // idempotent
	if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
		c.Close()
		t.Fatal("epmd still listening after stop")
	}
	StartEPMDOn(t, port)
	WaitTCP(t, port)
}

// TestStopEPMDAtCleanup: a daemon-style epmd nobody holds is stopped at
// the end of a subtest, after that subtest's erl node is gone.
func TestStopEPMDAtCleanup(t *testing.T) {
	bin, erl := Tool(t, "epmd"), Tool(t, "erl")
	port := FreePort(t)
	if out, err := exec.Command(bin, "-port", strconv.Itoa(port), "-daemon").CombinedOutput(); err != nil {
		t.Fatalf("epmd -daemon: %v %s", err, out)
	}
	t.Run("inner", func(t *testing.T) {
		StopEPMDAtCleanup(t, port)
		WaitTCP(t, port)
		cmd := exec.Command(erl, "-noshell", "-name", "erltest_stop@127.0.0.1", "-setcookie", "erltest",
			"-eval", "receive after infinity -> ok end.")
		cmd.Env = EnvWithEPMD(port)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		WaitEPMDName(t, port, "erltest_stop")
	})
	if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
		c.Close()
		t.Fatal("epmd still running after the subtest's cleanup")
	}
}
