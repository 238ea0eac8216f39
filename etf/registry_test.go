package etf

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"testing"
	"time"
)

type regStatus string

type regUserID int64

type regItem struct {
	SKU string
	Qty int
}

type regBase struct {
	Customer string `etf:"customer"`
}

type regOrder struct {
	ID     int64
	Item   string
	Price  float64
	Status regStatus
	Lines  []regItem
	ByName map[string]regItem
	Placed time.Time
	TTL    time.Duration
	Note   *string
	regBase
	Extra any
	Skip  string `etf:"-"`
}

type regPoint struct {
	X, Y int
}

type regSKUs []string

type regStockError struct {
	Item string
	Left int
}

func (e regStockError) Error() string { return fmt.Sprintf("%s: %d left", e.Item, e.Left) }

var errRegOutOfStock = errors.New("out of stock")

func testRegistry(t testing.TB, opts ...RegistryOption) *Registry {
	t.Helper()
	r := NewRegistry(opts...)
	noErr(t, Register[regOrder](r, "Elixir.Shop.Order"))
	noErr(t, Register[regItem](r, "Elixir.Shop.Item"))
	noErr(t, Register[regStatus](r, "Elixir.Shop.Status"))
	noErr(t, Register[regPoint](r, "point", AsRecord()))
	noErr(t, Register[regSKUs](r, "Elixir.Shop.SKUs"))
	noErr(t, Register[*regStockError](r, "Elixir.Shop.StockError"))
	noErr(t, r.RegisterError("out_of_stock", errRegOutOfStock))
	return r
}

func sampleOrder() regOrder {
	note := "gift"
	return regOrder{
		ID: 1, Item: "book", Price: 9.5, Status: "open",
		Lines:   []regItem{{SKU: "b-1", Qty: 2}, {SKU: "b-2", Qty: 1}},
		ByName:  map[string]regItem{"x": {SKU: "x", Qty: 3}},
		Placed:  time.Date(2026, 12, 1, 23, 4, 5, 123456789, time.UTC),
		TTL:     90 * time.Second,
		Note:    &note,
		regBase: regBase{Customer: "ann"},
		Extra:   regPoint{X: 1, Y: 2},
	}
}

