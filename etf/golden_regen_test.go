package etf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
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
	erl := erltest.RequireTools(t, "erl", "erlc", "epmd")[0]
	dir := erltest.Compile(t, "testdata", "etf_golden.erl")
	port := erltest.StartEPMD(t)

	out := filepath.Join(t.TempDir(), "golden.txt")
	cmd := exec.Command(erl, "-noinput", "-name", "golden@127.0.0.1", "-setcookie", "etfgolden"+strconv.Itoa(port),
		"-pa", dir, "-eval", `etf_golden:main("`+out+`"), halt().`)
	cmd.Env = erltest.EnvWithEPMD(port)
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
