package etf

import "testing"

// BenchmarkHashTerm hashes the shared "etf-term" workload (maps keyed by
// terms hash every key this way).
func BenchmarkHashTerm(b *testing.B) {
	t := repTerm()
	b.ReportAllocs()
	for b.Loop() {
		_ = HashTerm(t)
	}
}

// BenchmarkCompareTerm compares two equal copies of the shared term, the
// worst case for term order (every element is visited).
func BenchmarkCompareTerm(b *testing.B) {
	x, y := repTerm(), repTerm()
	b.ReportAllocs()
	for b.Loop() {
		if Compare(x, y) != 0 {
			b.Fatal("copies differ")
		}
	}
}
