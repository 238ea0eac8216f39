package etf

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

// roundTrip marshals in, unmarshals into a fresh value of the same type and
// returns it.
func roundTrip(t *testing.T, in any, opts ...Option) any {
	t.Helper()
	b, err := Marshal(in, opts...)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if b[0] != TagVersion {
		t.Fatalf("Marshal output starts with %d, want 131", b[0])
	}
	// Marshal's direct path must produce exactly what the term path does.
	term, err := ToTerm(in, opts...)
	if err != nil {
		t.Fatalf("ToTerm: %v", err)
	}
	viaTerm, err := Encode(term)
	if err != nil {
		t.Fatalf("Encode(ToTerm): %v", err)
	}
	if !bytes.Equal(b, viaTerm) {
		t.Fatalf("Marshal and Encode(ToTerm) differ:\n%x\n%x", b, viaTerm)
	}
	out := reflect.New(reflect.TypeOf(in))
	if err := Unmarshal(b, out.Interface(), opts...); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	return out.Elem().Interface()
}

func TestRoundTrip(t *testing.T) {
	s := "str"
	cases := map[string]struct {
		in   any
		opts []Option
	}{
		"int":                {in: -1234567},
		"int8 min":           {in: int8(math.MinInt8)},
		"int16":              {in: int16(-300)},
		"int32 max":          {in: int32(math.MaxInt32)},
		"int64 min":          {in: int64(math.MinInt64)},
		"uint8 max":          {in: uint8(255)},
		"uint16 max":         {in: uint16(math.MaxUint16)},
		"uint32 max":         {in: uint32(math.MaxUint32)},
		"uint64 max":         {in: uint64(math.MaxUint64)},
		"uintptr":            {in: uintptr(7)},
		"float64":            {in: math.Pi},
		"float32":            {in: float32(1.25)},
		"neg zero":           {in: math.Copysign(0, -1)},
		"bool":               {in: false},
		"string":             {in: "héllo wörld ✓"},
		"string as list":     {in: "héllo ✓", opts: []Option{WithStringsAsCharlists()}},
		"empty string":       {in: ""},
		"bytes":              {in: []byte{0, 1, 2, 255}},
		"strings":            {in: []string{"a", "", "c"}},
		"ints":               {in: []int{1, -1, 1 << 40}},
		"nested slices":      {in: [][]uint16{{1}, {2, 3}, nil}},
		"array":              {in: [3]int{1, 2, 3}},
		"int pointers":       {in: func() []*int { a, b := 1, 300; return []*int{&a, &a, &b} }()},
		"small int pointers": {in: func() []*uint16 { a := uint16(7); return []*uint16{&a, &a} }()},
		"any small ints":     {in: []any{1, uint8(2), int64(3)}},
		"nested any":         {in: []any{[]any{1, 2}, map[string]any{"k": []int{1}}}},
		"byte array":         {in: [4]byte{1, 2, 3, 4}},
		"map str":            {in: map[string]float64{"a": 1.5, "b": -2}},
		"map int keys":       {in: map[int]string{-1: "m", 1 << 50: "big"}},
		"map bool keys":      {in: map[bool]int{true: 1, false: 0}},
		"map struct key":     {in: map[Inner]int{{"a", 1}: 1}},
		"map atom keys":      {in: map[string]int{"a": 1}, opts: []Option{WithAtomMapKeys()}},
		"pointer":            {in: &s},
		"ptr to ptr":         {in: func() **int { i := 5; p := &i; return &p }()},
		"struct":             {in: sampleEverything()},
		"struct undefined":   {in: sampleEverything(), opts: []Option{WithNilAtom("undefined")}},
		"struct bin keys":    {in: sampleEverything(), opts: []Option{WithBinaryFieldKeys()}},
		"struct tuples":      {in: Plain{A: 1, B: "x"}, opts: []Option{WithStructsAsTuples()}},
		"elixir struct":      {in: ExUser{Name: "José", Age: 41, Email: &s}},
		"elixir nil field":   {in: ExUser{Name: "a"}},
		"record":             {in: Point{X: -1, Y: 1 << 33}},
		"untagged record":    {in: Pair2{A: "a", B: 0.5}},
		"records in slice":   {in: []Point{{X: 1}, {Y: 2}}},
		"marshaler":          {in: Temperature(-3.5)},
		"marshaler field": {in: struct {
			T  Temperature  `etf:"t"`
			TP *Temperature `etf:"tp"`
		}{T: 1, TP: new(Temperature)}},
		"time":    {in: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)},
		"keyword": {in: Keyword{{"a", 1}, {"b", []byte("x")}, {"a", Atom("again")}}},
		"terms": {in: struct {
			T   Tuple        `etf:"t"`
			L   List         `etf:"l"`
			M   Map          `etf:"m"`
			I   ImproperList `etf:"i"`
			P   PID          `etf:"p"`
			R   Ref          `etf:"r"`
			Po  Port         `etf:"po"`
			E   Export       `etf:"e"`
			B   BitString    `etf:"b"`
			C   Charlist     `etf:"c"`
			A   Atom         `etf:"a"`
			BI  big.Int      `etf:"bi"`
			Any []any        `etf:"any"`
		}{
			T:  Tuple{Atom("x"), 1},
			L:  List{1, 2},
			M:  Map{{Tuple{1, 2}, List{3}}},
			I:  ImproperList{Elems: []Term{1}, Tail: 2},
			P:  PID{Node: "n@h", ID: 5, Serial: 0, Creation: 1},
			R:  Ref{Node: "n@h", Creation: 1, Len: 3, ID: [5]uint32{1, 2, 3}},
			Po: Port{Node: "n@h", ID: 9, Creation: 1},
			E:  Export{Module: "lists", Function: "map", Arity: 2},
			B:  BitString{Bytes: []byte{0xF0}, Bits: 4},
			C:  Charlist("abc"),
			A:  "atom",
			BI: *new(big.Int).Lsh(big.NewInt(-3), 200),
			Any: []any{Atom("a"), 1, 2.5, []byte("bin"), Tuple{Atom("t")},
				List{1}, Map{{Atom("k"), Atom("v")}}},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := roundTrip(t, tc.in, tc.opts...)
			if !reflect.DeepEqual(normalizeBig(tc.in), normalizeBig(got)) {
				t.Fatalf("round trip changed the value\nin:  %#v\nout: %#v", tc.in, got)
			}
		})
	}
}

