package interop

import (
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// TestShapesMatchOTP pins the erpc DOWN reasons and rex replies against
// real OTP: a BEAM node calls another BEAM node for every exception class
// (testdata/it_shapes.erl) and the answers must equal ours for the same
// outcomes, stack locations aside.
func TestShapesMatchOTP(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "it_shapes.erl")
	port := erltest.StartEPMD(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-name", "shapes_"+strconv.Itoa(os.Getpid())+"@127.0.0.1",
		"-setcookie", "shapes_cookie", "-pa", dir, "-eval", "it_shapes:main()")
	cmd.Env = erltest.EnvWithEPMD(port)
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
			t.Errorf("%s via %s: OTP answers %s, erlgo %s", fields[0], fields[1], etf.Format(theirs), etf.Format(ours))
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
