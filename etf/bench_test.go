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

// BenchmarkDecodeSmall decodes {Pid, 42}, the flood-pidint message.
func BenchmarkDecodeSmall(b *testing.B) {
	data, err := Encode(Tuple{PID{Node: "bench@127.0.0.1", ID: 80, Creation: 1700000000}, 42})
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
	var t Term = Tuple{PID{Node: "bench@127.0.0.1", ID: 80, Creation: 1700000000}, 42}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendTerm(buf[:0], t)
	}
}

// TestCompareWithBEAM measures Go and BEAM on the shared term in
// alternating rounds and logs medians and ratios. It only runs when
// ERLGO_BEAM_BENCH=1 (timing has no place in the normal suite):
//
//	ERLGO_BEAM_BENCH=1 go test ./etf -run CompareWithBEAM -v
func TestCompareWithBEAM(t *testing.T) {
	if os.Getenv("ERLGO_BEAM_BENCH") == "" {
		t.Skip("set ERLGO_BEAM_BENCH=1 to run")
	}
	erl, erlc := requireErl(t)
	dir := compileErl(t, erlc, "etf_bench")
	var goEnc, goDec, beamEnc, beamDec []float64
	var encAllocs, decAllocs int64
	for round := 0; round < 5; round++ {
		re := testing.Benchmark(BenchmarkEncodeTerm)
		rd := testing.Benchmark(BenchmarkDecodeTerm)
		goEnc = append(goEnc, float64(re.NsPerOp()))
		goDec = append(goDec, float64(rd.NsPerOp()))
		encAllocs, decAllocs = re.AllocsPerOp(), rd.AllocsPerOp()
		out, err := exec.Command(erl, "-noinput", "-pa", dir, "-eval", "etf_bench:main(1000000)").Output()
		noErr(t, err)
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 2 {
				continue
			}
			v, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "encode_ns":
				beamEnc = append(beamEnc, v)
			case "decode_ns":
				beamDec = append(beamDec, v)
			}
		}
	}
	med := func(x []float64) float64 { sort.Float64s(x); return x[len(x)/2] }
	ge, gd, be, bd := med(goEnc), med(goDec), med(beamEnc), med(beamDec)
	t.Logf("etf-term encode: Go %.0f ns/op (%d allocs/op), BEAM term_to_binary %.0f ns/op, Go/BEAM time ratio %.2f", ge, encAllocs, be, ge/be)
	t.Logf("etf-term decode: Go %.0f ns/op (%d allocs/op), BEAM binary_to_term %.0f ns/op, Go/BEAM time ratio %.2f", gd, decAllocs, bd, gd/bd)
}
