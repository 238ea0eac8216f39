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

type Status int

type Inner struct {
	Label string `etf:"label"`
	N     int    `etf:"n"`
}

type Base struct {
	ID   int64  `etf:"id"`
	Kind string `etf:"kind"`
}

type Everything struct {
	Base                       // embedded: id, kind promoted
	Name     string            `etf:"name"`
	Age      uint8             `etf:"age"`
	Score    float64           `etf:"score"`
	Ratio    float32           `etf:"ratio"`
	Admin    bool              `etf:"admin"`
	Raw      []byte            `etf:"raw"`
	Tags     []string          `etf:"tags"`
	Grid     [2][2]int         `etf:"grid"`
	UUID     [4]byte           `etf:"uuid"`
	Attrs    map[string]int    `etf:"attrs"`
	ByID     map[int]string    `etf:"by_id"`
	Ptr      *Inner            `etf:"ptr"`
	NilPtr   *Inner            `etf:"nil_ptr"`
	Any      any               `etf:"any"`
	Status   Status            `etf:"status"`
	Atom     Atom              `etf:"atom"`
	Pid      PID               `etf:"pid"`
	Big      *big.Int          `etf:"big"`
	Nested   []Inner           `etf:"nested"`
	Skipped  string            `etf:"-"`
	Omitted  string            `etf:"omitted,omitempty"`
	Untagged int               // key "Untagged"
	private  int               //nolint:unused // never encoded
	Keyed    map[Atom]Tuple    `etf:"keyed"`
	Deep     map[string][]bool `etf:"deep"`
}

type ExUser struct {
	_     ElixirStruct `etf:"Elixir.MyApp.User"`
	Name  string       `etf:"name"`
	Age   int          `etf:"age"`
	Email *string      `etf:"email,omitempty"` // omitempty ignored for Elixir structs
}

type Point struct {
	_    Record `etf:"point"`
	X, Y int
}

type Pair2 struct {
	_ Record `etf:""`
	A string
	B float64
}

type Plain struct {
	A int
	B string
}

// Temperature encodes itself as {celsius, Float}.
type Temperature float64

func (t Temperature) MarshalTerm() (Term, error) {
	return Tuple{Atom("celsius"), float64(t)}, nil
}

func (t *Temperature) UnmarshalTerm(term Term) error {
	tup, ok := term.(Tuple)
	if !ok || len(tup) != 2 || tup[0] != Term(Atom("celsius")) {
		return errNotTemperature
	}
	f, ok := tup[1].(float64)
	if !ok {
		return errors.New("bad degrees")
	}
	*t = Temperature(f)
	return nil
}

func sampleEverything() Everything {
	return Everything{
		Base:     Base{ID: -42, Kind: "k"},
		Name:     "héllo",
		Age:      255,
		Score:    -1.5,
		Ratio:    0.25,
		Admin:    true,
		Raw:      []byte{0, 1, 255},
		Tags:     []string{"a", "b"},
		Grid:     [2][2]int{{1, 2}, {3, 4}},
		UUID:     [4]byte{9, 8, 7, 6},
		Attrs:    map[string]int{"x": 1, "y": -2},
		ByID:     map[int]string{1: "one", 1 << 40: "big"},
		Ptr:      &Inner{Label: "in", N: 7},
		Any:      Tuple{Atom("ok"), 1},
		Status:   3,
		Atom:     "some_atom",
		Pid:      PID{Node: "a@b", ID: 1, Serial: 2, Creation: 3},
		Big:      new(big.Int).Lsh(big.NewInt(1), 100),
		Nested:   []Inner{{"a", 1}, {"b", 2}},
		Untagged: 5,
		Keyed:    map[Atom]Tuple{"k": {1, 2}},
		Deep:     map[string][]bool{"z": {true, false}},
	}
}