func TestRegistryRoundTrip(t *testing.T) {
	r := testRegistry(t)
	zeroTime := regOrder{Status: "x", ByName: map[string]regItem{}}
	cases := []struct {
		name string
		v    any
	}{
		{"struct", sampleOrder()},
		{"zero fields and zero time", zeroTime},
		{"record", regPoint{X: -3, Y: 1 << 40}},
		{"named scalar", regStatus("shipped")},
		{"named slice", regSKUs{"a", "b"}},
		{"pointer type", &regStockError{Item: "book", Left: 0}},
		{"sentinel", errRegOutOfStock},
		{"far time", regOrder{Placed: time.Date(9999, 1, 1, 0, 0, 0, 1, time.UTC), ByName: map[string]regItem{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := r.Encode(c.v)
			noErr(t, err)
			got, matched, err := r.Decode(b)
			noErr(t, err)
			if !matched {
				t.Fatalf("not matched: %v", got)
			}
			if !reflect.DeepEqual(got, c.v) {
				t.Fatalf("got  %#v\nwant %#v", got, c.v)
			}
			// The bytes equal the term the value stands for.
			term, err := r.ToTerm(c.v)
			noErr(t, err)
			b2, err := Encode(term)
			noErr(t, err)
			if !bytes.Equal(b, b2) {
				t.Fatalf("Encode(ToTerm) %x\n          Encode %x", b2, b)
			}
		})
	}
}

func TestRegistryShapes(t *testing.T) {
	r := testRegistry(t)
	o := sampleOrder()
	term, err := r.ToTerm(o)
	noErr(t, err)
	m, ok := term.(Map)
	if !ok {
		t.Fatalf("order is %#v, want a map", term)
	}
	want := map[Atom]Term{
		"__struct__": Atom("Elixir.Shop.Order"), "id": 1, "item": []byte("book"), "price": 9.5,
		"status": []byte("open"), "placed": int(o.Placed.UnixNano()), "ttl": int(90 * time.Second),
		"note": []byte("gift"), "customer": []byte("ann"),
		"lines": List{
			Map{{Atom("__struct__"), Atom("Elixir.Shop.Item")}, {Atom("qty"), 2}, {Atom("sku"), []byte("b-1")}},
			Map{{Atom("__struct__"), Atom("Elixir.Shop.Item")}, {Atom("qty"), 1}, {Atom("sku"), []byte("b-2")}},
		},
		"by_name": Map{{[]byte("x"), Map{{Atom("__struct__"), Atom("Elixir.Shop.Item")}, {Atom("qty"), 3}, {Atom("sku"), []byte("x")}}}},
		"extra":   Tuple{Atom("point"), 1, 2},
	}
	if len(m) != len(want) {
		t.Errorf("order has %d keys, want %d: %v", len(m), len(want), m)
	}
	for k, w := range want {
		if got, ok := m.Get(k); !ok || !Equal(got, w) {
			t.Errorf("key %s = %v, want %v", k, got, w)
		}
	}
	for _, c := range []struct {
		v    any
		want Term
	}{
		{regPoint{X: 1, Y: 2}, Tuple{Atom("point"), 1, 2}},
		{regStatus("open"), Tuple{Atom("Elixir.Shop.Status"), []byte("open")}},
		{regSKUs{"a"}, Tuple{Atom("Elixir.Shop.SKUs"), List{[]byte("a")}}},
		{(*regStockError)(nil), Atom("nil")},
		{errRegOutOfStock, Tuple{Atom("error"), Atom("out_of_stock")}},
		// Inside term containers and unregistered Go values.
		{Tuple{Atom("ok"), regStatus("x")}, Tuple{Atom("ok"), Tuple{Atom("Elixir.Shop.Status"), []byte("x")}}},
		{[]regPoint{{1, 2}}, List{Tuple{Atom("point"), 1, 2}}},
		{map[string]any{"p": regPoint{3, 4}}, Map{{[]byte("p"), Tuple{Atom("point"), 3, 4}}}},
	} {
		got, err := r.ToTerm(c.v)
		noErr(t, err)
		if !Equal(got, c.want) {
			t.Errorf("%#v encodes as %v, want %v", c.v, got, c.want)
		}
	}
}

// TestRegistryUnregisteredUnchanged: values the registry does not know
// encode exactly as without it.
func TestRegistryUnregisteredUnchanged(t *testing.T) {
	r := testRegistry(t)
	type plain struct {
		Name string
		N    []int
	}
	for _, v := range []any{plain{"a", []int{1, 300}}, Tuple{Atom("a"), 1}, "s", map[string]int{"k": 1}, errors.New("boom"), regUserID(7)} {
		want, err := Encode(v)
		noErr(t, err)
		got, err := r.Encode(v)
		noErr(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%#v: registry encoding %x, plain %x", v, got, want)
		}
		term, _ := Decode(got)
		if _, matched, err := r.FromTerm(term); matched || err != nil {
			t.Errorf("%#v: FromTerm matched=%v err=%v", v, matched, err)
		}
	}
}

func TestRegistryMismatch(t *testing.T) {
	good, err := testRegistry(t).ToTerm(regItem{SKU: "a", Qty: 1})
	noErr(t, err)
	gm := good.(Map)
	cases := []struct {
		name   string
		term   Term
		detail error
	}{
		{"missing field", Map{gm[0], gm[1]}, ErrMissingField},
		{"extra field", append(append(Map{}, gm...), Pair{Atom("color"), 1}), ErrUnknownField},
		{"wrong type", Map{gm[0], {Atom("qty"), []byte("x")}, gm[2]}, ErrType},
		{"overflow", Map{gm[0], {Atom("qty"), bigPow(70)}, gm[2]}, ErrOverflow},
		{"binary key", Map{gm[0], {[]byte("qty"), 1}, gm[2]}, ErrUnknownField},
		{"record arity", Tuple{Atom("point"), 1}, ErrMissingField},
		{"record long", Tuple{Atom("point"), 1, 2, 3}, ErrUnknownField},
		{"tagged not a pair", Tuple{Atom("Elixir.Shop.Status"), []byte("a"), 1}, ErrType},
		{"tagged wrong value", Tuple{Atom("Elixir.Shop.Status"), 1}, ErrType},
		{"nested", Map{{Atom("__struct__"), Atom("Elixir.Shop.Order")}}, ErrMissingField},
		{"error type", Tuple{Atom("error"), Map{{Atom("__struct__"), Atom("Elixir.Shop.StockError")}}}, ErrMissingField},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, matched, err := testRegistry(t).FromTerm(c.term)
			if matched || !errors.Is(err, ErrMismatch) || !errors.Is(err, c.detail) || errors.Is(err, ErrRejected) {
				t.Fatalf("matched=%v err=%v, want a mismatch of %v", matched, err, c.detail)
			}
			var me *MismatchError
			if !errors.As(err, &me) || me.Type == nil || me.Name == "" {
				t.Fatalf("err %v is no *MismatchError with type and name", err)
			}
			if !Equal(v, c.term) {
				t.Fatalf("value %v, want the raw term", v)
			}
			v, _, err = testRegistry(t, WithRejectMismatch()).FromTerm(c.term)
			if v != nil || !errors.Is(err, ErrRejected) || !errors.Is(err, ErrMismatch) {
				t.Fatalf("reject: value %v err %v", v, err)
			}
		})
	}
}

