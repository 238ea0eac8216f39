package etf

import (
	"testing"
)

func TestAsList(t *testing.T) {
	tests := []struct {
		name string
		in   Term
		want List
		ok   bool
	}{
		// Wire bytes as term_to_binary/1 of OTP 25 writes them.
		{"NIL_EXT []", mustDecode(t, []byte{131, 106}), nil, true},
		{"STRING_EXT [1,2,3]", mustDecode(t, []byte{131, 107, 0, 3, 1, 2, 3}), List{1, 2, 3}, true},
		{"LIST_EXT [a,1]", mustDecode(t, []byte{131, 108, 0, 0, 0, 2, 119, 1, 'a', 97, 1, 106}), List{Atom("a"), 1}, true},
		{"Charlist beyond Latin-1", Charlist("hé€"), List{'h', 'é', '€'}, true},
		{"untyped nil", nil, nil, true},
		{"[]any", []any{1, Atom("x")}, List{1, Atom("x")}, true},
		{"improper list", ImproperList{Elems: []Term{1}, Tail: 2}, nil, false},
		{"binary", []byte("abc"), nil, false},
		{"tuple", Tuple{1}, nil, false},
		{"atom", Atom("[]"), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := AsList(tc.in)
			if ok != tc.ok || !Equal(got, tc.want) || len(got) != len(tc.want) {
				t.Fatalf("AsList(%#v) = %#v, %v; want %#v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func mustDecode(t *testing.T, b []byte) Term {
	t.Helper()
	v, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
