package interop

import (
	"context"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// TestShapesMatchOTP pins the erpc DOWN reasons and rex replies against
// real OTP: a BEAM node calls another BEAM node for every exception class
// (testdata/it_shapes.erl) and the answers must equal ours for the same
// outcomes, stack locations aside.
func TestShapesMatchOTP(t *testing.T) {
	erl, err := exec.LookPath("erl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("erl not found but CI is set")
		}
		t.Skip("erl not found")
	}
	dir := t.TempDir()
	if out, err := exec.Command("erlc", "-o", dir, "testdata/it_shapes.erl").CombinedOutput(); err != nil {
		t.Fatalf("erlc: %v\n%s", err, out)
	}
	port := privateEPMD(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", "shapes_"+strconv.Itoa(os.Getpid())+"@127.0.0.1",
		"-setcookie", "shapes_cookie", "-pa", dir, "-eval", "it_shapes:main()")
	cmd.Env = append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(port))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}

	_, s, _ := localServices(t)
	s.Register("it_shapes", "f", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return a[0], nil })
	s.Register("it_shapes", "t", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Throw(a[0]) })
	s.Register("it_shapes", "x", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Exit(a[0]) })
	s.Register("it_shapes", "e", 1, func(_ context.Context, a etf.List) (etf.Term, error) { return nil, Raise(a[0]) })
	calls := map[string]struct {
		f    etf.Atom
		args etf.List
	}{
		"return": {"f", etf.List{1}}, "throw": {"t", etf.List{etf.Atom("a")}},
		"exit": {"x", etf.List{etf.Atom("c")}}, "error": {"e", etf.List{etf.Atom("b")}},
		"undef": {"nope", etf.List{1}}, "badarity": {"f", etf.List{1, 2}},
	}
	seen := 0
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			continue
		}
		c, ok := calls[fields[0]]
		if !ok {
			continue
		}
		raw, err := hex.DecodeString(fields[2])
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := etf.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		o := s.apply(nil, "it_shapes", c.f, c.args)
		var ours etf.Term
		if fields[1] == "erpc" {
			ours = erpcResult(etf.Atom("ref"), o)
		} else {
			ours = rexResult(o)
		}
		seen++
		if !etf.Equal(dropLocations(theirs), dropLocations(ours)) {
			t.Errorf("%s via %s: OTP answers %s, erlgo %s", fields[0], fields[1], FormatTerm(theirs), FormatTerm(ours))
		}
	}
	if seen != 2*len(calls) {
		t.Fatalf("parsed %d answers, want %d:\n%s", seen, 2*len(calls), out)
	}
}

// dropLocations empties the location lists of stack frames
// ({M, F, ArityOrArgs, Location}), which name Erlang files and lines on
// BEAM and "go" on erlgo.
func dropLocations(t etf.Term) etf.Term {
	switch v := t.(type) {
	case etf.Tuple:
		out := make(etf.Tuple, len(v))
		for i, e := range v {
			out[i] = dropLocations(e)
		}
		if len(out) == 4 {
			if _, ok := out[0].(etf.Atom); ok {
				if _, ok := out[1].(etf.Atom); ok {
					if _, ok := out[3].(etf.List); ok {
						out[3] = etf.List{}
					}
				}
			}
		}
		return out
	case etf.List:
		out := make(etf.List, len(v))
		for i, e := range v {
			out[i] = dropLocations(e)
		}
		return out
	}
	return t
}

// privateEPMD runs a real epmd on a free port for the test.
func privateEPMD(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	bin, err := exec.LookPath("epmd")
	if err != nil {
		t.Fatal("epmd not found next to erl")
	}
	cmd := exec.Command(bin, "-port", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("epmd not ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
