package erltest

import (
	"os"
	"os/exec"
	"path/filepath"
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
