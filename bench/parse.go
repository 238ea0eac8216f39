package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseFields splits "WORD k=v k=v ..." into its key/value fields; the
// leading word and tokens without '=' are ignored.
func parseFields(line string) map[string]string {
	f := make(map[string]string)
	for _, tok := range strings.Fields(line) {
		if k, v, ok := strings.Cut(tok, "="); ok {
			f[k] = v
		}
	}
	return f
}

// ParseResult parses one result line of erlgo_bench.erl,
//
//	RESULT workload=call pairs=1 n=1000 ns=123456 p50=1200 p90=1500 p99=2100
//
// checking that it answers case c. Ops is pairs*n (n for idle-memory and
// etf-term, which have one "pair").
func ParseResult(line string, c Case) (Result, error) {
	if !strings.HasPrefix(line, "RESULT ") {
		return Result{}, fmt.Errorf("%w: %q", ErrBadResult, line)
	}
	f := parseFields(line)
	if f["workload"] != c.Proto() {
		return Result{}, fmt.Errorf("%w: workload %q, want %q", ErrBadResult, f["workload"], c.Proto())
	}
	ints := map[string]int64{}
	for _, k := range []string{"pairs", "n", "ns"} {
		v, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil || v < 0 {
			return Result{}, fmt.Errorf("%w: field %s=%q in %q", ErrBadResult, k, f[k], line)
		}
		ints[k] = v
	}
	r := Result{Elapsed: time.Duration(ints["ns"]), Ops: ints["pairs"] * ints["n"]}
	switch c.Workload.Kind {
	case KindCall:
		for _, p := range []struct {
			key string
			dst *time.Duration
		}{{"p50", &r.P50}, {"p90", &r.P90}, {"p99", &r.P99}} {
			v, err := strconv.ParseInt(f[p.key], 10, 64)
			if err != nil || v < 0 {
				return Result{}, fmt.Errorf("%w: field %s=%q in %q", ErrBadResult, p.key, f[p.key], line)
			}
			*p.dst = time.Duration(v)
		}
	case KindMemory:
		v, err := strconv.ParseFloat(f["bytes_per_proc"], 64)
		if err != nil {
			return Result{}, fmt.Errorf("%w: field bytes_per_proc=%q in %q", ErrBadResult, f["bytes_per_proc"], line)
		}
		r.BytesPerProc = v
	default:
		if r.Elapsed <= 0 {
			return Result{}, fmt.Errorf("%w: zero elapsed time in %q", ErrBadResult, line)
		}
	}
	return r, nil
}