// normalizeBig makes values holding big.Int comparable with DeepEqual (its
// internal slice capacity and the abs of zero vary).
func normalizeBig(v any) any {
	b, err := Marshal(v)
	if err != nil {
		return v
	}
	return string(b)
}

func TestUnmarshalIntoAny(t *testing.T) {
	in := Tuple{Atom("ok"), List{1, []byte("x")}, Map{{Atom("k"), 2.5}}}
	b, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !Equal(in, got) {
		t.Fatalf("got %#v", got)
	}
	if _, ok := got.(Tuple); !ok {
		t.Fatalf("decoding into any gave %T, want Tuple", got)
	}
}

func TestUnmarshalMalformed(t *testing.T) {
	var x Inner
	err := Unmarshal([]byte{131, 104}, &x)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	err = Unmarshal([]byte{131, 97, 1}, &x)
	if !errors.Is(err, ErrType) {
		t.Fatalf("err = %v, want ErrType", err)
	}
}

func TestAs(t *testing.T) {
	msg := Map{{Atom("__struct__"), Atom("Elixir.MyApp.User")}, {Atom("name"), []byte("al")}, {Atom("age"), 30}}
	u, err := As[ExUser](msg)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "al" || u.Age != 30 {
		t.Fatalf("got %+v", u)
	}
	if _, err := As[int](Atom("x")); !errors.Is(err, ErrType) {
		t.Fatalf("err = %v", err)
	}
}

