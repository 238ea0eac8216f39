package etf

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// volatileGolden reports whether a golden vector depends on the generating
// node's identity (pids, refs, ports, node name, creation), so a fresh run
// cannot reproduce its bytes.
func volatileGolden(name string) bool {
	for _, p := range []string{"pid_", "port_", "ref_", "ids_", "fun_", "misc_", "improper_alias", "map_mixed_keys", "atom_node",
		"map_33_atoms", // HAMT order of atom keys varies between VM runs
	} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// TestGoldenUpToDate reruns testdata/etf_golden.erl on a real distributed
// node (private EPMD) and checks that the checked-in golden file has the
// same vectors, byte for byte wherever they do not depend on the node's
// identity.
func TestGoldenUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	erl, erlc := requireErl(t)
	epmdPath, err := exec.LookPath("epmd")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("epmd not found (CI is set)")
		}
		t.Skip("epmd not installed")
	}
	dir := compileErl(t, erlc, "etf_golden")
	port := freePort(t)
	epmd := exec.Command(epmdPath, "-port", strconv.Itoa(port))
	noErr(t, epmd.Start())
	t.Cleanup(func() { epmd.Process.Kill(); epmd.Wait() })
	waitTCP(t, port)

	out := filepath.Join(t.TempDir(), "golden.txt")
	cmd := exec.Command(erl, "-noinput", "-name", "golden@127.0.0.1", "-setcookie", "etfgolden"+strconv.Itoa(port),
		"-pa", dir, "-eval", `etf_golden:main("`+out+`"), halt().`)
	cmd.Env = append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(port))
	timer := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer timer.Stop()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	noErr(t, err)
	fresh := map[string][]byte{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		fresh[f[0]+"/"+f[1]] = []byte(f[2])
	}
	checked := loadGolden(t)
	if len(checked) != len(fresh) {
		t.Errorf("checked-in file has %d vectors, generator writes %d: regenerate testdata/golden.txt", len(checked), len(fresh))
	}
	for _, v := range checked {
		hexed, ok := fresh[v.name+"/"+v.variant]
		if !ok {
			t.Errorf("%s/%s no longer generated", v.name, v.variant)
			continue
		}
		if volatileGolden(v.name) {
			continue
		}
		if !bytes.EqualFold(hexed, []byte(strings.ToUpper(bytesToHex(v.data)))) {
			t.Errorf("%s/%s differs from a fresh run: regenerate testdata/golden.txt", v.name, v.variant)
		}
	}
}

func bytesToHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitTCP(t testing.TB, port int) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness, not a fixed wait
	}
	t.Fatalf("port %d never opened", port)
}
