package bench

import (
	"testing"
)

func TestGoLocalSide(t *testing.T) {
	env := &Env{}
	t.Cleanup(func() { env.Close() })
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
		})
	}
}
