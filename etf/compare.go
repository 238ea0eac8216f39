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
//
// Terms of any depth compare without deep Go recursion. Only maps used as
// keys of maps, nested more than 10,000 levels that way, are compared with
// their pairs in stored order below that level instead of key order.
func Compare(a, b Term) int {
	return compareTerms(a, b, false, nil)
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

// cmpFrame is pending work of compareTerms: the pairs xs[i:], ys[i:] in
// order, or (single) the one pair a, b.
type cmpFrame struct {
	xs, ys []Term
	a, b   Term
	i      int
	exact  bool
	single bool
}

// compareTerms compares a and b; exact selects map-key order, in which
// every integer sorts before every float. The work list lives on the
// heap, so any depth compares without deep Go recursion; only sorting the
// keys of maps recurses, once per level of maps nested in map keys (see
// cmpCtx).
func compareTerms(a, b Term, exact bool, ctx *cmpCtx) int {
	var buf [8]cmpFrame
	work := append(buf[:0], cmpFrame{a: a, b: b, exact: exact, single: true})
	for len(work) > 0 {
		f := &work[len(work)-1]
		ex := f.exact
		if f.single {
			a, b = f.a, f.b
			work = work[:len(work)-1]
		} else if f.i < len(f.xs) {
			a, b = f.xs[f.i], f.ys[f.i]
			f.i++
		} else {
			work = work[:len(work)-1]
			continue
		}
		var c int
		if c, work = compareStep(a, b, ex, &ctx, work); c != 0 {
			return c
		}
	}
	return 0
}

// compareStep orders a and b by what they hold at the top level; when
// that is a tie, the children still to compare are queued on work, the
// first on top.
func compareStep(a, b Term, exact bool, ctx **cmpCtx, work []cmpFrame) (int, []cmpFrame) {
	ca, cb := termClass(a), termClass(b)
	if ca != cb {
		return sign(ca - cb), work
	}
	switch ca {
	case classNumber:
		return compareNumbers(a, b, exact), work
	case classAtom:
		return sign(bytes.Compare([]byte(atomText(a)), []byte(atomText(b)))), work
	case classRef:
		return compareRefs(asRef(a), asRef(b)), work
	case classFun:
		c, fa, fb := compareFunHeads(a, b)
		if c == 0 && len(fa) > 0 {
			work = append(work, cmpFrame{xs: fa, ys: fb, exact: exact})
		}
		return c, work
	case classPort:
		return comparePorts(a.(Port), b.(Port)), work
	case classPID:
		return comparePIDs(a.(PID), b.(PID)), work
	case classTuple:
		x, y := a.(Tuple), b.(Tuple)
		if len(x) != len(y) {
			return sign(len(x) - len(y)), work
		}
		if len(x) > 0 {
			work = append(work, cmpFrame{xs: x, ys: y, exact: exact})
		}
		return 0, work
	case classMap:
		x, y := a.(Map), b.(Map)
		if len(x) != len(y) {
			return sign(len(x) - len(y)), work
		}
		return 0, pushMapPairs(x, y, exact, ctx, work)
	case classNil:
		return 0, work
	case classList:
		return 0, pushListParts(a, b, exact, work)
	case classBits:
		return compareBits(a, b), work
	}
	return 0, work
}

// pushMapPairs queues the comparison of two maps of one size: keys in key
// order first (always exact), then values.
func pushMapPairs(x, y Map, exact bool, ctx **cmpCtx, work []cmpFrame) []cmpFrame {
	if *ctx == nil && (len(x) > 1 || len(y) > 1) {
		*ctx = new(cmpCtx)
	}
	px, py := sortedPairsAt(x, *ctx), sortedPairsAt(y, *ctx)
	kx, ky := make([]Term, 2*len(px)), make([]Term, 2*len(py))
	for i := range px {
		kx[i], ky[i] = px[i].Key, py[i].Key
		kx[len(px)+i], ky[len(py)+i] = px[i].Value, py[i].Value
	}
	if len(px) > 0 {
		work = append(work, cmpFrame{xs: kx[len(px):], ys: ky[len(py):], exact: exact})
		work = append(work, cmpFrame{xs: kx[:len(px)], ys: ky[:len(py)], exact: true})
	}
	return work
}

// pushListParts queues the comparison of two lists (proper or not): the
// common elements first, then what follows them.
func pushListParts(a, b Term, exact bool, work []cmpFrame) []cmpFrame {
	ea, ta := listParts(a)
	eb, tb := listParts(b)
	n := min(len(ea), len(eb))
	// After the common elements, what follows ([] or the tail, or
	// the rest of the longer list) decides.
	if len(ea) != len(eb) || ta != nil || tb != nil {
		var ra, rb Term = ta, tb
		if len(ea) > n {
			ra = ImproperList{Elems: ea[n:], Tail: ta}
		} else if len(eb) > n {
			rb = ImproperList{Elems: eb[n:], Tail: tb}
		}
		work = append(work, cmpFrame{a: ra, b: rb, exact: exact, single: true})
	}
	if n > 0 {
		work = append(work, cmpFrame{xs: ea[:n], ys: eb[:n], exact: exact})
	}
	return work
}

// comparePorts orders ports by node, creation, then id (ERTS 25).
func comparePorts(x, y Port) int {
	if c := sign(bytes.Compare([]byte(x.Node), []byte(y.Node))); c != 0 {
		return c
	}
	if c := cmpOrdered(uint64(x.Creation), uint64(y.Creation)); c != 0 {
		return c
	}
	return cmpOrdered(x.ID, y.ID)
}

// comparePIDs orders pids by serial, number, node, then creation (ERTS 25).
func comparePIDs(x, y PID) int {
	if c := cmpOrdered(uint64(x.Serial), uint64(y.Serial)); c != 0 {
		return c
	}
	if c := cmpOrdered(uint64(x.ID), uint64(y.ID)); c != 0 {
		return c
	}
	if c := sign(bytes.Compare([]byte(x.Node), []byte(y.Node))); c != 0 {
		return c
	}
	return cmpOrdered(uint64(x.Creation), uint64(y.Creation))
}

func atomText(t Term) string {
	switch x := t.(type) {
	case Atom:
		return string(x)
	case bool:
		return string(boolAtom(x))
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
	if c := cmpOrdered(uint64(x.Creation), uint64(y.Creation)); c != 0 {
		return c
	}
	if x.Len != y.Len {
		return sign(int(x.Len) - int(y.Len))
	}
	for i := int(x.Len) - 1; i >= 0 && i < len(x.ID); i-- {
		if c := cmpOrdered(uint64(x.ID[i]), uint64(y.ID[i])); c != 0 {
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
		return cmpOrdered(fa, fb)
	case !aFloat && !bFloat:
		if x, ok := smallInt(a); ok {
			if y, ok := smallInt(b); ok {
				return cmpOrdered(x, y)
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

// compareFunHeads orders two funs by everything but their free
// variables, which it returns for the caller to compare in order on a tie.
func compareFunHeads(a, b Term) (int, []Term, []Term) {
	ea, aExp := a.(Export)
	eb, bExp := b.(Export)
	switch {
	case aExp && bExp:
		if c := sign(bytes.Compare([]byte(ea.Module), []byte(eb.Module))); c != 0 {
			return c, nil, nil
		}
		if c := sign(bytes.Compare([]byte(ea.Function), []byte(eb.Function))); c != 0 {
			return c, nil, nil
		}
		return sign(int(ea.Arity) - int(eb.Arity)), nil, nil
	case aExp:
		return 1, nil, nil // local funs sort before external ones (checked on OTP 25)
	case bExp:
		return -1, nil, nil
	}
	fa, fb := a.(Fun), b.(Fun)
	if c := sign(bytes.Compare([]byte(fa.Module), []byte(fb.Module))); c != 0 {
		return c, nil, nil
	}
	if c := cmpOrdered(uint64(fa.Index), uint64(fb.Index)); c != 0 {
		return c, nil, nil
	}
	if c := bytes.Compare(fa.Uniq[:], fb.Uniq[:]); c != 0 {
		return c, nil, nil
	}
	if len(fa.FreeVars) != len(fb.FreeVars) {
		return sign(len(fa.FreeVars) - len(fb.FreeVars)), nil, nil
	}
	return 0, fa.FreeVars, fb.FreeVars
}

// sortedPairs returns m's pairs ordered by key in map-key order.
func sortedPairs(m Map) Map { return sortedPairsAt(m, new(cmpCtx)) }

// cmpCtx is shared by one comparison and the key sorts it triggers: the
// maps sorted so far (so that a map reached again, as in maps nested in
// the keys of maps, is sorted once rather than once per enclosing level,
// which was quadratic) and how deep such sorts nest.
type cmpCtx struct {
	sorted map[*Pair]Map
	level  int
}

// maxSortNesting bounds the Go recursion of sorting map keys that are
// maps whose keys are maps ... Past it (a term no program builds, but a
// peer could send), pairs are taken in stored order: the result is still
// deterministic, and Compare never exhausts the Go stack.
const maxSortNesting = 10000

func sortedPairsAt(m Map, ctx *cmpCtx) Map {
	if len(m) < 2 || ctx.level > maxSortNesting {
		return m
	}
	if ps, ok := ctx.sorted[&m[0]]; ok && len(ps) == len(m) {
		return ps
	}
	ps := append(Map(nil), m...)
	inner := &cmpCtx{level: ctx.level + 1}
	sort.SliceStable(ps, func(i, j int) bool {
		inner.sorted = ctx.sorted
		c := compareTerms(ps[i].Key, ps[j].Key, true, inner)
		ctx.sorted = inner.sorted
		return c < 0
	})
	if ctx.sorted == nil {
		ctx.sorted = make(map[*Pair]Map)
	}
	ctx.sorted[&m[0]] = ps
	return ps
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
