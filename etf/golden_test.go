package etf

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"os"
	"strings"
	"testing"
)

// goldenVector is one line of testdata/golden.txt, written by
// testdata/etf_golden.erl on a real OTP 25 node.
type goldenVector struct {
	name, variant string
	data          []byte
}

func loadGolden(t testing.TB) []goldenVector {
	t.Helper()
	f, err := os.Open("testdata/golden.txt")
	noErr(t, err)
	defer f.Close()
	var out []goldenVector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 3 {
			t.Fatalf("bad golden line %q", line)
		}
		b, err := hex.DecodeString(parts[2])
		noErr(t, err)
		out = append(out, goldenVector{parts[0], parts[1], b})
	}
	noErr(t, sc.Err())
	if len(out) == 0 {
		t.Fatal("empty golden file")
	}
	return out
}

func goldenByName(vs []goldenVector) map[string]map[string][]byte {
	m := map[string]map[string][]byte{}
	for _, v := range vs {
		if m[v.name] == nil {
			m[v.name] = map[string][]byte{}
		}
		m[v.name][v.variant] = v.data
	}
	return m
}

func bigFromString(s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return x
}

func repTerm() Term {
	return Tuple{Atom("user"), 12345, bytes.Repeat([]byte("x"), 100), List{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		Map{{Atom("name"), []byte("alice")}, {Atom("age"), 30}, {Atom("admin"), true},
			{Atom("tags"), List{Atom("a"), Atom("b"), Atom("c")}}, {Atom("score"), 1.5}}}
}

// goldenExpected gives the Go value for the vectors whose shape matters.
var goldenExpected = map[string]Term{
	"int_0":                0,
	"int_255":              255,
	"int_256":              256,
	"int_m1":               -1,
	"int_max32p1":          2147483648,
	"int_min32m1":          -2147483649,
	"int_max64":            math.MaxInt64,
	"int_min64":            math.MinInt64,
	"int_max64p1":          bigFromString("9223372036854775808"),
	"int_min64m1":          bigFromString("-9223372036854775809"),
	"int_maxu64":           uint64(math.MaxUint64),
	"int_2p100":            new(big.Int).Lsh(big.NewInt(1), 100),
	"int_largebig_min":     new(big.Int).Lsh(big.NewInt(1), 2040),
	"float_1_5":            1.5,
	"float_neg0":           math.Copysign(0, -1),
	"float_max":            math.MaxFloat64,
	"float_denorm_min":     5e-324,
	"atom_empty":           Atom(""),
	"atom_true":            Atom("true"),
	"atom_latin1":          Atom("ä"),
	"atom_latin1_word":     Atom("smörgåsbord"),
	"atom_cjk":             Atom("日本語"),
	"atom_emoji":           Atom("🙂"),
	"atom_255_ascii":       Atom(strings.Repeat("a", 255)),
	"atom_255_latin1":      Atom(strings.Repeat("ÿ", 255)),
	"atom_255_emoji":       Atom(strings.Repeat("🙂", 255)),
	"atom_node":            Atom("golden@127.0.0.1"),
	"bin_empty":            []byte{},
	"bin_123":              []byte{1, 2, 3},
	"bin_utf8":             "héllo wörld 日本",
	"bits_1":               BitString{Bytes: []byte{0x80}, Bits: 1},
	"bits_3":               BitString{Bytes: []byte{0xA0}, Bits: 3},
	"bits_15":              BitString{Bytes: []byte{0xFF, 0x02}, Bits: 7},
	"bin_sub":              []byte("cde"),
	"tuple_empty":          Tuple{},
	"tuple_3":              Tuple{1, Atom("two"), []byte("three")},
	"list_nil":             List(nil),
	"list_123":             Charlist("\x01\x02\x03"),
	"string_hello":         Charlist("hello"),
	"string_latin1":        Charlist("ÿäö"),
	"list_256":             List{256},
	"list_unicode":         List{0x65E5, 0x672C},
	"list_atoms":           List{Atom("a"), Atom("b"), Atom("c")},
	"list_nested_nil":      List{List(nil)},
	"improper_1":           ImproperList{Elems: []Term{1}, Tail: 2},
	"improper_2":           ImproperList{Elems: []Term{Atom("a"), Atom("b")}, Tail: Atom("c")},
	"improper_bin_tail":    ImproperList{Elems: []Term{Atom("a")}, Tail: []byte("t")},
	"improper_nested":      ImproperList{Elems: []Term{ImproperList{Elems: []Term{1}, Tail: 2}, 3}, Tail: 4},
	"improper_nil_head":    ImproperList{Elems: []Term{List(nil)}, Tail: Atom("x")},
	"list_string_then_int": List{1, 2, 3, 300},
	"map_empty":            Map{},
	"map_1":                Map{{Atom("a"), 1}},
	"map_int_float_keys":   Map{{1, Atom("int")}, {1.0, Atom("float")}},
	"map_tuple_keys":       Map{{Tuple{Atom("global"), Atom("name")}, 1}, {Tuple{Atom("a"), Atom("b"), Atom("c")}, 2}, {Tuple{}, 3}},
	"map_map_keys": Map{{Map{}, 0}, {Map{{Atom("a"), 1}}, 1},
		{Map{{Map{{Atom("b"), 2}}, Atom("c")}}, 2}},
	"export_abs":                Export{Module: "erlang", Function: "abs", Arity: 1},
	"export_map":                Export{Module: "lists", Function: "map", Arity: 2},
	"rep_term":                  repTerm(),
	"raw_pid_ext":               PID{Node: "a@b.host", ID: 5, Serial: 6, Creation: 2},
	"raw_new_pid_ext":           PID{Node: "a@b.host", ID: 5, Serial: 6, Creation: 0xDEADBEEF},
	"raw_port_ext":              Port{Node: "a@b.host", ID: 7, Creation: 1},
	"raw_v4_port_big":           Port{Node: "a@b.host", ID: 1 << 40, Creation: 99},
	"raw_reference_ext":         Ref{Node: "a@b.host", Len: 1, ID: [5]uint32{9}, Creation: 1},
	"raw_new_reference_ext":     Ref{Node: "a@b.host", Len: 3, ID: [5]uint32{1, 2, 3}, Creation: 2},
	"raw_newer_reference_5":     Ref{Node: "a@b.host", Len: 5, ID: [5]uint32{1, 2, 3, 4, 5}, Creation: 77},
	"raw_float_ext":             1.5,
	"raw_float_ext_pi":          math.Pi,
	"raw_atom_ext_latin1":       Atom("äÿ"),
	"raw_small_atom_ext_latin1": Atom("ö"),
	"raw_list_nested_tail":      List{1, 2},
	"raw_list_string_tail":      List{1, 3, 4},
	"raw_list_len0":             List(nil),
	"raw_bitbin_8":              []byte{1, 2},
	"raw_bitbin_dirty":          BitString{Bytes: []byte{0xE0}, Bits: 3},
	"raw_big_leading_zero":      1,
	"raw_big_small_value":       -5,
	"raw_large_big_small":       200,
	"raw_map_unsorted":          Map{{Atom("b"), 2}, {Atom("a"), 1}},
}

// nonCanonical lists vectors whose ERTS bytes our encoder need not
// reproduce: maps over 32 keys are hash-ordered (HAMT) by ERTS.
var nonCanonical = map[string]bool{
	"map_33": true, "map_100": true, "map_33_atoms": true, "big_map_2000": true,
	"raw_map_unsorted": true, // ERTS sorts small maps; we keep wire order
}

func TestGoldenVectors(t *testing.T) {
	vs := loadGolden(t)
	byName := goldenByName(vs)
	if len(byName) < 150 {
		t.Fatalf("corpus covers %d terms, want >= 150", len(byName))
	}
	for name, variants := range byName {
		t.Run(name, func(t *testing.T) {
			if raw, ok := variants["raw"]; ok {
				got, err := Decode(raw)
				noErr(t, err)
				want, err := Decode(variants["rawout"])
				noErr(t, err)
				check(t, Equal(got, want), "raw decodes to %#v, VM re-encoding to %#v", got, want)
				enc, err := Encode(got)
				noErr(t, err)
				check(t, nonCanonical[name] || bytes.Equal(variants["rawout"], enc), "re-encoding differs from the VM's:\n got %x\nwant %x", enc, variants["rawout"])
				if exp, ok := goldenExpected[name]; ok {
					check(t, Equal(got, exp), "got %#v want %#v", got, exp)
				}
				return
			}
			ref, err := Decode(variants["m2"])
			noErr(t, err)
			if exp, ok := goldenExpected[name]; ok {
				check(t, Equal(ref, exp), "got %#v want %#v", ref, exp)
			}
			for variant, data := range variants {
				got, err := Decode(data)
				noErr(t, err, variant)
				check(t, Equal(got, ref), "%s decodes differently from m2", variant)
				var enc Encoder
				switch variant {
				case "m1":
					enc.Latin1Atoms = true
				case "m0", "c":
					continue
				}
				b, err := enc.Encode(got)
				noErr(t, err)
				if nonCanonical[name] {
					back, err := Decode(b)
					noErr(t, err)
					check(t, Equal(back, ref), "re-encoded value differs")
					continue
				}
				if !bytes.Equal(b, data) {
					t.Errorf("%s: re-encoding differs\n got %x\nwant %x", variant, b, data)
				}
			}
			if c := variants["c"]; len(c) > 1 && c[1] == TagCompressed {
				raw, err := inflate(c, DefaultLimits.MaxUncompressed)
				noErr(t, err)
				if !nonCanonical[name] {
					check(t, bytes.Equal(variants["m2"][1:], raw), "inflated payload differs from m2")
				}
			}
		})
	}
}

// TestGoldenTruncations decodes every strict prefix of every (small)
// golden vector: each must fail with a DecodeError, never panic.
func TestGoldenTruncations(t *testing.T) {
	for _, v := range loadGolden(t) {
		if len(v.data) > 4096 {
			continue
		}
		for i := 0; i < len(v.data); i++ {
			_, err := Decode(v.data[:i])
			if err == nil {
				t.Fatalf("%s/%s: prefix of %d bytes decoded without error", v.name, v.variant, i)
			}
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s/%s: prefix %d: error %v is not a *DecodeError/ErrMalformed", v.name, v.variant, i, err)
			}
		}
		// Trailing garbage is reported.
		_, err := Decode(append(append([]byte{}, v.data...), 0))
		if !errors.Is(err, ErrTrailing) {
			t.Fatalf("%s/%s: trailing byte: got %v", v.name, v.variant, err)
		}
	}
}