func TestEmbeddedPointerAllocated(t *testing.T) {
	type Outer struct {
		*Base
		X int `etf:"x"`
	}
	var o Outer
	if err := Convert(Map{{Atom("id"), 5}, {Atom("x"), 1}}, &o); err != nil {
		t.Fatal(err)
	}
	if o.Base == nil || o.ID != 5 || o.X != 1 {
		t.Fatalf("got %+v", o)
	}
	// Encoding with a nil embedded pointer skips its fields.
	got, err := ToTerm(Outer{X: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(got, Map{{Atom("x"), 1}}) {
		t.Fatalf("got %#v", got)
	}
}

func TestFieldConflicts(t *testing.T) {
	type A struct{ Name string }
	type B struct{ Name string }
	type C struct {
		Name string `etf:"Name"`
	}
	type Both struct {
		A
		B
	}
	type Tagged struct {
		A
		C
	}
	got, _ := ToTerm(Both{A{"a"}, B{"b"}})
	if !Equal(got, Map{}) {
		t.Fatalf("ambiguous field kept: %#v", got)
	}
	got, _ = ToTerm(Tagged{A{"a"}, C{"c"}})
	if !Equal(got, Map{{Atom("Name"), []byte("c")}}) {
		t.Fatalf("tagged field should win: %#v", got)
	}
}

// fuzzTarget has a field of every kind the reflection layer handles.
type fuzzTarget struct {
	I8   int8              `etf:"i8"`
	U16  uint16            `etf:"u16"`
	I64  int64             `etf:"i64"`
	U64  uint64            `etf:"u64"`
	F32  float32           `etf:"f32"`
	F64  float64           `etf:"f64"`
	B    bool              `etf:"b"`
	S    string            `etf:"s"`
	Raw  []byte            `etf:"raw"`
	Arr  [3]byte           `etf:"arr"`
	IArr [2]int            `etf:"iarr"`
	Sl   []string          `etf:"sl"`
	M    map[string]int    `etf:"m"`
	MA   map[any]any       `etf:"ma"`
	P    *Inner            `etf:"p"`
	Any  any               `etf:"any"`
	A    Atom              `etf:"a"`
	T    Tuple             `etf:"t"`
	Pid  PID               `etf:"pid"`
	Big  *big.Int          `etf:"big"`
	Rec  Point             `etf:"rec"`
	Ex   *ExUser           `etf:"ex"`
	KW   Keyword           `etf:"kw"`
	Temp Temperature       `etf:"temp"`
	Tm   time.Time         `etf:"tm"`
	Nest map[int][]*Inner  `etf:"nest"`
	CL   Charlist          `etf:"cl"`
	BS   BitString         `etf:"bs"`
	Deep [][]map[Atom]bool `etf:"deep"`
	PI   []*int8           `etf:"pi"`
	AI   []any             `etf:"ai"`
}

func FuzzUnmarshal(f *testing.F) {
	seeds := []any{
		sampleEverything(),
		fuzzTarget{I8: -1, U64: math.MaxUint64, S: "s", Sl: []string{"a"}, M: map[string]int{"k": 1},
			MA: map[any]any{Atom("a"): 1}, P: &Inner{"x", 1}, Any: Tuple{1}, Big: big.NewInt(1),
			Rec: Point{X: 1}, Ex: &ExUser{Name: "n"}, KW: Keyword{{"k", 1}}, Temp: 2,
			Nest: map[int][]*Inner{1: {nil, {}}}, CL: "abc", Deep: [][]map[Atom]bool{{{"t": true}}}},
		Map{{Atom("i8"), 300}, {Atom("u16"), -1}, {Atom("b"), Atom("maybe")}},
		Map{{Atom("s"), Charlist("abc")}, {Atom("raw"), List{1, 2}}, {Atom("arr"), []byte{1, 2, 3}}},
		Map{{Atom("rec"), Tuple{Atom("point"), 1}}, {Atom("ex"), Map{{Atom("__struct__"), Atom("x")}}}},
		List{Tuple{Atom("sl"), Tuple{[]byte("a")}}},
		Map{{Atom("ma"), Map{{List{1}, 1}}}},
		Map{{Atom("pi"), List{1, 2, Atom("nil")}}, {Atom("ai"), Charlist("ab")}},
	}
	for _, s := range seeds {
		b, err := Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{131, 116, 0, 0, 0, 1, 100, 0, 2, 'i', '8', 110, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{131, 104, 1, 106})
	f.Add([]byte{131})
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzTarget
		if err := Unmarshal(data, &v); err != nil {
			return
		}
		// Whatever was accepted must encode, and encode stably.
		b1, err := Marshal(v)
		if err != nil {
			t.Fatalf("Marshal of decoded value: %v", err)
		}
		// The direct encoder and the term path agree (compared as terms:
		// map[any]any has no stable order).
		term, err := ToTerm(v)
		if err != nil {
			t.Fatalf("ToTerm of decoded value: %v", err)
		}
		bt, err := Encode(term)
		if err != nil {
			t.Fatalf("Encode(ToTerm) of decoded value: %v", err)
		}
		if len(v.MA) <= 1 && !bytes.Equal(b1, bt) {
			// Without an unordered map[any]any the bytes must match.
			t.Fatalf("Marshal and Encode(ToTerm) bytes differ:\n%x\n%x", b1, bt)
		}
		back1, err1 := Decode(b1)
		back2, err2 := Decode(bt)
		if err1 != nil || err2 != nil || !Equal(back1, back2) {
			t.Fatalf("Marshal and Encode(ToTerm) disagree (%v, %v):\n%#v\n%#v", err1, err2, back1, back2)
		}
		var v2 fuzzTarget
		if err := Unmarshal(b1, &v2); err != nil {
			t.Fatalf("Unmarshal of re-encoded value: %v", err)
		}
		b2, err := Marshal(v2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("unstable:\n%x\n%x", b1, b2)
		}
	})
}

func TestUnmarshalWithLimits(t *testing.T) {
	b, err := Marshal([][][]int{{{1}}})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := Unmarshal(b, &v, WithLimits(Limits{MaxDepth: 1})); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("err = %v, want ErrTooDeep", err)
	}
	if err := Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
}
