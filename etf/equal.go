package etf

import (
	"bytes"
	"math/big"
	"reflect"
)

// Equal reports whether two terms are the same Erlang term (=:=). It
// understands the equivalent Go shapes a term can take: any Go integer type
// and *big.Int compare by value, string/[]byte compare as binaries, a
// Charlist equals the List of its code points, nil equals the empty list, and
// maps compare regardless of pair order.
//
// Equal keeps its work list on the heap, so terms of any depth compare
// without deep Go recursion (only map keys that are themselves deep and
// collide in HashTerm recurse). Cyclic Go values are not terms and may
// make it run forever.
func Equal(a, b Term) bool {
	// Fast paths for the common shapes avoid normalize's allocations.
	switch x := a.(type) {
	case Atom:
		if y, ok := b.(Atom); ok {
			return x == y
		}
	case int:
		if y, ok := b.(int); ok {
			return x == y
		}
	}
	var buf [16]termPair
	work := append(buf[:0], termPair{a, b})
	for len(work) > 0 {
		p := work[len(work)-1]
		work = work[:len(work)-1]
		var ok bool
		if work, ok = equalStep(p.a, p.b, work); !ok {
			return false
		}
	}
	return true
}

// termPair is two terms still to be compared.
type termPair struct{ a, b Term }

// equalStep compares a and b at the top level and appends the pairs of
// children that must also be Equal.
func equalStep(a, b Term, work []termPair) ([]termPair, bool) {
	if x, ok := smallInt(a); ok {
		if y, ok := smallInt(b); ok {
			return work, x == y
		}
	}
	a, b = normalize(a), normalize(b)
	switch x := a.(type) {
	case nil:
		return work, isEmptyList(b)
	case Atom:
		y, ok := b.(Atom)
		return work, ok && x == y
	case *big.Int:
		y, ok := b.(*big.Int)
		return work, ok && x.Cmp(y) == 0
	case float64:
		y, ok := b.(float64)
		return work, ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return work, ok && bytes.Equal(x, y)
	case BitString:
		y, ok := b.(BitString)
		return work, ok && x.Bits == y.Bits && bytes.Equal(x.Bytes, y.Bytes)
	case Tuple:
		y, ok := b.(Tuple)
		if !ok || len(x) != len(y) {
			return work, false
		}
		return pushPairs(work, x, y), true
	case List:
		if len(x) == 0 {
			return work, isEmptyList(b)
		}
		y, ok := b.(List)
		if !ok || len(x) != len(y) {
			return work, false
		}
		return pushPairs(work, x, y), true
	case ImproperList:
		y, ok := b.(ImproperList)
		if !ok || len(x.Elems) != len(y.Elems) {
			return work, false
		}
		work = append(work, termPair{x.Tail, y.Tail})
		return pushPairs(work, x.Elems, y.Elems), true
	case Map:
		y, ok := b.(Map)
		if !ok || len(x) != len(y) {
			return work, false
		}
		return matchMaps(x, y, work)
	case Fun:
		y, ok := b.(Fun)
		if !ok || x.Arity != y.Arity || x.Uniq != y.Uniq || x.Index != y.Index ||
			x.Module != y.Module || x.Pid != y.Pid || len(x.FreeVars) != len(y.FreeVars) {
			return work, false
		}
		work = append(work, termPair{x.OldIndex, y.OldIndex}, termPair{x.OldUniq, y.OldUniq})
		return pushPairs(work, x.FreeVars, y.FreeVars), true
	default:
		// PID, Port, Ref, Export and other comparable values. Values that
		// are not terms and not comparable ([]string, maps, funcs) are
		// equal only to themselves by deep comparison; == would panic.
		ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
		if ta != tb {
			return work, false
		}
		if ta != nil && !ta.Comparable() {
			return work, reflect.DeepEqual(a, b)
		}
		return work, a == b
	}
}

// pushPairs queues the element pairs of two sequences of equal length, the
// first on top. Sequences that share their backing array are equal as
// they stand and cost nothing.
func pushPairs(work []termPair, x, y []Term) []termPair {
	if len(x) > 0 && &x[0] == &y[0] {
		return work
	}
	for i := len(x) - 1; i >= 0; i-- {
		work = append(work, termPair{x[i], y[i]})
	}
	return work
}

