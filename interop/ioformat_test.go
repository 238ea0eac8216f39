package interop

import (
	"strings"
	"testing"

	"github.com/erlgo/erlgo/etf"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIOLibFormat(t *testing.T) {
	tests := []struct {
		name   string
		format string
		args   etf.List
		want   string
	}{
		{"plain", "hello~n", nil, "hello\n"},
		{"tilde", "~~", nil, "~"},
		{"p and w", "~p ~w", etf.List{etf.List{104, 105}, etf.List{104, 105}}, `"hi" [104,105]`},
		{"s of binary and charlist", "~s/~s", etf.List{etf.Binary("a"), etf.Charlist("b")}, "a/b"},
		{"ts deep list", "~ts", etf.List{etf.List{etf.Binary("é"), 120}}, "éx"},
		{"left pad", "[~-5s]", etf.List{etf.Binary("ab")}, "[ab   ]"},
		{"right pad", "[~5w]", etf.List{7}, "[    7]"},
		{"pad char", "[~5..0w]", etf.List{7}, "[00007]"},
		{"too wide", "[~2w]", etf.List{12345}, "[**]"},
		{"star width", "[~*w]", etf.List{3, 1}, "[  1]"},
		{"chars", "~c~3c", etf.List{97, 98}, "abbb"},
		{"base", "~.16b ~.2B ~.16#", etf.List{255, 5, 255}, "ff 101 16#FF"},
		{"float", "~.2f ~e", etf.List{1.005, 1.0}, "1.00 1.000000e+00"},
		{"P with depth", "~P", etf.List{etf.Atom("x"), 5}, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ioLibFormat(tc.format, tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []struct {
		format string
		args   etf.List
	}{{"~p", nil}, {"~", nil}, {"~z", nil}, {"~c", etf.List{etf.Atom("x")}},
		// Found by FuzzIOLibFormat: a huge width made the io server
		// allocate tens of terabytes. Widths, precisions and the output
		// are bounded; a negative precision is badarg.
		{"~66666666666666p", etf.List{1}},
		{"~99999999999999999999999c", etf.List{65}},
		{"~.*s", etf.List{-1, etf.Binary("abc")}},
		{strings.Repeat("~1000000c", 20), func() etf.List {
			l := make(etf.List, 20)
			for i := range l {
				l[i] = 65
			}
			return l
		}()},
	} {
		_, err := ioLibFormat(bad.format, bad.args)
		assert.ErrorIs(t, err, errFormat, bad.format)
	}
}

func FuzzIOLibFormat(f *testing.F) {
	f.Add("~p ~s ~-10w ~*c ~.16b~n", "x")
	f.Add("~~~", "")
	f.Add("~5..0.3f", "y")
	f.Fuzz(func(t *testing.T, format, arg string) {
		out, _ := ioLibFormat(format, etf.List{etf.Binary(arg), 3, 1.5, etf.Atom(arg), etf.List{}})
		if len(out) > maxFormatOutput {
			t.Fatalf("output of %d bytes exceeds the bound", len(out))
		}
	})
}