// TestGoldenIdentities checks the shapes of the vectors taken from the
// generating node (their numbers vary between runs).
func TestGoldenIdentities(t *testing.T) {
	byName := goldenByName(loadGolden(t))
	const node = Atom("golden@127.0.0.1")
	decode := func(name string) Term {
		v, err := Decode(byName[name]["m2"])
		noErr(t, err, name)
		return v
	}
	for _, name := range []string{"pid_self", "pid_other", "pid_mon"} {
		p, ok := decode(name).(PID)
		check(t, ok && p.Node == node && p.Creation != 0, "%s: %#v", name, p)
	}
	for _, name := range []string{"port_cat", "port_first"} {
		p, ok := decode(name).(Port)
		check(t, ok && p.Node == node, "%s: %#v", name, p)
	}
	for _, name := range []string{"ref_make", "ref_mon", "ref_alias"} {
		r, ok := decode(name).(Ref)
		check(t, ok && r.Node == node && r.Len >= 3, "%s: %#v", name, r)
	}
	// The compiler folds the constant Y into the fun; Self stays free.
	f, ok := decode("fun_env2").(Fun)
	check(t, ok && f.Module == "etf_golden" && f.Arity == 2 && len(f.FreeVars) == 1 && f.Pid.Node == node,
		"fun_env2: %#v", f)
	if ok && len(f.FreeVars) == 1 {
		p, isPID := f.FreeVars[0].(PID)
		check(t, isPID && p.Node == node, "fun_env2 free var: %#v", f.FreeVars[0])
	}
	f, ok = decode("fun_noenv").(Fun)
	check(t, ok && f.Arity == 0 && len(f.FreeVars) == 0, "fun_noenv: %#v", f)
	call, ok := decode("ref_in_tuple").(Tuple)
	check(t, ok && len(call) == 3 && call[0] == Atom("$gen_call"), "ref_in_tuple: %#v", call)
	if ok {
		from := call[1].(Tuple)
		tag, isImproper := from[1].(ImproperList)
		check(t, isImproper && tag.Elems[0] == Atom("alias"), "gen_call tag: %#v", from[1])
	}
	if a, ok := decode("atom_node").(Atom); !ok || a != node {
		t.Errorf("atom_node: %#v", a)
	}
}
