package bench

import (
	"errors"
	"testing"
	"time"
)

func testCase(t *testing.T, workload, op string, pairs, n int) Case {
	t.Helper()
	w, err := LookupWorkload(workload)
	if err != nil {
		t.Fatal(err)
	}
	return Case{Workload: w, Op: op, Pairs: pairs, N: n}
}

func TestParseResult(t *testing.T) {
	tests := []struct {
		name    string
		c       Case
		line    string
		want    Result
		wantErr bool
	}{
		{
			name: "flood",
			c:    testCase(t, "flood-int", "", 8, 1000),
			line: "RESULT workload=flood-int pairs=8 n=1000 ns=2000000",
			want: Result{Elapsed: 2 * time.Millisecond, Ops: 8000},
		},
		{
			name: "call with percentiles",
			c:    testCase(t, "call", "", 1, 100),
			line: "RESULT workload=call pairs=1 n=100 ns=500000 p50=1363 p90=1612 p99=2135",
			want: Result{Elapsed: 500 * time.Microsecond, Ops: 100, P50: 1363, P90: 1612, P99: 2135},
		},
		{
			name: "idle memory",
			c:    testCase(t, "idle-memory", "", 1, 100000),
			line: "RESULT workload=idle-memory pairs=1 n=100000 ns=0 bytes_per_proc=2659 procs=100000",
			want: Result{Ops: 100000, BytesPerProc: 2659},
		},
		{
			name: "etf decode maps to etf-term",
			c:    testCase(t, "etf-term", "decode", 1, 10),
			line: "RESULT workload=etf-decode pairs=1 n=10 ns=3000 bytes=220",
			want: Result{Elapsed: 3 * time.Microsecond, Ops: 10},
		},
		{name: "error line", c: testCase(t, "call", "", 1, 1), line: "ERROR error:{unsupported}", wantErr: true},
		{name: "other workload", c: testCase(t, "call", "", 1, 1), line: "RESULT workload=flood-int pairs=1 n=1 ns=5", wantErr: true},
		{name: "call without p99", c: testCase(t, "call", "", 1, 1), line: "RESULT workload=call pairs=1 n=1 ns=5 p50=1 p90=2", wantErr: true},
		{name: "negative ns", c: testCase(t, "flood-int", "", 1, 1), line: "RESULT workload=flood-int pairs=1 n=1 ns=-5", wantErr: true},
		{name: "zero ns flood", c: testCase(t, "flood-int", "", 1, 1), line: "RESULT workload=flood-int pairs=1 n=1 ns=0", wantErr: true},
		{name: "garbage number", c: testCase(t, "flood-int", "", 1, 1), line: "RESULT workload=flood-int pairs=x n=1 ns=5", wantErr: true},
		{name: "memory without bytes", c: testCase(t, "idle-memory", "", 1, 1), line: "RESULT workload=idle-memory pairs=1 n=1 ns=0", wantErr: true},
		{name: "empty", c: testCase(t, "call", "", 1, 1), line: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResult(tt.line, tt.c)
			if tt.wantErr {
				if !errors.Is(err, ErrBadResult) {
					t.Fatalf("err = %v, want ErrBadResult", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseResult(f *testing.F) {
	f.Add("RESULT workload=call pairs=1 n=100 ns=500000 p50=1363 p90=1612 p99=2135")
	f.Add("RESULT workload=call pairs=1 n=1 ns=5 p50=1 p90=2 p99=x")
	f.Add("ERROR oops")
	w, _ := LookupWorkload("call")
	c := Case{Workload: w, Pairs: 1, N: 1}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseResult(line, c)
		if err == nil && (r.Elapsed < 0 || r.P99 < 0) {
			t.Fatalf("negative durations accepted: %+v", r)
		}
	})
}