func bigPow(n uint) Term {
	t, _ := ToTerm(new(big.Int).Lsh(big.NewInt(1), n))
	return t
}

func TestRegistryErrors(t *testing.T) {
	r := testRegistry(t)
	stock := &regStockError{Item: "book", Left: 0}
	cases := []struct {
		name string
		err  error
		want Term
		is   error
	}{
		{"sentinel", errRegOutOfStock, Tuple{Atom("error"), Atom("out_of_stock")}, errRegOutOfStock},
		{"wrapped sentinel", fmt.Errorf("order 1: %w", errRegOutOfStock), Tuple{Atom("error"), Atom("out_of_stock")}, errRegOutOfStock},
		{"joined", errors.Join(errors.New("a"), errRegOutOfStock), Tuple{Atom("error"), Atom("out_of_stock")}, errRegOutOfStock},
		{"error type", fmt.Errorf("x: %w", stock), Tuple{Atom("error"), Map{{Atom("__exception__"), Atom("true")}, {Atom("__struct__"), Atom("Elixir.Shop.StockError")}, {Atom("item"), []byte("book")}, {Atom("left"), 0}}}, nil},
		{"unregistered", errors.New("boom"), Tuple{Atom("error"), []byte("boom")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			term := r.ErrorTerm(c.err)
			if !Equal(term, c.want) {
				t.Fatalf("ErrorTerm = %v, want %v", term, c.want)
			}
			// Across the wire and back.
			b, err := Encode(term)
			noErr(t, err)
			term, err = Decode(b)
			noErr(t, err)
			got, ok := r.TermError(term)
			switch c.name {
			case "unregistered":
				if ok {
					t.Fatalf("TermError of an unregistered error: %v", got)
				}
			case "error type":
				var se *regStockError
				if !ok || !errors.As(got, &se) || *se != *stock {
					t.Fatalf("TermError = %v, %v; want %v", got, ok, stock)
				}
			default:
				if !ok || got != c.is || !errors.Is(got, c.is) {
					t.Fatalf("TermError = %v, %v; want the sentinel", got, ok)
				}
			}
		})
	}
	if r.ErrorTerm(nil) != Term(Atom("ok")) {
		t.Error("ErrorTerm(nil) is not ok")
	}
	// A sentinel sent as a message arrives as itself.
	b, err := r.Encode(errRegOutOfStock)
	noErr(t, err)
	v, matched, err := r.Decode(b)
	if err != nil || !matched || v != error(errRegOutOfStock) {
		t.Fatalf("sentinel message = %v, %v, %v", v, matched, err)
	}
}