// matchMaps pairs the keys of two maps of equal size and queues the pairs
// of keys and of values. Keys of a map are unique, so a key of x has at
// most one Equal key in y: scalar keys are matched directly, and other
// keys by HashTerm, which only needs Equal to settle a collision.
func matchMaps(x, y Map, work []termPair) ([]termPair, bool) {
	if len(x) <= 8 && scalarKeys(x) {
		for _, p := range x {
			v, found := y.Get(p.Key)
			if !found {
				return work, false
			}
			work = append(work, termPair{p.Value, v})
		}
		return work, true
	}
	idx := make(map[uint64][]int, len(y))
	for i, p := range y {
		h := HashTerm(p.Key)
		idx[h] = append(idx[h], i)
	}
	for _, p := range x {
		cands := idx[HashTerm(p.Key)]
		switch len(cands) {
		case 0:
			return work, false
		case 1:
			q := y[cands[0]]
			work = append(work, termPair{p.Key, q.Key}, termPair{p.Value, q.Value})
			continue
		}
		found := false
		for _, i := range cands {
			if Equal(p.Key, y[i].Key) {
				work = append(work, termPair{p.Value, y[i].Value})
				found = true
				break
			}
		}
		if !found {
			return work, false
		}
	}
	return work, true
}

// scalarKeys reports whether no key of m holds other terms, so comparing
// keys never nests.
func scalarKeys(m Map) bool {
	for _, p := range m {
		switch k := p.Key.(type) {
		case Tuple, Map, ImproperList, Fun, []any:
			return false
		case List:
			if len(k) > 0 {
				return false
			}
		}
	}
	return true
}

func isEmptyList(t Term) bool {
	switch x := t.(type) {
	case nil:
		return true
	case List:
		return len(x) == 0
	}
	return false
}

// normalize maps equivalent Go representations onto one canonical shape so
// that Equal can compare them: integers become *big.Int, strings become
// []byte, Charlists become Lists of ints, Alias becomes Ref.
func normalize(t Term) Term {
	switch x := t.(type) {
	case int:
		return big.NewInt(int64(x))
	case int8:
		return big.NewInt(int64(x))
	case int16:
		return big.NewInt(int64(x))
	case int32:
		return big.NewInt(int64(x))
	case int64:
		return big.NewInt(x)
	case uint:
		return new(big.Int).SetUint64(uint64(x))
	case uint8:
		return big.NewInt(int64(x))
	case uint16:
		return big.NewInt(int64(x))
	case uint32:
		return big.NewInt(int64(x))
	case uint64:
		return new(big.Int).SetUint64(x)
	case float32:
		return float64(x)
	case string:
		return []byte(x)
	case Charlist:
		l := make(List, 0, len(x))
		for _, r := range x {
			l = append(l, int(r))
		}
		return l
	case Alias:
		return Ref(x)
	case []any:
		return List(x)
	case ImproperList:
		f := flattenImproper(x)
		if !isImproper(f) {
			return normalize(f)
		}
		return f
	case big.Int:
		return &x
	case BitString:
		if x.Bits == 8 {
			return x.Bytes
		}
	case bool:
		if x {
			return Atom("true")
		}
		return Atom("false")
	}
	return t
}

// flattenImproper returns the canonical shape of x: a tail that is itself a
// list is merged into the elements ([a | [b | c]] is [a, b | c]), a proper
// result is a List, and no elements means just the tail.
func flattenImproper(x ImproperList) Term {
	elems, tail := x.Elems, x.Tail
	copied := false
	for {
		var more []Term
		switch t := tail.(type) {
		case nil:
			return List(elems)
		case List:
			more, tail = t, nil
		case []any:
			more, tail = t, nil
		case Charlist:
			for _, r := range t {
				more = append(more, int(r))
			}
			tail = nil
		case ImproperList:
			more, tail = t.Elems, t.Tail
		default:
			if len(elems) == 0 {
				return tail
			}
			return ImproperList{Elems: elems, Tail: tail}
		}
		if len(more) > 0 {
			if !copied {
				elems = append([]Term(nil), elems...)
				copied = true
			}
			elems = append(elems, more...)
		}
	}
}

func isImproper(t Term) bool {
	_, ok := t.(ImproperList)
	return ok
}
