package erlterm

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// consultCases are files both readers must agree on.
var consultCases = []string{
	"[{server, [{certfile, \"/tmp/c.pem\"}, {verify, verify_peer}, {fail_if_no_peer_cert, true}]},\n {client, [{keyfile, \"/k.pem\"}]}].\n",
	"% a comment\nfoo. 'Quoted atom\\n\\x{263A}'. \"str\\t\\\\\\\"\\101\\x41\\^a\". 'a@b.c'.\n",
	"{-1, 16#fF, 2#1010, 36#zz, 123456789012345678901234567890, -9223372036854775808, 1_000, $a, $\\n, $\\s}.\n",
	"{1.5, -0.25, 1.0e10, 2.5E-3, 1_0.5}. [].  {}. [[[]]]. <<>>. <<\"abc\", 1, 255>>. <<\"\\x{100}A\">>.\n",
	"aé. 'ünïcode'. \"ü€\". ab_C@9.\n",
	"\"ab\" \"cd\"\n %% joined\n \"ef\". [\"x\" \"\", \"\" \"\"].\n",
	"[1 | 2]. [a, b | [c]]. [x | \"yz\"]. [[1 | 2] | 3]. <<300, -1, \"é\">>.\n",
}

// TestConsultMatchesErl: every case gives the terms file:consult/1 gives
// on a real erl (compared as terms after term_to_binary).
func TestConsultMatchesErl(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	for i, src := range consultCases {
		got, err := Consult([]byte(src))
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, src)
		}
		want := erlConsult(t, erl, src)
		if !etf.Equal(etf.List(got), want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, etf.Format(etf.List(got)), etf.Format(want))
		}
	}
}

// TestConsultRefusesWhatErlRefuses: inputs file:consult/1 refuses are
// refused with ErrSyntax (and erl agrees that they are bad).
func TestConsultRefusesWhatErlRefuses(t *testing.T) {
	erl := erltest.Tool(t, "erl")
	bad := []string{
		"foo", "foo.bar.", "{a, b.", "[a, b}.", "'unterminated.", "\"open.", "case.",
		"{a,}.", "X.", "16#.", strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2) + ".",
		"'" + strings.Repeat("a", 256) + "'.", "1.e5.", "#{a => 1}.",
	}
	for _, src := range bad {
		_, err := Consult([]byte(src))
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: got %v, want ErrSyntax", src, err)
		}
		if strings.Contains(src, "#{") || strings.HasPrefix(src, "[[") {
			continue // maps and deep nesting: erl reads them, erlterm refuses by design
		}
		if out := erlConsultRaw(t, erl, src); strings.HasPrefix(out, "ok ") {
			t.Errorf("%q: erl accepts it (%s) but erlterm refuses", src, out)
		}
	}
}

func TestParse(t *testing.T) {
	v, err := Parse(" {a, \"b\", [1, 2.5]} ")
	if err != nil {
		t.Fatal(err)
	}
	want := etf.Tuple{etf.Atom("a"), etf.Charlist("b"), etf.List{int64(1), 2.5}}
	if !etf.Equal(v, want) {
		t.Fatalf("got %s", etf.Format(v))
	}
	if _, err := Parse("a. b."); !errors.Is(err, ErrSyntax) {
		t.Fatalf("two terms: %v", err)
	}
	if v, err := Parse("99999999999999999999."); err != nil || v.(*big.Int).String() != "99999999999999999999" {
		t.Fatalf("big: %v %v", v, err)
	}
}

func TestErrorNamesLine(t *testing.T) {
	_, err := Consult([]byte("ok.\n\n{bad,.\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("got %v, want line 3", err)
	}
}

func TestInputBounded(t *testing.T) {
	_, err := Consult(make([]byte, MaxInput+1))
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("got %v", err)
	}
}

// FuzzConsult: no input panics or takes unbounded memory, and what is
// accepted is a list of terms etf can encode.
func FuzzConsult(f *testing.F) {
	for _, c := range consultCases {
		f.Add([]byte(c))
	}
	for _, c := range []string{"'\\x{", "$", "-", "16#zz.", "<<\"a\">>.", "[a|b].", "1.0e.", "\"\\^"} {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		terms, err := Consult(data)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error without ErrSyntax: %v", err)
			}
			return
		}
		if _, err := etf.Encode(etf.List(terms)); err != nil {
			t.Fatalf("accepted %q but etf cannot encode it: %v", data, err)
		}
	})
}

// erlConsult runs file:consult/1 on src in a real erl and decodes the
// terms it read.
func erlConsult(t *testing.T, erl, src string) etf.Term {
	t.Helper()
	out := erlConsultRaw(t, erl, src)
	hexed, ok := strings.CutPrefix(out, "ok ")
	if !ok {
		t.Fatalf("erl refused %q: %s", src, out)
	}
	b, err := hex.DecodeString(strings.TrimSpace(hexed))
	if err != nil {
		t.Fatal(err)
	}
	v, err := etf.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// erlConsultRaw prints "ok HEX" (term_to_binary of the terms) or
// "error ...".
func erlConsultRaw(t *testing.T, erl, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.config")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), erltest.Wait)
	defer cancel()
	eval := `case file:consult(os:getenv("F")) of {ok, Ts} -> io:format("ok ~s", [binary:encode_hex(term_to_binary(Ts))]); E -> io:format("error ~p", [E]) end, halt().`
	cmd := exec.CommandContext(ctx, erl, "-noshell", "-start_epmd", "false", "-eval", eval)
	cmd.Env = append(os.Environ(), "F="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("erl: %v\n%s", err, out)
	}
	return string(out)
}