func TestRegistryConvert(t *testing.T) {
	r := testRegistry(t)
	o := sampleOrder()
	term, err := r.ToTerm([]regOrder{o, o})
	noErr(t, err)
	got, err := AsRegistered[[]regOrder](r, term)
	noErr(t, err)
	if !reflect.DeepEqual(got, []regOrder{o, o}) {
		t.Fatalf("[]Order = %#v", got)
	}
	// A tagged type's tag is optional when the target type is known.
	for _, tm := range []Term{Tuple{Atom("Elixir.Shop.Status"), []byte("open")}, []byte("open")} {
		s, err := AsRegistered[regStatus](r, tm)
		if err != nil || s != "open" {
			t.Errorf("AsRegistered[Status](%v) = %q, %v", tm, s, err)
		}
	}
	p, err := AsRegistered[*regStockError](r, Atom("nil"))
	if err != nil || p != nil {
		t.Errorf("nil pointer = %v, %v", p, err)
	}
	var anyV any
	noErr(t, r.Convert(Tuple{Atom("point"), 5, 6}, &anyV))
	if anyV != any(regPoint{5, 6}) {
		t.Errorf("into any: %#v", anyV)
	}
	if _, err := AsRegistered[regItem](r, Map{}); !errors.Is(err, ErrMismatch) {
		t.Errorf("mismatch: %v", err)
	}
	// Unregistered targets follow the package Convert.
	type plain struct{ A int }
	pl, err := AsRegistered[plain](r, Map{{Atom("A"), 1}})
	if err != nil || pl.A != 1 {
		t.Errorf("plain = %+v, %v", pl, err)
	}
}

func TestRegistryElixirDateTime(t *testing.T) {
	r := NewRegistry()
	type ev struct{ At time.Time }
	noErr(t, Register[ev](r, "Elixir.Ev"))
	dt := Map{
		{Atom("__struct__"), Atom("Elixir.DateTime")}, {Atom("calendar"), Atom("Elixir.Calendar.ISO")},
		{Atom("year"), 2026}, {Atom("month"), 12}, {Atom("day"), 1}, {Atom("hour"), 23}, {Atom("minute"), 4},
		{Atom("second"), 5}, {Atom("microsecond"), Tuple{123456, 6}}, {Atom("time_zone"), []byte("Etc/UTC")},
		{Atom("zone_abbr"), []byte("UTC")}, {Atom("utc_offset"), 3600}, {Atom("std_offset"), 0},
	}
	v, matched, err := r.FromTerm(Map{{Atom("__struct__"), Atom("Elixir.Ev")}, {Atom("at"), dt}})
	if err != nil || !matched {
		t.Fatal(matched, err)
	}
	want := time.Date(2026, 12, 1, 22, 4, 5, 123456000, time.UTC)
	if got := v.(ev).At; !got.Equal(want) {
		t.Fatalf("DateTime = %v, want %v", got, want)
	}
}

func TestRegistryRegisterErrors(t *testing.T) {
	r := testRegistry(t)
	type other struct{ A int }
	type withChan struct{ C chan int }
	for name, err := range map[string]error{
		"same type":        Register[regItem](r, "Elixir.Other"),
		"pointer of same":  Register[*regItem](r, "Elixir.Other"),
		"same struct name": Register[other](r, "Elixir.Shop.Item"),
		"same tag":         Register[other](r, "point", AsRecord()),
		"term type":        Register[Atom](r, "a"),
		"time":             Register[time.Time](r, "t"),
		"unnamed":          Register[[]int](r, "ints"),
		"record scalar":    Register[regUserID](r, "uid", AsRecord()),
		"chan field":       Register[withChan](r, "Elixir.C"),
		"empty name":       Register[other](r, ""),
		"same sentinel":    r.RegisterError("again", errRegOutOfStock),
		"same error atom":  r.RegisterError("out_of_stock", errors.New("x")),
	} {
		if !errors.Is(err, ErrRegister) {
			t.Errorf("%s: %v, want ErrRegister", name, err)
		}
	}
	// Two registries are independent: another name for the same type.
	r2 := NewRegistry()
	noErr(t, Register[regItem](r2, "item", AsRecord()))
	term, err := r2.ToTerm(regItem{SKU: "a", Qty: 1})
	noErr(t, err)
	if !Equal(term, Tuple{Atom("item"), []byte("a"), 1}) {
		t.Errorf("second registry: %v", term)
	}
	if _, matched, _ := r.FromTerm(term); matched {
		t.Error("first registry matched the second one's record")
	}
}

