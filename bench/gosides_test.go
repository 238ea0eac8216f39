package bench

import (
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
)

func TestGoLocalSide(t *testing.T) {
	env := sharedEnv
	side := NewGoLocal(env)
	ctx := startSide(t, side)
	tests := []struct {
		workload, op string
		pairs, n     int
	}{
		{"flood-int", "", 2, 1000},
		{"flood-pidint", "", 1, 1000},
		{"flood-bin1k", "", 2, 100},
		{"call", "", 2, 100},
		{"call", "", 64, 5},
		{"msg-16k", "", 1, 50},
		{"msg-1m", "", 1, 3},
		{"idle-memory", "", 1, 2000},
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
				if r.BytesPerProc <= 0 {
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
			if side.Supports(testCase(t, RefTCPLimit, "", 1, 1).Workload) {
				t.Error("go-local claims to run the TCP reference")
			}
			// In one process a short run may switch no thread at all,
			// so only the sign is checked here; the loopback sides
			// must count some.
			if r.CtxSwitches < 0 {
				t.Errorf("ctxsw/op = %v", r.CtxSwitches)
			}
		})
	}
}

// TestLoopbackSides runs a tiny flood and call on every side that crosses
// a real connection: go-go (the peer is this test binary re-executed),
// go-beam and beam-go (a real erl node).
func TestLoopbackSides(t *testing.T) {
	erltest.RequireTools(t, "erl", "erlc", "epmd")
	t.Parallel()
	env := sharedEnv
	for _, side := range []Side{NewGoGo(env), NewGoBEAM(env), NewBEAMGo(env)} {
		t.Run(side.Name(), func(t *testing.T) {
			ctx := startSide(t, side)
			for _, c := range []Case{
				testCase(t, "flood-int", "", 2, 500),
				testCase(t, "flood-pidint", "", 1, 200),
				testCase(t, "flood-bin1k", "", 1, 100),
				testCase(t, "call", "", 2, 50),
				testCase(t, "call", "", 64, 3),
				testCase(t, "msg-16k", "", 1, 20),
				testCase(t, "msg-1m", "", 1, 3),
			} {
				r, err := side.Run(ctx, c)
				if err != nil {
					t.Fatalf("%s: %v", c.ID(), err)
				}
				if r.Ops != int64(c.Pairs*c.N) || r.Value(c) <= 0 {
					t.Errorf("%s: result %+v", c.ID(), r)
				}
				if c.Workload.Kind == KindCall && (r.P50 <= 0 || r.P50 > r.P99) {
					t.Errorf("%s: percentiles %+v", c.ID(), r)
				}
				// Waiting on another OS process parks threads: a
				// run that counted no switch did not read /proc.
				if r.CtxSwitches <= 0 {
					t.Errorf("%s: ctxsw/op = %v", c.ID(), r.CtxSwitches)
				}
			}
			if side.Supports(testCase(t, "idle-memory", "", 1, 1).Workload) {
				t.Error("loopback side claims to run idle-memory")
			}
			// The TCP references run between go-go's two processes only.
			for _, c := range []Case{testCase(t, RefTCPLimit, "", 1, 3), testCase(t, RefTCPPingPong, "", 1, 100)} {
				if side.Name() != SideGoGo {
					if side.Supports(c.Workload) {
						t.Errorf("%s claims to run %s", side.Name(), c.ID())
					}
					continue
				}
				r, err := side.Run(ctx, c)
				if err != nil {
					t.Fatalf("%s: %v", c.ID(), err)
				}
				if r.Ops != int64(c.N) || r.Value(c) <= 0 || r.CtxSwitches <= 0 {
					t.Errorf("%s: result %+v", c.ID(), r)
				}
				if c.Workload.Kind == KindCall && (r.P50 <= 0 || r.P50 > r.P99) {
					t.Errorf("%s: percentiles %+v", c.ID(), r)
				}
			}
		})
	}
}