func TestToTermShapes(t *testing.T) {
	nilAtom := Atom("nil")
	cases := map[string]struct {
		in   any
		opts []Option
		want Term
	}{
		"int":             {in: int8(-5), want: -5},
		"uint64 max":      {in: uint64(math.MaxUint64), want: new(big.Int).SetUint64(math.MaxUint64)},
		"named int":       {in: Status(2), want: 2},
		"float32":         {in: float32(0.5), want: 0.5},
		"bool":            {in: true, want: Atom("true")},
		"string binary":   {in: "abc", want: []byte("abc")},
		"string charlist": {in: "abc", opts: []Option{WithStringsAsCharlists()}, want: Charlist("abc")},
		"nil":             {in: nil, want: nilAtom},
		"nil undefined":   {in: nil, opts: []Option{WithNilAtom("undefined")}, want: Atom("undefined")},
		"nil pointer":     {in: (*Inner)(nil), want: nilAtom},
		"nil slice":       {in: []int(nil), want: List(nil)},
		"nil map":         {in: map[string]int(nil), want: Map{}},
		"bytes":           {in: []byte("x"), want: []byte("x")},
		"byte array":      {in: [2]byte{1, 2}, want: []byte{1, 2}},
		"int array":       {in: [2]int{1, 2}, want: List{1, 2}},
		"slice":           {in: []string{"a"}, want: List{[]byte("a")}},
		"any slice nil":   {in: []any{nil, 1}, want: List{nilAtom, 1}},
		"map sorted":      {in: map[string]int{"b": 2, "a": 1}, want: Map{{[]byte("a"), 1}, {[]byte("b"), 2}}},
		"map atom keys":   {in: map[string]int{"a": 1}, opts: []Option{WithAtomMapKeys()}, want: Map{{Atom("a"), 1}}},
		"struct":          {in: Inner{"x", 1}, want: Map{{Atom("label"), []byte("x")}, {Atom("n"), 1}}},
		"struct binary keys": {in: Inner{"x", 1}, opts: []Option{WithBinaryFieldKeys()},
			want: Map{{[]byte("label"), []byte("x")}, {[]byte("n"), 1}}},
		"struct as tuple": {in: Plain{1, "b"}, opts: []Option{WithStructsAsTuples()}, want: Tuple{1, []byte("b")}},
		"record":          {in: Point{X: 1, Y: 2}, want: Tuple{Atom("point"), 1, 2}},
		"record untagged": {in: Pair2{A: "a", B: 2}, want: Tuple{[]byte("a"), 2.0}},
		"elixir struct": {in: ExUser{Name: "al", Age: 3}, want: Map{
			{Atom("__struct__"), Atom("Elixir.MyApp.User")},
			{Atom("name"), []byte("al")}, {Atom("age"), 3}, {Atom("email"), nilAtom}}},
		"marshaler":      {in: Temperature(21.5), want: Tuple{Atom("celsius"), 21.5}},
		"text marshaler": {in: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), want: []byte("2024-01-02T03:04:05Z")},
		"keyword":        {in: Keyword{{"a", 1}, {"b", "x"}, {"a", nil}}, want: List{Tuple{Atom("a"), 1}, Tuple{Atom("b"), []byte("x")}, Tuple{Atom("a"), nilAtom}}},
		"term passthru":  {in: Tuple{Atom("ok"), List{1}}, want: Tuple{Atom("ok"), List{1}}},
		"term nested go": {in: Tuple{Atom("ok"), Inner{"x", 1}}, want: Tuple{Atom("ok"), Map{{Atom("label"), []byte("x")}, {Atom("n"), 1}}}},
		"term nil elem":  {in: Tuple{nil}, want: Tuple{nil}},
		"omitempty": {in: struct {
			A int `etf:"a,omitempty"`
			B int `etf:"b"`
		}{}, want: Map{{Atom("b"), 0}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ToTerm(tc.in, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !Equal(tc.want, got) {
				t.Fatalf("want %#v\ngot  %#v", tc.want, got)
			}
			// Equal treats nil and [] alike; check the Go shape of lists too.
			if reflect.TypeOf(tc.want) != reflect.TypeOf(got) {
				t.Fatalf("want type %T, got %T", tc.want, got)
			}
		})
	}
}

func TestToTermPassesTermsThrough(t *testing.T) {
	tup := Tuple{Atom("a"), List{1, 2}, Map{{Atom("k"), []byte("v")}}}
	got, err := ToTerm(tup)
	if err != nil {
		t.Fatal(err)
	}
	// Same backing array: no copy was made.
	if &tup[0] != &got.(Tuple)[0] {
		t.Fatal("ToTerm copied a pure term")
	}
}

