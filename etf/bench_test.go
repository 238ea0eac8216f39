package etf

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/internal/erltest"
)

// repTermBytes is ERTS's own encoding of the shared benchmark term, taken
// from the golden vectors.
func repTermBytes(tb testing.TB) []byte {
	for _, v := range loadGolden(tb) {
		if v.name == "rep_term" && v.variant == "m2" {
			return v.data
		}
	}
	tb.Fatal("rep_term missing from golden vectors")
	return nil
}

// BenchmarkEncodeTerm encodes the shared "etf-term" workload into a reused
// buffer, as the distribution layer does.
func BenchmarkEncodeTerm(b *testing.B) {
	t := repTerm()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendTerm(buf[:0], t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeFresh encodes the shared term into a new result each time,
// as term_to_binary does (Encode: 131 + term).
func BenchmarkEncodeFresh(b *testing.B) {
	t := repTerm()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeTerm decodes ERTS's encoding of the shared term.
func BenchmarkDecodeTerm(b *testing.B) {
	data := repTermBytes(b)
	var d Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := d.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// smallTerm is {Pid, 42}, the flood-pidint SEND payload; etf_bench.erl's
// small_bin/0 is its encoding.
func smallTerm() Term {
	return Tuple{PID{Node: "bench@127.0.0.1", ID: 80, Creation: 1700000000}, 42}
}

// BenchmarkDecodeSmall decodes {Pid, 42}, the flood-pidint message, as the
// distribution layer does (no version byte).
func BenchmarkDecodeSmall(b *testing.B) {
	data, err := Encode(smallTerm())
	if err != nil {
		b.Fatal(err)
	}
	var d Decoder
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := d.DecodeTerm(data[1:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeSmall encodes {Pid, 42}.
func BenchmarkEncodeSmall(b *testing.B) {
	t := smallTerm()
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendTerm(buf[:0], t)
	}
}

// TestCompareWithBEAM measures Go and BEAM on the shared term and on the
// {Pid, 42} payload in alternating rounds and logs medians and ratios. It
// only runs when ERLGO_BEAM_BENCH=1 (timing has no place in the normal
// suite):
//
//	ERLGO_BEAM_BENCH=1 go test ./etf -run CompareWithBEAM -v
func TestCompareWithBEAM(t *testing.T) {
	if os.Getenv("ERLGO_BEAM_BENCH") == "" {
		t.Skip("set ERLGO_BEAM_BENCH=1 to run")
	}
	erl := erltest.Tool(t, "erl")
	dir := erltest.Compile(t, "testdata", "etf_bench.erl")
	// Both sides must decode the same bytes.
	out, err := exec.Command(erl, "-noinput", "-pa", dir, "-eval",
		"io:format(\"~w\", [binary_to_list(etf_bench:small_bin())]), halt(0).").Output()
	noErr(t, err)
	want, err := Encode(smallTerm())
	noErr(t, err)
	if got := strings.TrimSpace(string(out)); got != fmtBytes(want) {
		t.Fatalf("etf_bench:small_bin() = %s, Go encodes %s", got, fmtBytes(want))
	}
	benches := []struct {
		name     string
		fn       func(*testing.B)
		beamKey  string
		beamName string
	}{
		{"etf-term encode", BenchmarkEncodeTerm, "encode_ns", "term_to_binary"},
		{"etf-term decode", BenchmarkDecodeTerm, "decode_ns", "binary_to_term"},
		{"{Pid,42} encode", BenchmarkEncodeSmall, "small_encode_ns", "term_to_binary"},
		{"{Pid,42} decode", BenchmarkDecodeSmall, "small_decode_ns", "binary_to_term"},
	}
	goNs := make([][]float64, len(benches))
	beamNs := make(map[string][]float64)
	allocs := make([]int64, len(benches))
	for round := 0; round < 5; round++ {
		for i, bn := range benches {
			r := testing.Benchmark(bn.fn)
			goNs[i] = append(goNs[i], float64(r.T.Nanoseconds())/float64(r.N))
			allocs[i] = r.AllocsPerOp()
		}
		out, err := exec.Command(erl, "-noinput", "-pa", dir, "-eval", "etf_bench:main(1000000)").Output()
		noErr(t, err)
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 2 {
				continue
			}
			v, _ := strconv.ParseFloat(f[1], 64)
			beamNs[f[0]] = append(beamNs[f[0]], v)
		}
	}
	med := func(x []float64) float64 {
		if len(x) == 0 {
			t.Fatal("no samples")
		}
		sort.Float64s(x)
		return x[len(x)/2]
	}
	for i, bn := range benches {
		g, be := med(goNs[i]), med(beamNs[bn.beamKey])
		t.Logf("%s: Go %.0f ns/op (%d allocs/op), BEAM %s %.0f ns/op, Go/BEAM time ratio %.2f",
			bn.name, g, allocs[i], bn.beamName, be, g/be)
	}
}

// fmtBytes formats b like Erlang's ~w of a byte list.
func fmtBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = strconv.Itoa(int(c))
	}
	return "[" + strings.Join(parts, ",") + "]"
}
