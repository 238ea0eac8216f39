package etf

import (
	"context"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/erlgo/erlgo/internal/erltest"
)

// formatGolden are Erlang expressions whose value a real erl formats with
// io_lib:format("~0tp") and ("~tw"); Format and FormatW must print the
// same for the decoded term. Pids, ports and refs are left out: a BEAM
// shell prints them with VM-local node numbers.
var formatGolden = []string{
	// strings and what is not one
	`"hi"`, `[104,105]`, `""`, `[]`, `[[]]`, `[[104,105]]`, `"a\"b\\c"`, `[$\\,$"]`,
	`"a\nb\tc\rd\ve\bf\fg\eh"`, `" ~"`, `[7]`, `[127]`, `[159]`, `[160]`, `[233]`, `[255]`,
	`[8364]`, `[233,8364]`, `[128512]`, `[$a,1]`, `[-1]`, `[104,105|x]`, `[a|b]`, `[1,2|3]`,
	`{a,<<"x">>,"y"}`, `lists:seq(1,40)`,
	// binaries and bitstrings
	`<<>>`, `<<"hello">>`, `<<1,2,200>>`, `<<"a\nb">>`, `<<7>>`, `<<27>>`, `<<128>>`, `<<160>>`,
	`<<233>>`, `<<255>>`, `<<"é"/utf8>>`, `<<"aé"/utf8>>`, `<<"€"/utf8>>`, `<<"a\"b">>`, `<<"\\">>`,
	`<<1:3>>`, `<<255,1:3>>`, `<<"ab",5:4>>`, `{<<"k">>,<<0>>}`,
	// atoms
	`ok`, `'Hello'`, `'it\'s'`, `''`, `'end'`, `'maybe'`, `'cond'`, `'let'`, `'else'`, `'a.b'`, `a@b`,
	`'a b'`, `'_a'`, `'A'`, `'\x01'`, `'a\tb'`, `'a\x7f'`, `'a\x{a0}'`, `'ß'`, `'Ø'`, `'aØ'`, `'a×'`,
	`'a÷'`, `'é'`, `'Ünicode'`, `'a€'`, `'€'`, `'\''`, `'a\nb'`, `'a\\b'`, `'$gen_call'`, `'Elixir.Foo'`,
	`true`, `nil`,
	// numbers
	`42`, `-7`, `1180591620717411303424`, `-123456789012345678901234567890`,
	`1.5`, `1.0`, `-0.0`, `0.1`, `100.0`, `0.0001`, `0.001`, `1.0e-5`, `1.5e-7`, `123456789.0`,
	`1.0e15`, `1.0e16`, `999999999999999.0`, `1.0e20`, `1.0e21`, `1.0e22`, `12345678901234567890.0`,
	`1.0e100`, `2.5e300`, `5.0e-324`, `1.7976931348623157e308`, `0.30000000000000004`,
	// containers
	`{}`, `{ok,[1,2,3],{}}`, `#{}`, `#{b => 1, a => 2, 1 => x}`, `#{[1] => <<"k">>}`,
	`#{a => 1,b => [{c,2}]}`, `#{"s" => #{<<"b">> => 1.5}}`, `[{error,{badarg,[<<>>]}}]`,
	`{'Quoted',[],'hello world',-5,1.5}`,
	// funs
	`fun erlang:abs/1`, `fun lists:map/2`, `fun 'Elixir.Enum':map/2`, `fun(X) -> X end`, `{fun() -> ok end}`,
}

// TestFormatMatchesErlang: a real erl builds each term of formatGolden and
// prints it with ~0tp and ~tw; Format and FormatW of the decoded term
// print exactly that.
func TestFormatMatchesErlang(t *testing.T) {
	for i, r := range erlFormats(t, formatGolden, "~0tp", "~tw") {
		if got := Format(r.term); got != r.text[0] {
			t.Errorf("%s: Format = %s, erl ~0tp = %s", formatGolden[i], got, r.text[0])
		}
		if got := FormatW(r.term); got != r.text[1] {
			t.Errorf("%s: FormatW = %s, erl ~tw = %s", formatGolden[i], got, r.text[1])
		}
	}
}

// erlFormatted is one term a real erl built, decoded, with its
// io_lib:format text for each format asked for.
type erlFormatted struct {
	term Term
	text []string
}

// erlFormats has a real erl evaluate each Erlang expression and format its
// value with each of formats (one ~ directive each); the term travels
// back as term_to_binary, the texts as UTF-8.
func erlFormats(t *testing.T, exprs []string, formats ...string) []erlFormatted {
	t.Helper()
	erl := erltest.Tool(t, "erl")
	script := `lists:foreach(fun(E) ->
		{ok, Toks, _} = erl_scan:string(E ++ "."),
		{ok, Exprs} = erl_parse:parse_exprs(Toks),
		{value, T, _} = erl_eval:exprs(Exprs, []),
		H = fun(Fmt) -> binary:encode_hex(unicode:characters_to_binary(io_lib:format(Fmt, [T]))) end,
		io:format("~s~n", [lists:join(" ", [binary:encode_hex(term_to_binary(T)) | [H(F) || F <- [` +
		quoteErlStrings(formats) + `]]])])
	end, [` + quoteErlStrings(exprs) + `]), halt().`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, erl, "-noshell", "-eval", script).CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(exprs) {
		t.Fatalf("erl printed %d lines, want %d:\n%s", len(lines), len(exprs), out)
	}
	res := make([]erlFormatted, len(lines))
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 1+len(formats) {
			t.Fatalf("bad line %q", line)
		}
		for j, h := range f {
			b, err := hex.DecodeString(h)
			noErr(t, err)
			if j == 0 {
				res[i].term, err = Decode(b)
				noErr(t, err)
				continue
			}
			res[i].text = append(res[i].text, string(b))
		}
	}
	return res
}