func TestMarshalErrors(t *testing.T) {
	type cyc struct {
		Next *cyc
	}
	loop := &cyc{}
	loop.Next = loop
	cases := map[string]struct {
		in   any
		want error
		path string
	}{
		"chan":      {in: make(chan int), want: ErrUnsupportedType},
		"func":      {in: func() {}, want: ErrUnsupportedType},
		"complex":   {in: complex(1, 2), want: ErrUnsupportedType},
		"nan":       {in: math.NaN(), want: ErrInvalidTerm},
		"inf field": {in: struct{ F float32 }{float32(math.Inf(1))}, want: ErrInvalidTerm, path: ".F"},
		"nested":    {in: map[string][]any{"k": {1, make(chan int)}}, want: ErrUnsupportedType, path: "[k][1]"},
		"cycle":     {in: loop, want: ErrInvalidTerm},
		"marshaler": {in: failing{}, want: errFailing},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Marshal(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var me *MarshalError
			if !errors.As(err, &me) {
				t.Fatalf("err %T is not a *MarshalError", err)
			}
			if tc.path != "" && me.Path != tc.path {
				t.Fatalf("path = %q, want %q", me.Path, tc.path)
			}
		})
	}
}

var (
	errFailing        = errors.New("failing marshaler")
	errNotTemperature = errors.New("not a temperature")
)

type failing struct{}

func (failing) MarshalTerm() (Term, error) { return nil, errFailing }

func TestEncoderHandlesGoValues(t *testing.T) {
	// The low-level Encoder hands non-term Go values to the reflection
	// layer, so the node layer can send structs directly.
	in := Tuple{Atom("reply"), Inner{"x", 1}, []string{"a"}}
	direct, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	viaTerm, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaTerm, direct) {
		t.Fatalf("Encode %x\nMarshal %x", direct, viaTerm)
	}
}

// benchUser is the shared representative term (see ../shared/README.md,
// etf-term) as a Go type: {user, 12345, <<100 bytes>>, [1..10],
// #{name => <<"alice">>, age => 30, admin => true, tags => [a,b,c], score => 1.5}}.
type benchUser struct {
	_       Record `etf:"user"`
	ID      int
	Blob    []byte
	Nums    []int
	Profile benchProfile
}

type benchProfile struct {
	Name  string  `etf:"name"`
	Age   int     `etf:"age"`
	Admin bool    `etf:"admin"`
	Tags  []Atom  `etf:"tags"`
	Score float64 `etf:"score"`
}

func newBenchUser() benchUser {
	return benchUser{
		ID:      12345,
		Blob:    bytes.Repeat([]byte{7}, 100),
		Nums:    []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		Profile: benchProfile{Name: "alice", Age: 30, Admin: true, Tags: []Atom{"a", "b", "c"}, Score: 1.5},
	}
}

func BenchmarkMarshalStruct(b *testing.B) {
	u := newBenchUser()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalStruct(b *testing.B) {
	data, err := Marshal(newBenchUser())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var u benchUser
		if err := Unmarshal(data, &u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertStruct(b *testing.B) {
	t, err := ToTerm(newBenchUser())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var u benchUser
		if err := Convert(t, &u); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	// Many goroutines hitting a type for the first time share the type
	// caches; -race checks them.
	type fresh struct {
		A int    `etf:"a"`
		B string `etf:"b"`
		C []Inner
	}
	done := make(chan error)
	for i := range 8 {
		go func() {
			b, err := Marshal(fresh{A: i, B: "x", C: []Inner{{"l", i}}})
			if err == nil {
				var out fresh
				err = Unmarshal(b, &out)
				if err == nil && out.A != i {
					err = errors.New("wrong value")
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestElixirStructFieldNamedStruct(t *testing.T) {
	type weird struct {
		_      ElixirStruct `etf:"Elixir.W"`
		Struct string       `etf:"__struct__"`
		N      int          `etf:"n"`
	}
	got, err := ToTerm(weird{Struct: "x", N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(got, Map{{Atom("__struct__"), Atom("Elixir.W")}, {Atom("n"), 1}}) {
		t.Fatalf("got %#v", got)
	}
}

// ptrCelsius has its MarshalTerm on the pointer receiver.
type ptrCelsius struct{ C float64 }

func (p *ptrCelsius) MarshalTerm() (Term, error) { return Tuple{Atom("celsius"), p.C}, nil }

func TestPointerReceiverMarshaler(t *testing.T) {
	want := Tuple{Atom("celsius"), 1.5}
	for name, v := range map[string]any{
		"value":       ptrCelsius{1.5},
		"pointer":     &ptrCelsius{1.5},
		"map element": map[string]ptrCelsius{"k": {1.5}},
		"in slice":    []ptrCelsius{{1.5}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			switch x := got.(type) {
			case Map:
				got = x[0].Value
			case List:
				got = x[0]
			}
			if !Equal(got, want) {
				t.Fatalf("got %#v", got)
			}
		})
	}
}