func TestRegistryAtomCacheAndLatin1(t *testing.T) {
	r := testRegistry(t)
	o := sampleOrder()
	o.Extra = nil
	term, err := r.ToTerm(o)
	noErr(t, err)
	for _, e := range []Encoder{{Latin1Atoms: true}, {AtomCache: testAtomCache{"id": 0, "Elixir.Shop.Order": 1}}} {
		want, err := e.AppendTerm(nil, term)
		noErr(t, err)
		e.Registry = r
		got, err := e.AppendTerm(nil, o)
		noErr(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%+v: %x, want %x", e, got, want)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "UserID": "user_id", "HTTPServer": "http_server", "Price": "price",
		"UnitPrice": "unit_price", "Item2": "item2", "already_snake": "already_snake", "A": "a", "ÉtéX": "été_x",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRegistryNoMatchIsCheap: terms that name nothing registered cost no
// allocation.
func TestRegistryNoMatchIsCheap(t *testing.T) {
	r := testRegistry(t)
	terms := []Term{Tuple{Atom("ok"), 1}, Map{{Atom("a"), 1}}, Atom("x"), 42, Tuple{Atom("error"), []byte("x")}}
	for _, tm := range terms {
		if n := testing.AllocsPerRun(100, func() { r.FromTerm(tm) }); n != 0 {
			t.Errorf("FromTerm(%v) allocates %v times", tm, n)
		}
	}
}

// TestRegistryEncodeAllocs: a registered struct encodes into a buffer
// without allocating.
func TestRegistryEncodeAllocs(t *testing.T) {
	r := testRegistry(t)
	v := any(regItem{SKU: "a", Qty: 1})
	e := Encoder{Registry: r}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { e.AppendTerm(buf[:0], v) }); n != 0 {
		t.Errorf("encoding a registered struct allocates %v times", n)
	}
}

type testAtomCache map[Atom]int

func (c testAtomCache) AtomRef(a Atom) (int, bool) {
	i, ok := c[a]
	return i, ok
}

// TestRegistryBytesPath: registered values in the usual layouts (ours,
// term_to_binary's, Latin-1 atoms, atom cache references) decode straight
// from the bytes, to what the term path gives.
func TestRegistryBytesPath(t *testing.T) {
	r := testRegistry(t)
	cache := testAtomCache{"Elixir.Shop.Order": 0, "id": 1, "__struct__": 2, "point": 3}
	refs := AtomRefs{"Elixir.Shop.Order", "id", "__struct__", "point"}
	values := []any{sampleOrder(), regPoint{1, 2}, regStatus("x"), &regStockError{Item: "a", Left: 2}, regSKUs{"a"},
		regOrder{ID: -1 << 62, Price: 3, Lines: []regItem{{"a", 1 << 40}}, ByName: map[string]regItem{}}}
	for _, e := range []Encoder{{}, {Latin1Atoms: true}, {AtomCache: cache}} {
		e.Registry = r
		for _, v := range values {
			b, err := e.AppendTerm(nil, v)
			noErr(t, err)
			d := Decoder{AtomCache: refs}
			got, n, ok := r.decodeBytes(&d, b)
			if !ok || n != len(b) || !reflect.DeepEqual(got, v) {
				t.Errorf("%+v %T: bytes path ok=%v n=%d/%d got %#v", e, v, ok, n, len(b), got)
			}
			got2, matched, n2, err := r.DecodeTerm(&d, b)
			if err != nil || !matched || n2 != len(b) || !reflect.DeepEqual(got2, v) {
				t.Errorf("DecodeTerm: %#v %v %d %v", got2, matched, n2, err)
			}
		}
	}
	// Integers in float fields and charlists in strings take the term path
	// for that field only; a misfit falls back to the term path's error.
	b, err := Encode(Map{{Atom("__struct__"), Atom("Elixir.Shop.Item")}, {Atom("qty"), 1}, {Atom("sku"), Charlist("ab")}})
	noErr(t, err)
	if v, _, ok := r.decodeBytes(&Decoder{}, b[1:]); !ok || v != any(regItem{SKU: "ab", Qty: 1}) {
		t.Errorf("charlist field: %#v %v", v, ok)
	}
	b, err = Encode(Map{{Atom("__struct__"), Atom("Elixir.Shop.Item")}, {Atom("qty"), []byte("x")}, {Atom("sku"), []byte("ab")}})
	noErr(t, err)
	if _, _, ok := r.decodeBytes(&Decoder{}, b[1:]); ok {
		t.Error("bytes path accepted a misfit")
	}
	if _, matched, err := r.Decode(b); matched || !errors.Is(err, ErrType) {
		t.Errorf("misfit through Decode: %v %v", matched, err)
	}
}

// TestRegistryConcurrent: lookups, encodes and conversions run while
// other goroutines register (run with -race).
func TestRegistryConcurrent(t *testing.T) {
	r := testRegistry(t)
	type late1 struct{ A int }
	type late2 struct{ B string }
	done := make(chan struct{})
	go func() {
		defer close(done)
		noErr(t, Register[late1](r, "Elixir.Late1"))
		noErr(t, Register[late2](r, "late2", AsRecord()))
		noErr(t, r.RegisterError("late_err", errors.New("late")))
	}()
	o := sampleOrder()
	for range 200 {
		b, err := r.Encode(o)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok, err := r.Decode(b); err != nil || !ok || !reflect.DeepEqual(v, o) {
			t.Fatalf("%v %v", ok, err)
		}
	}
	<-done
	if v, ok, err := r.FromTerm(Tuple{Atom("late2"), []byte("x")}); !ok || err != nil || v != any(late2{B: "x"}) {
		t.Fatalf("late registration: %#v %v %v", v, ok, err)
	}
}

type regTags map[string]int

type regIDs []regUserID

// TestRegistryNamedTypes: named int, map and slice types as tagged values.
func TestRegistryNamedTypes(t *testing.T) {
	r := NewRegistry()
	noErr(t, Register[regUserID](r, "user_id"))
	noErr(t, Register[regTags](r, "tags"))
	noErr(t, Register[regIDs](r, "ids"))
	for _, c := range []struct {
		v    any
		want Term
	}{
		{regUserID(7), Tuple{Atom("user_id"), 7}},
		{regTags{"a": 1, "b": 2}, Tuple{Atom("tags"), Map{{[]byte("a"), 1}, {[]byte("b"), 2}}}},
		{regIDs{1, 1 << 40}, Tuple{Atom("ids"), List{1, 1 << 40}}},
	} {
		term, err := r.ToTerm(c.v)
		noErr(t, err)
		if !Equal(term, c.want) {
			t.Errorf("%#v: %v, want %v", c.v, term, c.want)
		}
		got, matched, err := r.FromTerm(term)
		if err != nil || !matched || !reflect.DeepEqual(got, c.v) {
			t.Errorf("%#v: back %#v %v %v", c.v, got, matched, err)
		}
		b, _ := r.Encode(c.v)
		if got, matched, err := r.Decode(b); err != nil || !matched || !reflect.DeepEqual(got, c.v) {
			t.Errorf("%#v: Decode %#v %v %v", c.v, got, matched, err)
		}
	}
}
