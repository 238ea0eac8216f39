package etf

// AsList returns the elements of t when t is a proper Erlang list, in any
// of the Go shapes one can take:
//
//   - List: LIST_EXT, and NIL_EXT ([] decodes to a nil List);
//   - Charlist: STRING_EXT, which ERTS uses for any list of up to 65535
//     integers 0..255, so [1,2,3] as an argument list arrives as one; its
//     code points are returned as int elements;
//   - untyped nil and []any: how Go code writes [] and lists for the
//     encoder.
//
// Anything else (an ImproperList included) reports false. The result is
// nil or empty for []; for a List or []any it shares t's backing array.
func AsList(t Term) (List, bool) {
	switch l := t.(type) {
	case List:
		return l, true
	case nil:
		return nil, true
	case Charlist:
		out := make(List, 0, len(l))
		for _, r := range string(l) {
			out = append(out, int(r))
		}
		return out, true
	case []any:
		return List(l), true
	}
	return nil, false
}
