package etf

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
)

// TestConvertRules checks the lenient conversions from terms that other
// nodes actually send.
func TestConvertRules(t *testing.T) {
	big2_64 := new(big.Int).Lsh(big.NewInt(1), 64)
	type Opt struct {
		P   *int           `etf:"p"`
		S   []int          `etf:"s"`
		M   map[string]int `etf:"m"`
		N   int            `etf:"n"`
		Str string         `etf:"str"`
	}
	cases := map[string]struct {
		term Term
		into func() any // returns a pointer to a fresh target
		want any        // expected dereferenced value
		opts []Option
	}{
		"charlist to string":        {term: Charlist("abc"), into: ptr[string], want: "abc"},
		"list of ints to string":    {term: List{104, 105, 0x2713}, into: ptr[string], want: "hi✓"},
		"atom to string":            {term: Atom("ok"), into: ptr[string], want: "ok"},
		"empty list to string":      {term: List(nil), into: ptr[string], want: ""},
		"binary to atom":            {term: []byte("ok"), into: ptr[Atom], want: Atom("ok")},
		"nil atom to atom":          {term: Atom("nil"), into: ptr[Atom], want: Atom("nil")},
		"nil to pointer":            {term: Atom("nil"), into: func() any { i := 1; p := &i; return &p }, want: (*int)(nil)},
		"undefined to pointer":      {term: Atom("undefined"), into: func() any { i := 1; p := &i; return &p }, want: (*int)(nil)},
		"custom nil to pointer":     {term: Atom("none"), opts: []Option{WithNilAtom("none")}, into: ptr[*int], want: (*int)(nil)},
		"nil to slice":              {term: Atom("nil"), into: func() any { s := []int{1}; return &s }, want: []int(nil)},
		"nil to string":             {term: Atom("nil"), into: ptr[string], want: ""},
		"nil to int":                {term: Atom("undefined"), into: ptr[int], want: 0},
		"nil to any keeps atom":     {term: Atom("nil"), into: ptr[any], want: Atom("nil")},
		"tuple to slice":            {term: Tuple{1, 2}, into: ptr[[]int], want: []int{1, 2}},
		"charlist to ints":          {term: Charlist("ab"), into: ptr[[]int], want: []int{97, 98}},
		"charlist to bytes":         {term: Charlist("ab"), into: ptr[[]byte], want: []byte("ab")},
		"list to bytes":             {term: List{1, 2}, into: ptr[[]byte], want: []byte{1, 2}},
		"tuple to array":            {term: Tuple{1, 2}, into: ptr[[2]int8], want: [2]int8{1, 2}},
		"int to float":              {term: 3, into: ptr[float64], want: 3.0},
		"big to float":              {term: big2_64, into: ptr[float64], want: math.Exp2(64)},
		"big to uint64":             {term: new(big.Int).SetUint64(math.MaxUint64), into: ptr[uint64], want: uint64(math.MaxUint64)},
		"small big to int64":        {term: big.NewInt(-5), into: ptr[int64], want: int64(-5)},
		"int to big":                {term: 7, into: ptr[*big.Int], want: big.NewInt(7)},
		"atom keys to map":          {term: Map{{Atom("a"), 1}, {[]byte("b"), 2}, {Charlist("c"), 3}}, into: ptr[map[string]int], want: map[string]int{"a": 1, "b": 2, "c": 3}},
		"keyword to map":            {term: List{Tuple{Atom("a"), 1}, Tuple{Atom("b"), 2}}, into: ptr[map[Atom]int], want: map[Atom]int{"a": 1, "b": 2}},
		"keyword to struct":         {term: List{Tuple{Atom("label"), []byte("x")}, Tuple{Atom("n"), 2}}, into: ptr[Inner], want: Inner{"x", 2}},
		"binary keys to struct":     {term: Map{{[]byte("label"), []byte("x")}, {[]byte("n"), 2}}, into: ptr[Inner], want: Inner{"x", 2}},
		"case-insensitive keys":     {term: Map{{Atom("a"), 1}, {Atom("b"), []byte("x")}}, into: ptr[Plain], want: Plain{1, "x"}},
		"unknown keys ignored":      {term: Map{{Atom("zzz"), 1}, {Tuple{}, 2}, {Atom("n"), 3}}, into: ptr[Inner], want: Inner{N: 3}},
		"struct ignores __struct__": {term: Map{{Atom("__struct__"), Atom("Elixir.X")}, {Atom("n"), 3}}, into: ptr[Inner], want: Inner{N: 3}},
		"elixir without __struct__": {term: Map{{Atom("name"), []byte("a")}, {Atom("age"), 1}}, into: ptr[ExUser], want: ExUser{Name: "a", Age: 1}},
		"nils in struct": {term: Map{{Atom("p"), Atom("nil")}, {Atom("s"), Atom("nil")}, {Atom("m"), Atom("nil")}, {Atom("n"), Atom("nil")}, {Atom("str"), Atom("nil")}},
			into: ptr[Opt], want: Opt{}},
		"ref to alias":          {term: Ref{Node: "a", Len: 3}, into: ptr[Alias], want: Alias{Node: "a", Len: 3}},
		"binary to bitstring":   {term: []byte{1}, into: ptr[BitString], want: BitString{Bytes: []byte{1}, Bits: 8}},
		"charlist to List":      {term: Charlist("a"), into: ptr[List], want: List{97}},
		"list to Charlist":      {term: List{97, 98}, into: ptr[Charlist], want: Charlist("ab")},
		"hand-built go values":  {term: Tuple{int32(1), "two", true}, into: ptr[[]any], want: []any{int32(1), "two", true}},
		"hand-built into typed": {term: Tuple{int32(1), int64(2)}, into: ptr[[]uint8], want: []uint8{1, 2}},
		"bool":                  {term: Atom("true"), into: ptr[bool], want: true},
		"empty list into map":   {term: List(nil), into: ptr[map[string]int], want: map[string]int{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := tc.into()
			if err := Convert(tc.term, p, tc.opts...); err != nil {
				t.Fatalf("Convert: %v", err)
			}
			got := reflect.ValueOf(p).Elem().Interface()
			if bg, ok := got.(*big.Int); ok {
				if bg.Cmp(tc.want.(*big.Int)) != 0 {
					t.Fatalf("got %v want %v", bg, tc.want)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func ptr[T any]() any { return new(T) }

func TestConvertErrors(t *testing.T) {
	cases := map[string]struct {
		term Term
		into any
		want error
		path string
		opts []Option
	}{
		"300 into uint8":        {term: 300, into: new(uint8), want: ErrOverflow},
		"-1 into uint":          {term: -1, into: new(uint), want: ErrOverflow},
		"-129 into int8":        {term: -129, into: new(int8), want: ErrOverflow},
		"2^31 into int32":       {term: 1 << 31, into: new(int32), want: ErrOverflow},
		"2^63 into int64":       {term: new(big.Int).Lsh(big.NewInt(1), 63), into: new(int64), want: ErrOverflow},
		"2^64 into uint64":      {term: new(big.Int).Lsh(big.NewInt(1), 64), into: new(uint64), want: ErrOverflow},
		"neg big into uint64":   {term: new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 64)), into: new(uint64), want: ErrOverflow},
		"huge into float32":     {term: 1e300, into: new(float32), want: ErrOverflow},
		"huge big into float":   {term: new(big.Int).Lsh(big.NewInt(1), 2000), into: new(float64), want: ErrOverflow},
		"float into int":        {term: 1.0, into: new(int), want: ErrType},
		"atom into int":         {term: Atom("x"), into: new(int), want: ErrType},
		"binary into bool":      {term: []byte("true"), into: new(bool), want: ErrType},
		"other atom into bool":  {term: Atom("yes"), into: new(bool), want: ErrType},
		"int into string":       {term: 1, into: new(string), want: ErrType},
		"bad code point":        {term: List{0xD800}, into: new(string), want: ErrType},
		"map into slice":        {term: Map{}, into: new([]int), want: ErrType},
		"improper into slice":   {term: ImproperList{Elems: []Term{1}, Tail: 2}, into: new([]int), want: ErrType},
		"wrong array size":      {term: List{1}, into: new([2]int), want: ErrType},
		"wrong byte array size": {term: []byte{1}, into: new([2]byte), want: ErrType},
		"big char into bytes":   {term: Charlist("✓"), into: new([]byte), want: ErrOverflow, path: "[0]"},
		"tuple into struct":     {term: Tuple{1}, into: new(Inner), want: ErrType},
		"wrong record name":     {term: Tuple{Atom("pt"), 1, 2}, into: new(Point), want: ErrType},
		"wrong record size":     {term: Tuple{Atom("point"), 1}, into: new(Point), want: ErrType},
		"empty tuple record":    {term: Tuple{}, into: new(Point), want: ErrType},
		"map into record":       {term: Map{}, into: new(Point), want: ErrType},
		"wrong elixir module":   {term: Map{{Atom("__struct__"), Atom("Elixir.Other")}}, into: new(ExUser), want: ErrType, path: ".__struct__"},
		"non-atom __struct__":   {term: Map{{Atom("__struct__"), List{1}}}, into: new(ExUser), want: ErrType},
		"unknown field strict":  {term: Map{{Atom("zzz"), 1}}, into: new(Inner), want: ErrUnknownField, opts: []Option{WithDisallowUnknownFields()}},
		"nested path":           {term: Map{{Atom("nested"), List{Map{{Atom("n"), Atom("x")}}}}}, into: new(Everything), want: ErrType, path: ".nested[0].n"},
		"map value path":        {term: Map{{[]byte("k"), 1.5}}, into: new(map[string]int), want: ErrType, path: `["k"]`},
		"uncomparable key":      {term: Map{{List{1}, 1}}, into: new(map[any]int), want: ErrType},
		"unmarshaler error":     {term: 1, into: new(Temperature), want: errNotTemperature},
		"keyword bad elem":      {term: List{1}, into: new(Keyword), want: ErrType},
		"chan target":           {term: 1, into: new(chan int), want: ErrUnsupportedType},
		"non-empty interface":   {term: 1, into: new(error), want: ErrType},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Convert(tc.term, tc.into, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var ute *UnmarshalTypeError
			if !errors.As(err, &ute) {
				t.Fatalf("err %T is not an *UnmarshalTypeError", err)
			}
			if tc.path != "" && ute.Path != tc.path {
				t.Fatalf("path = %q, want %q (%v)", ute.Path, tc.path, err)
			}
			_ = err.Error() // must not panic
		})
	}
}

func TestConvertTargetMustBePointer(t *testing.T) {
	var x int
	for _, v := range []any{nil, x, (*int)(nil)} {
		if err := Convert(1, v); !errors.Is(err, ErrInvalidTarget) {
			t.Fatalf("Convert into %T: err = %v", v, err)
		}
	}
}

func TestConvertMergesIntoExisting(t *testing.T) {
	// As encoding/json: fields absent from the map keep their values and
	// maps are merged into.
	v := struct {
		A int            `etf:"a"`
		B int            `etf:"b"`
		M map[string]int `etf:"m"`
	}{A: 1, B: 2, M: map[string]int{"old": 1}}
	if err := Convert(Map{{Atom("b"), 3}, {Atom("m"), Map{{[]byte("new"), 2}}}}, &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 1 || v.B != 3 || v.M["old"] != 1 || v.M["new"] != 2 {
		t.Fatalf("got %+v", v)
	}
}
