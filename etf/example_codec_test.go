package etf_test

import (
	"errors"
	"fmt"

	"github.com/erlgo/erlgo/etf"
)

func ExampleDecode() {
	// term_to_binary({ok, [1,2,3], <<"hi">>}) on OTP 25.
	b := []byte{131, 104, 3, 100, 0, 2, 'o', 'k', 107, 0, 3, 1, 2, 3, 109, 0, 0, 0, 2, 'h', 'i'}
	t, err := etf.Decode(b)
	if err != nil {
		panic(err)
	}
	tup := t.(etf.Tuple)
	fmt.Printf("%v %q %s\n", tup[0], tup[1], tup[2])
	fmt.Println(etf.Format(t))
	// Output:
	// ok "\x01\x02\x03" hi
	// {ok,[1,2,3],<<"hi">>}
}

func ExampleEncoder_AppendTerm() {
	// The distribution layer appends bare terms (no 131) to a reused
	// buffer, replacing cached atoms by ATOM_CACHE_REF.
	enc := etf.Encoder{}
	buf := make([]byte, 0, 64)
	buf, err := enc.AppendTerm(buf, etf.Tuple{etf.Atom("reply"), 42, "text"})
	if err != nil {
		panic(err)
	}
	fmt.Println(buf)
	// Output: [104 3 119 5 114 101 112 108 121 97 42 109 0 0 0 4 116 101 120 116]
}

func ExampleDecoder_limits() {
	d := etf.Decoder{Limits: etf.Limits{MaxDepth: 2}}
	_, err := d.Decode([]byte{131, 104, 1, 104, 1, 104, 1, 106}) // {{{[]}}}
	fmt.Println(errors.Is(err, etf.ErrTooDeep), errors.Is(err, etf.ErrMalformed))
	// Output: true true
}
