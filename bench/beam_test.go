package bench

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

func startSide(t *testing.T, s Side) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	if err := s.Start(ctx); err != nil {
		s.Close()
		t.Fatalf("start %s: %v", s.Name(), err)
	}
	t.Cleanup(func() { s.Close() })
	return ctx
}

func TestBEAMLocalSide(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	env := sharedEnv
	side := NewBEAMLocal(env)
	ctx := startSide(t, side)

	tests := []struct {
		workload, op string
		pairs, n     int
	}{
		{"flood-int", "", 2, 1000},
		{"flood-pidint", "", 1, 1000},
		{"flood-bin1k", "", 1, 100},
		{"call", "", 2, 100},
		{"msg-16k", "", 1, 50},
		{"msg-1m", "", 1, 3},
		{"idle-memory", "", 1, 1000},
		{"etf-term", "encode", 1, 100},
		{"etf-term", "decode", 1, 100},
	}
	for _, tt := range tests {
		c := testCase(t, tt.workload, tt.op, tt.pairs, tt.n)
		t.Run(c.ID(), func(t *testing.T) {
			r, err := side.Run(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if r.Ops != int64(tt.pairs*tt.n) {
				t.Errorf("ops = %d, want %d", r.Ops, tt.pairs*tt.n)
			}
			switch c.Workload.Kind {
			case KindMemory:
				// An idle BEAM process costs a few hundred words; any
				// sane figure proves the delta accounting works.
				if r.BytesPerProc < 500 || r.BytesPerProc > 20000 {
					t.Errorf("bytes/proc = %v", r.BytesPerProc)
				}
			case KindCall:
				if r.P50 <= 0 || r.P50 > r.P90 || r.P90 > r.P99 {
					t.Errorf("percentiles out of order: %+v", r)
				}
			}
			if c.Workload.Kind != KindMemory && r.Value(c) <= 0 {
				t.Errorf("rate = %v", r.Value(c))
			}
		})
	}

	// Both sides must encode the same term: Go's encoding of
	// RepresentativeTerm must be the bytes erlgo_bench.erl encodes, so the
	// etf-term ratio compares like with like.
	t.Run("same etf-term bytes", func(t *testing.T) {
		line, err := side.(*beamSide).driver.command(ctx, "term")
		if err != nil {
			t.Fatal(err)
		}
		want, err := hex.DecodeString(parseFields(line)["hex"])
		if err != nil {
			t.Fatalf("bad hex in %q: %v", line, err)
		}
		got, err := etf.Encode(RepresentativeTerm())
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("Go encoding differs from erlgo_bench's term_to_binary:\n got %x\nwant %x", got, want)
		}
	})
}

func TestBEAMBEAMSide(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	env := sharedEnv
	side := NewBEAMBEAM(env)
	ctx := startSide(t, side)
	if side.Supports(testCase(t, "idle-memory", "", 1, 1).Workload) {
		t.Error("loopback side claims to run idle-memory")
	}
	for _, w := range []string{RefTCPLimit, RefTCPPingPong} {
		if side.Supports(testCase(t, w, "", 1, 1).Workload) {
			t.Errorf("beam-beam claims to run the Go reference %s", w)
		}
	}
	for _, c := range []Case{
		testCase(t, "flood-int", "", 2, 500), testCase(t, "call", "", 1, 50), testCase(t, "call", "", 64, 3),
		testCase(t, "msg-16k", "", 1, 20), testCase(t, "msg-1m", "", 1, 3),
	} {
		r, err := side.Run(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID(), err)
		}
		if r.Ops != int64(c.Pairs*c.N) || r.Value(c) <= 0 {
			t.Errorf("%s: result %+v", c.ID(), r)
		}
		if r.CtxSwitches <= 0 {
			t.Errorf("%s: ctxsw/op = %v", c.ID(), r.CtxSwitches)
		}
	}
	// The peer node is a separate OS process: the driver must see it in
	// nodes() — proven by the remote receivers answering at all — and the
	// side's processes must go away on Close.
	if !strings.Contains(side.(*beamSide).peer.name, "@127.0.0.1") {
		t.Errorf("peer name %q", side.(*beamSide).peer.name)
	}
}
