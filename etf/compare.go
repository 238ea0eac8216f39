package etf

import (
	"bytes"
	"math/big"
	"sort"
)

// Compare orders two terms in Erlang's standard term order:
//
//	number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring
//
// It returns -1, 0 or +1. Like Erlang's < and ==, an integer and a float
// of the same value compare equal (0), although they are not Equal. Pids
// order by serial, number, node and creation; refs and ports by node,
// creation and then their ids, as ERTS 25 does. Maps order by size, then
// by their keys in key order (where every integer is less than every
// float), then by values in key order.
func Compare(a, b Term) int {
	return compareTerms(a, b, false, 0)
}

// Term classes in Erlang term order.
const (
	classNumber = iota
	classAtom
	classRef
	classFun
	classPort
	classPID
	classTuple
	classMap
	classNil
	classList
	classBits
	classOther
)

func termClass(t Term) int {
	if _, ok := smallInt(t); ok {
		return classNumber
	}
	switch x := t.(type) {
	case uint, uint64, *big.Int, big.Int, float64, float32:
		return classNumber
	case Atom, bool:
		return classAtom
	case Ref, Alias:
		return classRef
	case Fun, Export:
		return classFun
	case Port:
		return classPort
	case PID:
		return classPID
	case Tuple:
		return classTuple
	case Map:
		return classMap
	case nil:
		return classNil
	case List:
		if len(x) == 0 {
			return classNil
		}
		return classList
	case []any:
		if len(x) == 0 {
			return classNil
		}
		return classList
	case Charlist:
		if x == "" {
			return classNil
		}
		return classList
	case ImproperList:
		f := flattenImproper(x)
		if isImproper(f) {
			return classList
		}
		return termClass(f)
	case []byte, string, BitString:
		return classBits
	}
	return classOther
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareTerms compares a and b; exact selects map-key order, in which
// every integer sorts before every float.
func compareTerms(a, b Term, exact bool, depth int) int {
	ca, cb := termClass(a), termClass(b)
	if ca != cb {
		return sign(ca - cb)
	}
	if depth > 10000 {
		return 0
	}
	switch ca {
	case classNumber:
		return compareNumbers(a, b, exact)
	case classAtom:
		return sign(bytes.Compare([]byte(atomText(a)), []byte(atomText(b))))
	case classRef:
		return compareRefs(asRef(a), asRef(b))
	case classFun:
		return compareFuns(a, b, exact, depth)
	case classPort:
		x, y := a.(Port), b.(Port)
		if c := sign(bytes.Compare([]byte(x.Node), []byte(y.Node))); c != 0 {
			return c
		}
		if c := cmpU64(uint64(x.Creation), uint64(y.Creation)); c != 0 {
			return c
		}
		return cmpU64(x.ID, y.ID)
	case classPID:
		x, y := a.(PID), b.(PID)
		if c := cmpU64(uint64(x.Serial), uint64(y.Serial)); c != 0 {
			return c
		}
		if c := cmpU64(uint64(x.ID), uint64(y.ID)); c != 0 {
			return c
		}
		if c := sign(bytes.Compare([]byte(x.Node), []byte(y.Node))); c != 0 {
			return c
		}
		return cmpU64(uint64(x.Creation), uint64(y.Creation))
	case classTuple:
		x, y := a.(Tuple), b.(Tuple)
		if len(x) != len(y) {
			return sign(len(x) - len(y))
		}
		for i := range x {
			if c := compareTerms(x[i], y[i], exact, depth+1); c != 0 {
				return c
			}
		}
		return 0
	case classMap:
		return compareMaps(a.(Map), b.(Map), exact, depth)
	case classNil:
		return 0
	case classList:
		return compareLists(a, b, exact, depth)
	case classBits:
		return compareBits(a, b)
	}
	return 0
}

func atomText(t Term) string {
	switch x := t.(type) {
	case Atom:
		return string(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

func asRef(t Term) Ref {
	if a, ok := t.(Alias); ok {
		return Ref(a)
	}
	return t.(Ref)
}

func compareRefs(x, y Ref) int {
	if c := sign(bytes.Compare([]byte(x.Node), []byte(y.Node))); c != 0 {
		return c
	}
	if c := cmpU64(uint64(x.Creation), uint64(y.Creation)); c != 0 {
		return c
	}
	if x.Len != y.Len {
		return sign(int(x.Len) - int(y.Len))
	}
	for i := int(x.Len) - 1; i >= 0 && i < len(x.ID); i-- {
		if c := cmpU64(uint64(x.ID[i]), uint64(y.ID[i])); c != 0 {
			return c
		}
	}
	return 0
}

// compareNumbers compares integers and floats by value. In exact (map
// key) order every integer sorts before every float.
func compareNumbers(a, b Term, exact bool) int {
	fa, aFloat := asFloat(a)
	fb, bFloat := asFloat(b)
	switch {
	case aFloat && bFloat:
		return cmpFloat(fa, fb)
	case !aFloat && !bFloat:
		if x, ok := smallInt(a); ok {
			if y, ok := smallInt(b); ok {
				return cmpInt(x, y)
			}
		}
		return asBig(a).Cmp(asBig(b))
	}
	if exact {
		// Map-key order puts every integer before every float.
		if aFloat {
			return 1
		}
		return -1
	}
	var c int
	if aFloat {
		c = new(big.Float).SetFloat64(fa).Cmp(new(big.Float).SetInt(asBig(b)))
	} else {
		c = new(big.Float).SetInt(asBig(a)).Cmp(new(big.Float).SetFloat64(fb))
	}
	return c
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func asFloat(t Term) (float64, bool) {
	switch x := t.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	return 0, false
}

func asBig(t Term) *big.Int {
	switch x := normalize(t).(type) {
	case *big.Int:
		return x
	}
	return new(big.Int)
}

func compareFuns(a, b Term, exact bool, depth int) int {
	ea, aExp := a.(Export)
	eb, bExp := b.(Export)
	switch {
	case aExp && bExp:
		if c := sign(bytes.Compare([]byte(ea.Module), []byte(eb.Module))); c != 0 {
			return c
		}
		if c := sign(bytes.Compare([]byte(ea.Function), []byte(eb.Function))); c != 0 {
			return c
		}
		return sign(int(ea.Arity) - int(eb.Arity))
	case aExp:
		return 1 // local funs sort before external ones (checked on OTP 25)
	case bExp:
		return -1
	}
	fa, fb := a.(Fun), b.(Fun)
	if c := sign(bytes.Compare([]byte(fa.Module), []byte(fb.Module))); c != 0 {
		return c
	}
	if c := cmpU64(uint64(fa.Index), uint64(fb.Index)); c != 0 {
		return c
	}
	if c := bytes.Compare(fa.Uniq[:], fb.Uniq[:]); c != 0 {
		return c
	}
	if len(fa.FreeVars) != len(fb.FreeVars) {
		return sign(len(fa.FreeVars) - len(fb.FreeVars))
	}
	for i := range fa.FreeVars {
		if c := compareTerms(fa.FreeVars[i], fb.FreeVars[i], exact, depth+1); c != 0 {
			return c
		}
	}
	return 0
}

// sortedPairs returns m's pairs ordered by key in map-key order.
func sortedPairs(m Map) Map {
	ps := append(Map(nil), m...)
	sort.SliceStable(ps, func(i, j int) bool { return compareTerms(ps[i].Key, ps[j].Key, true, 0) < 0 })
	return ps
}

func compareMaps(x, y Map, exact bool, depth int) int {
	if len(x) != len(y) {
		return sign(len(x) - len(y))
	}
	px, py := sortedPairs(x), sortedPairs(y)
	for i := range px {
		if c := compareTerms(px[i].Key, py[i].Key, true, depth+1); c != 0 {
			return c
		}
	}
	for i := range px {
		if c := compareTerms(px[i].Value, py[i].Value, exact, depth+1); c != 0 {
			return c
		}
	}
	return 0
}

// listParts returns a non-empty list's elements and tail (nil for []).
func listParts(t Term) ([]Term, Term) {
	switch x := normalize(t).(type) {
	case List:
		return x, nil
	case ImproperList:
		return x.Elems, x.Tail
	}
	return nil, t
}

func compareLists(a, b Term, exact bool, depth int) int {
	ea, ta := listParts(a)
	eb, tb := listParts(b)
	for i := 0; i < len(ea) && i < len(eb); i++ {
		if c := compareTerms(ea[i], eb[i], exact, depth+1); c != 0 {
			return c
		}
	}
	// One list ran out: compare what follows, [] or the tail, with the
	// rest of the other list.
	var ra, rb Term = ta, tb
	if len(ea) > len(eb) {
		ra = ImproperList{Elems: ea[len(eb):], Tail: ta}
	} else if len(eb) > len(ea) {
		rb = ImproperList{Elems: eb[len(ea):], Tail: tb}
	}
	return compareTerms(ra, rb, exact, depth+1)
}

func bitsOf(t Term) ([]byte, int) {
	switch x := t.(type) {
	case []byte:
		return x, 8 * len(x)
	case string:
		return []byte(x), 8 * len(x)
	case BitString:
		if len(x.Bytes) == 0 {
			return nil, 0
		}
		return x.Bytes, 8*(len(x.Bytes)-1) + int(x.Bits)
	}
	return nil, 0
}

// compareBits compares bitstrings bit by bit; a prefix sorts first.
func compareBits(a, b Term) int {
	ba, na := bitsOf(a)
	bb, nb := bitsOf(b)
	full := min(na, nb) / 8
	if c := bytes.Compare(ba[:full], bb[:full]); c != 0 {
		return c
	}
	for i := full * 8; i < na && i < nb; i++ {
		x := ba[i/8] >> (7 - i%8) & 1
		y := bb[i/8] >> (7 - i%8) & 1
		if x != y {
			return sign(int(x) - int(y))
		}
	}
	return sign(na - nb)
}
