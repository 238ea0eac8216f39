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
	if x, ok := smallInt(a); ok {
		if y, ok := smallInt(b); ok {
			return x == y
		}
	}
	a, b = normalize(a), normalize(b)
	switch x := a.(type) {
	case nil:
		return isEmptyList(b)
	case Atom:
		y, ok := b.(Atom)
		return ok && x == y
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case BitString:
		y, ok := b.(BitString)
		return ok && x.Bits == y.Bits && bytes.Equal(x.Bytes, y.Bytes)
	case Tuple:
		y, ok := b.(Tuple)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case List:
		if len(x) == 0 {
			return isEmptyList(b)
		}
		y, ok := b.(List)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case ImproperList:
		y, ok := b.(ImproperList)
		if !ok || len(x.Elems) != len(y.Elems) || !Equal(x.Tail, y.Tail) {
			return false
		}
		for i := range x.Elems {
			if !Equal(x.Elems[i], y.Elems[i]) {
				return false
			}
		}
		return true
	case Map:
		y, ok := b.(Map)
		if !ok || len(x) != len(y) {
			return false
		}
		if len(x) > 8 {
			return equalMapsHashed(x, y)
		}
		for _, p := range x {
			v, found := y.Get(p.Key)
			if !found || !Equal(p.Value, v) {
				return false
			}
		}
		return true
	case Fun:
		y, ok := b.(Fun)
		if !ok || x.Arity != y.Arity || x.Uniq != y.Uniq || x.Index != y.Index ||
			x.Module != y.Module || x.Pid != y.Pid || !Equal(x.OldIndex, y.OldIndex) ||
			!Equal(x.OldUniq, y.OldUniq) {
			return false
		}
		return Equal(List(x.FreeVars), List(y.FreeVars))
	default:
		// PID, Port, Ref, Export and other comparable values. Values that
		// are not terms and not comparable ([]string, maps, funcs) are
		// equal only to themselves by deep comparison; == would panic.
		ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
		if ta != tb {
			return false
		}
		if ta != nil && !ta.Comparable() {
			return reflect.DeepEqual(a, b)
		}
		return a == b
	}
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

// equalMapsHashed compares two maps of equal size in expected linear time.
func equalMapsHashed(x, y Map) bool {
	idx := make(map[uint64][]int, len(y))
	for i, p := range y {
		h := HashTerm(p.Key)
		idx[h] = append(idx[h], i)
	}
	for _, p := range x {
		found := false
		for _, i := range idx[HashTerm(p.Key)] {
			if Equal(p.Key, y[i].Key) {
				if !Equal(p.Value, y[i].Value) {
					return false
				}
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
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
