package interop

import (
	"context"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/erlgo/erlgo/etf"
)

// bifMFAs lists the introspection functions registerBIFs registers, in a
// fixed order so that a fuzz input picks the same one every run.
func bifMFAs(s *Services) []MFA {
	var out []MFA
	for _, m := range s.Functions() {
		switch m.Module {
		case atomErlang, atomObserverBackend, atomApplication, "ets", "code":
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b MFA) int { return etf.Compare(etf.Atom(a.String()), etf.Atom(b.String())) })
	return out
}

// FuzzBIFArgs calls an introspection BIF with decoded hostile arguments
// (the wire terms rpc hands it) straight, without apply's recover: it must
// answer or raise error:badarg / function_clause, never panic.
func FuzzBIFArgs(f *testing.F) {
	pid := etf.PID{Node: "fzsvc@127.0.0.1", ID: 1, Creation: 1}
	for _, args := range []etf.List{
		{},
		{pid},
		{pid, etf.Atom("status")},
		{pid, etf.List{etf.Atom("status"), etf.Atom("messages"), 3}},
		{pid, etf.ImproperList{Elems: []etf.Term{etf.Atom("status")}, Tail: etf.Atom("x")}},
		{etf.Atom("nonsense")},
		{etf.List{etf.Atom("visible"), etf.Atom("hidden"), 1}},
		{-1},
		{1 << 40},
		{etf.Tuple{}},
		{etf.Map{{Key: 1, Value: 2}}},
	} {
		b, err := etf.Encode(args)
		if err != nil {
			f.Fatal(err)
		}
		for i := range 48 {
			f.Add(uint8(i), b)
		}
	}
	n, s := fuzzNode(f)
	mfas := bifMFAs(s)
	if len(mfas) < 30 {
		f.Fatalf("only %d BIFs registered", len(mfas))
	}
	me := n.Processes()[0]
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		term, err := etf.Decode(data)
		if err != nil {
			return
		}
		args, ok := term.(etf.List)
		if !ok {
			args = etf.List{term}
		}
		m := mfas[int(which)%len(mfas)]
		for len(args) < m.Arity {
			args = append(args, me) // a live local pid where the term gave none
		}
		args = args[:m.Arity]
		fn, _ := s.reg.get(m)
		_, err = fn(context.Background(), args)
		var ex *Exception
		if err != nil && (!errors.As(err, &ex) || ex.Class != ClassError ||
			(ex.Reason != atomBadarg && ex.Reason != etf.Atom("function_clause"))) {
			t.Fatalf("%s(%s): %v", m, etf.Format(args), err)
		}
	})
}

func TestInUnit(t *testing.T) {
	const ns = 3_600_000_000_123 // an hour and 123 ns
	for _, c := range []struct {
		unit etf.Term
		want int64
	}{
		{etf.Atom("second"), 3600}, {etf.Atom("millisecond"), 3_600_000}, {etf.Atom("microsecond"), 3_600_000_000},
		{etf.Atom("nanosecond"), ns}, {etf.Atom("native"), ns}, {1000, 3_600_000}, {3, 10800}, {7, 25200},
	} {
		got, err := inUnit(ns, c.unit)
		if err != nil || got != c.want {
			t.Errorf("%v: %v, %v; want %d", c.unit, got, err, c.want)
		}
	}
	got, err := inUnit(ns, 1<<52)
	if v, ok := got.(*big.Int); err != nil || !ok || v.Cmp(new(big.Int).Div(new(big.Int).Mul(big.NewInt(ns), big.NewInt(1<<52)), big.NewInt(1e9))) != 0 {
		t.Errorf("2^52 parts: %v, %v", got, err)
	}
	for _, bad := range []etf.Term{0, -5, etf.Atom("fortnight"), 1.5} {
		if _, err := inUnit(ns, bad); !errors.Is(err, errBadarg) {
			t.Errorf("%v: %v, want badarg", bad, err)
		}
	}
}
