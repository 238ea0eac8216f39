package etf

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestFmtVerbs checks %v, %+v, %s and %#v on every term type with a Format
// method: the first three print Format's Erlang text, %#v the Go syntax fmt
// would print if the type had no Format method.
func TestFmtVerbs(t *testing.T) {
	cases := []struct {
		name   string
		in     any
		erlang string
		gosyn  string
	}{
		{"tuple", Tuple{Atom("a"), 1}, `{a,1}`, `etf.Tuple{"a", 1}`},
		{"nil tuple", Tuple(nil), `{}`, `etf.Tuple(nil)`},
		{"list", List{1, 2}, `[1,2]`, `etf.List{1, 2}`},
		{"empty list", List{}, `[]`, `etf.List{}`},
		{"nil list", List(nil), `[]`, `etf.List(nil)`},
		{"improper", ImproperList{Elems: []Term{Atom("x")}, Tail: 2}, `[x|2]`,
			`etf.ImproperList{Elems:[]interface {}{"x"}, Tail:2}`},
		{"map", Map{{Key: Atom("k"), Value: []byte("v")}}, `#{k => <<"v">>}`,
			`etf.Map{etf.Pair{Key:"k", Value:[]uint8{0x76}}}`},
		{"nil map", Map(nil), `#{}`, `etf.Map(nil)`},
		{"bitstring", BitString{Bytes: []byte{1, 0xE0}, Bits: 3}, `<<1,7:3>>`,
			`etf.BitString{Bytes:[]uint8{0x1, 0xe0}, Bits:0x3}`},
		{"export", Export{Module: "lists", Function: "map", Arity: 2}, `fun lists:map/2`,
			`etf.Export{Module:"lists", Function:"map", Arity:0x2}`},
		{"nested", Tuple{Atom("ok"), List{Map{{Key: 1, Value: Tuple{}}}}, []byte("hi")},
			`{ok,[#{1 => {}}],<<"hi">>}`,
			`etf.Tuple{"ok", etf.List{etf.Map{etf.Pair{Key:1, Value:etf.Tuple{}}}}, []uint8{0x68, 0x69}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%s"} {
				if got := fmt.Sprintf(verb, tc.in); got != tc.erlang {
					t.Errorf("%s = %s, want %s", verb, got, tc.erlang)
				}
			}
			if got := fmt.Sprint(tc.in); got != tc.erlang {
				t.Errorf("Sprint = %s, want %s", got, tc.erlang)
			}
			if got := fmt.Sprintf("%#v", tc.in); got != tc.gosyn {
				t.Errorf("%%#v = %s\nwant %s", got, tc.gosyn)
			}
			if got, want := fmt.Sprintf("%v", tc.in), Format(tc.in); got != want {
				t.Errorf("%%v = %s, Format = %s", got, want)
			}
		})
	}
}

// TestFmtFun checks a local fun, whose Go syntax is long: %v is Format's
// #Fun<...> form, %#v names every field.
func TestFmtFun(t *testing.T) {
	fn := Fun{Arity: 1, Index: 7, Module: "m", Uniq: [16]byte{0xAB}, Pid: PID{Node: "n@h", ID: 1}}
	if got, want := fmt.Sprintf("%v", fn), "#Fun<m.7.ab000000000000000000000000000000>"; got != want {
		t.Errorf("%%v = %s, want %s", got, want)
	}
	gs := fmt.Sprintf("%#v", fn)
	for _, part := range []string{"etf.Fun{Arity:0x1,", `Module:"m"`, `Pid:etf.PID{Node:"n@h", ID:0x1,`, "FreeVars:[]interface {}(nil)}"} {
		if !strings.Contains(gs, part) {
			t.Errorf("%%#v = %s, missing %s", gs, part)
		}
	}
}

// TestFmtIdentifiers checks that pids, ports, refs and aliases (String
// methods, no Format) print their Erlang form under %v and %s, Go syntax
// under %#v, and still log their Erlang form through slog.LogValuer.
func TestFmtIdentifiers(t *testing.T) {
	pid := PID{Node: "a@h", ID: 5, Serial: 1, Creation: 3}
	port := Port{Node: "a@h", ID: 9, Creation: 3}
	ref := Ref{Node: "a@h", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}
	alias := Alias(ref)
	cases := []struct {
		in            any
		erlang, gosyn string
	}{
		{pid, "<a@h.5.1>", `etf.PID{Node:"a@h", ID:0x5, Serial:0x1, Creation:0x3}`},
		{port, "#Port<a@h.9>", `etf.Port{Node:"a@h", ID:0x9, Creation:0x3}`},
		{ref, "#Ref<a@h.3.2.1>", `etf.Ref{Node:"a@h", Creation:0x3, Len:0x3, ID:[5]uint32{0x1, 0x2, 0x3, 0x0, 0x0}}`},
		{alias, "#Ref<a@h.3.2.1>", `etf.Alias{Node:"a@h", Creation:0x3, Len:0x3, ID:[5]uint32{0x1, 0x2, 0x3, 0x0, 0x0}}`},
	}
	for _, tc := range cases {
		for _, verb := range []string{"%v", "%+v", "%s"} {
			if got := fmt.Sprintf(verb, tc.in); got != tc.erlang {
				t.Errorf("%s of %#v = %s, want %s", verb, tc.in, got, tc.erlang)
			}
		}
		if got := fmt.Sprintf("%#v", tc.in); got != tc.gosyn {
			t.Errorf("%%#v = %s, want %s", got, tc.gosyn)
		}
		if got := Format(tc.in); got != tc.erlang {
			t.Errorf("Format = %s, want %s", got, tc.erlang)
		}
		// Inside a tuple they print the same way.
		if got, want := fmt.Sprint(Tuple{tc.in}), "{"+tc.erlang+"}"; got != want {
			t.Errorf("in a tuple: %s, want %s", got, want)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "id", tc.in)
		if want := `"id":"` + tc.erlang + `"`; !strings.Contains(buf.String(), want) {
			t.Errorf("slog: %s, want %s", buf.String(), want)
		}
	}
}

// TestFmtInStructs checks terms held in Go structs: %v and %+v print the
// fields in Erlang syntax, %#v the whole struct in Go syntax.
func TestFmtInStructs(t *testing.T) {
	type msg struct {
		Req  Tuple
		Args List
		Opts Map
		From PID
	}
	m := msg{
		Req:  Tuple{Atom("get"), Atom("k")},
		Args: List{1, []byte("x")},
		Opts: Map{{Key: Atom("t"), Value: 5}},
		From: PID{Node: "n@h", ID: 1, Serial: 2},
	}
	if got, want := fmt.Sprintf("%v", m), `{{get,k} [1,<<"x">>] #{t => 5} <n@h.1.2>}`; got != want {
		t.Errorf("%%v = %s, want %s", got, want)
	}
	if got, want := fmt.Sprintf("%+v", m), `{Req:{get,k} Args:[1,<<"x">>] Opts:#{t => 5} From:<n@h.1.2>}`; got != want {
		t.Errorf("%%+v = %s, want %s", got, want)
	}
	want := `etf.msg{Req:etf.Tuple{"get", "k"}, Args:etf.List{1, []uint8{0x78}}, ` +
		`Opts:etf.Map{etf.Pair{Key:"t", Value:5}}, From:etf.PID{Node:"n@h", ID:0x1, Serial:0x2, Creation:0x0}}`
	if got := fmt.Sprintf("%#v", m); got != want {
		t.Errorf("%%#v = %s\nwant %s", got, want)
	}
	// Pointers and []any holding terms format their elements the same way.
	if got, want := fmt.Sprintf("%v", []any{Tuple{1}, &List{2}}), "[{1} [2]]"; got != want {
		t.Errorf("%%v = %s, want %s", got, want)
	}
	// slog's text handler prints non-LogValuer values with %+v.
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "req", m.Req)
	if want := "req={get,k}"; !strings.Contains(buf.String(), want) {
		t.Errorf("slog: %s, want %s", buf.String(), want)
	}
	// An error built with %v reads like Erlang.
	if got, want := fmt.Errorf("bad reply %v", Tuple{Atom("error"), Atom("badarg")}).Error(), "bad reply {error,badarg}"; got != want {
		t.Errorf("error = %s, want %s", got, want)
	}
}

// TestFmtOtherVerbs checks %q, width and flags, and that verbs other than
// v, s and q format the Go value as before.
func TestFmtOtherVerbs(t *testing.T) {
	tup := Tuple{Atom("a"), 1}
	cases := []struct{ format, want string }{
		{"%q", `"{a,1}"`},
		{"[%8v]", "[   {a,1}]"},
		{"[%-8s]", "[{a,1}   ]"},
		{"[%2v]", "[{a,1}]"},
		{"%d", "[%!d(etf.Atom=a) 1]"},
		{"%x", "[61 1]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprintf(tc.format, tup); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.format, got, tc.want)
		}
	}
	if got, want := fmt.Sprintf("%d", List{1, 2}), "[1 2]"; got != want {
		t.Errorf("%%d = %s, want %s", got, want)
	}
	if got, want := fmt.Sprintf("%x", BitString{Bytes: []byte{0xAB}, Bits: 4}), "{ab 4}"; got != want {
		t.Errorf("%%x = %s, want %s", got, want)
	}
	// Atom and Charlist keep plain string formatting: names are built with %s.
	if got, want := fmt.Sprintf("%s@%s", Atom("Node.x"), Charlist("host")), "Node.x@host"; got != want {
		t.Errorf("atoms: %s, want %s", got, want)
	}
}

// TestFmtRandomTerms checks %v against Format on generated terms of every
// shape, and that %#v never recurses into Format's text.
func TestFmtRandomTerms(t *testing.T) {
	g := newTermGen(13)
	for i := 0; i < 300; i++ {
		term := g.term(4)
		if got, want := fmt.Sprintf("%v", term), Format(term); isFormatted(term) && got != want {
			t.Fatalf("term %d: %%v = %s, Format = %s", i, got, want)
		}
		_ = fmt.Sprintf("%#v", term)
	}
}

// isFormatted reports whether t's own type has a Format method (so %v of it
// is Format's text).
func isFormatted(t Term) bool {
	_, ok := t.(fmt.Formatter)
	return ok
}

// TestFmtMatchesErlang decodes terms made by a real erl and checks that %v
// prints exactly what io_lib:format("~0p") prints for them (Format itself
// is checked on many more terms in TestFormatMatchesErlang).
func TestFmtMatchesErlang(t *testing.T) {
	exprs := []string{
		`{a,1}`,
		`{ok,[1,2,3],{}}`,
		`[x|y]`,
		`[1,2|3]`,
		`#{k => <<"v">>}`,
		`#{a => 1,b => [{c,2}]}`,
		// A Binary is a plain []byte at top level (no methods), so it is
		// checked inside a tuple.
		`{<<"hello">>}`,
		`{<<1,2,200>>}`,
		`<<1,7:3>>`,
		`fun lists:map/2`,
		`{'Quoted',[],'hello world',-5,1.5}`,
		`[{error,{badarg,[<<>>]}}]`,
	}
	for i, r := range erlFormats(t, exprs, "~0p") {
		if got := fmt.Sprintf("%v", r.term); got != r.text[0] {
			t.Errorf("%s: %%v = %s, erl ~0p = %s", exprs[i], got, r.text[0])
		}
	}
}

// quoteErlStrings renders Go strings as a comma-separated list of Erlang
// string literals.
func quoteErlStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return strings.Join(q, ",")
}
