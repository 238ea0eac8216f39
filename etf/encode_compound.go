// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"encoding/binary"
	"fmt"
	"math/big"
)

func (e *Encoder) deep(depth int) error {
	if depth >= e.maxDepth() {
		return fmt.Errorf("%w: nesting deeper than %d (cyclic value?)", ErrInvalidTerm, e.maxDepth())
	}
	return nil
}

// deepFast is deep for the recursive path, where depth < deepSwitch: only
// an explicit MaxDepth can be exceeded there (the default is unlimited).
func (e *Encoder) deepFast(depth int) error {
	if e.MaxDepth > 0 && depth >= e.MaxDepth {
		return e.deep(depth)
	}
	return nil
}

// The container encoders below recurse; past deepSwitch levels they hand
// the rest of the term to appendDeep (encode_deep.go).

func (e *Encoder) appendTuple(dst []byte, x Tuple, depth int) ([]byte, error) {
	if depth >= deepSwitch {
		return e.appendDeep(dst, x, depth)
	}
	if err := e.deepFast(depth); err != nil {
		return dst, err
	}
	if len(x) > 255 { // bigContainer > 255: only a large tuple is big
		return e.appendBigElems(appendHeader32(dst, TagLargeTuple, len(x)), x, depth)
	}
	dst = append(dst, TagSmallTuple, byte(len(x)))
	var err error
	for _, el := range x {
		if dst, err = e.append(dst, el, depth+1); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendList emits a proper list. Like ERTS, a list of at most 65535
// integers in 0..255 becomes STRING_EXT.
func (e *Encoder) appendList(dst []byte, x List, depth int) ([]byte, error) {
	if len(x) == 0 {
		return append(dst, TagNil), nil
	}
	if err := e.deepFast(depth); err != nil {
		return dst, err
	}
	if len(x) <= 65535 {
		if out, ok := appendByteList(dst, x); ok {
			return out, nil
		}
	}
	if depth >= deepSwitch {
		return e.appendDeep(dst, x, depth)
	}
	dst = appendHeader32(dst, TagList, len(x))
	var err error
	if len(x) >= bigContainer {
		if dst, err = e.appendBigElems(dst, x, depth); err != nil {
			return dst, err
		}
		return append(dst, TagNil), nil
	}
	for _, el := range x {
		if dst, err = e.append(dst, el, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, TagNil), nil
}

// appendByteList emits x as STRING_EXT if every element is an integer in
// 0..255, checking and writing in one pass; otherwise it reports false
// with dst's length unchanged. An int element (what decoding yields)
// skips byteValue's type switch.
func appendByteList(dst []byte, x List) ([]byte, bool) {
	start := len(dst)
	dst = append(dst, TagString, byte(len(x)>>8), byte(len(x)))
	for _, el := range x {
		v, ok := el.(int)
		if !ok {
			v64, isInt := byteValue(el)
			if !isInt || v64 < 0 || v64 > 255 {
				return dst[:start], false
			}
			v = int(v64)
		}
		if uint(v) > 255 {
			return dst[:start], false
		}
		dst = append(dst, byte(v))
	}
	return dst, true
}

func isByteList(x List) bool {
	for _, el := range x {
		if v, ok := el.(int); ok {
			if v < 0 || v > 255 {
				return false
			}
			continue
		}
		if v, ok := byteValue(el); !ok || v < 0 || v > 255 {
			return false
		}
	}
	return true
}

// byteValue returns t's integer value if t is any Go integer (including
// *big.Int) that fits an int64.
func byteValue(t Term) (int64, bool) {
	if v, ok := smallInt(t); ok {
		return v, true
	}
	switch x := t.(type) {
	case *big.Int:
		if x != nil && x.IsInt64() {
			return x.Int64(), true
		}
	case big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

// appendImproper emits [Elems... | Tail]. A tail that is itself a list is
// merged, as ERTS would have built the term.
func (e *Encoder) appendImproper(dst []byte, x ImproperList, depth int) ([]byte, error) {
	if depth >= deepSwitch {
		return e.appendDeep(dst, x, depth)
	}
	f := flattenImproper(x)
	il, ok := f.(ImproperList)
	if !ok {
		return e.append(dst, f, depth)
	}
	if err := e.deepFast(depth); err != nil {
		return dst, err
	}
	dst = appendHeader32(dst, TagList, len(il.Elems))
	var err error
	for _, el := range il.Elems {
		if dst, err = e.append(dst, el, depth+1); err != nil {
			return dst, err
		}
	}
	return e.append(dst, il.Tail, depth+1)
}

// appendMap emits the pairs in the order given (or sorted, with SortMaps).
// Keys must be unique: ERTS rejects a map with duplicate keys.
func (e *Encoder) appendMap(dst []byte, x Map, depth int) ([]byte, error) {
	if depth >= deepSwitch {
		return e.appendDeep(dst, x, depth)
	}
	if err := e.deepFast(depth); err != nil {
		return dst, err
	}
	dst = appendHeader32(dst, TagMap, len(x))
	if e.SortMaps && len(x) > 1 && len(x) <= 32 && !mapSorted(x) {
		x = sortedPairs(x)
	}
	if len(x) >= bigContainer {
		return e.appendBigPairs(dst, x, depth)
	}
	var err error
	for _, p := range x {
		if dst, err = e.append(dst, p.Key, depth+1); err != nil {
			return dst, err
		}
		if dst, err = e.append(dst, p.Value, depth+1); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendCharlist emits STRING_EXT when possible, else a list of integers.
func (e *Encoder) appendCharlist(dst []byte, x Charlist) []byte {
	n, latin1 := 0, true
	for _, r := range x {
		n++
		if r > 255 {
			latin1 = false
		}
	}
	if n == 0 {
		return append(dst, TagNil)
	}
	if latin1 && n <= 65535 {
		dst = append(dst, TagString, byte(n>>8), byte(n))
		for _, r := range x {
			dst = append(dst, byte(r))
		}
		return dst
	}
	dst = appendHeader32(dst, TagList, n)
	for _, r := range x {
		dst = appendInt(dst, int64(r))
	}
	return append(dst, TagNil)
}

func (e *Encoder) appendPID(dst []byte, p PID) ([]byte, error) {
	dst = append(dst, TagNewPID)
	dst, err := e.appendAtom(dst, p.Node)
	if err != nil {
		return dst, err
	}
	dst = appendU32(dst, p.ID)
	dst = appendU32(dst, p.Serial)
	return appendU32(dst, p.Creation), nil
}

// appendPort emits NEW_PORT_EXT, or V4_PORT_EXT when the id needs more than
// 28 bits (as ERTS 25 does).
func (e *Encoder) appendPort(dst []byte, p Port) ([]byte, error) {
	v4 := p.ID > 0x0FFFFFFF
	if v4 {
		dst = append(dst, TagV4Port)
	} else {
		dst = append(dst, TagNewPort)
	}
	dst, err := e.appendAtom(dst, p.Node)
	if err != nil {
		return dst, err
	}
	if v4 {
		dst = binary.BigEndian.AppendUint64(dst, p.ID)
	} else {
		dst = appendU32(dst, uint32(p.ID))
	}
	return appendU32(dst, p.Creation), nil
}

func (e *Encoder) appendRef(dst []byte, r Ref) ([]byte, error) {
	if int(r.Len) > len(r.ID) {
		return dst, fmt.Errorf("%w: reference with %d words", ErrInvalidTerm, r.Len)
	}
	dst = append(dst, TagNewerReference, 0, r.Len)
	dst, err := e.appendAtom(dst, r.Node)
	if err != nil {
		return dst, err
	}
	dst = appendU32(dst, r.Creation)
	for i := 0; i < int(r.Len); i++ {
		dst = appendU32(dst, r.ID[i])
	}
	return dst, nil
}

func (e *Encoder) appendExport(dst []byte, x Export) ([]byte, error) {
	dst = append(dst, TagExport)
	dst, err := e.appendAtom(dst, x.Module)
	if err != nil {
		return dst, err
	}
	if dst, err = e.appendAtom(dst, x.Function); err != nil {
		return dst, err
	}
	return append(dst, TagSmallInteger, x.Arity), nil
}

// appendFun emits NEW_FUN_EXT; Size is patched in once the body is known.
func (e *Encoder) appendFun(dst []byte, f Fun, depth int) ([]byte, error) {
	if depth >= deepSwitch {
		return e.appendDeep(dst, f, depth)
	}
	if err := e.deepFast(depth); err != nil {
		return dst, err
	}
	dst, sizeAt, err := e.appendFunHead(dst, f, depth)
	if err != nil {
		return dst, err
	}
	for _, v := range f.FreeVars {
		if dst, err = e.append(dst, v, depth+1); err != nil {
			return dst, err
		}
	}
	binary.BigEndian.PutUint32(dst[sizeAt:], uint32(len(dst)-sizeAt))
	return dst, nil
}

// appendFunHead emits NEW_FUN_EXT up to its free variables and returns
// where the Size field is.
func (e *Encoder) appendFunHead(dst []byte, f Fun, depth int) ([]byte, int, error) {
	dst = append(dst, TagNewFun)
	sizeAt := len(dst)
	dst = append(dst, 0, 0, 0, 0, f.Arity)
	dst = append(dst, f.Uniq[:]...)
	dst = appendU32(dst, f.Index)
	dst = appendU32(dst, uint32(len(f.FreeVars)))
	var err error
	if dst, err = e.appendAtom(dst, f.Module); err != nil {
		return dst, 0, err
	}
	for _, t := range []Term{f.OldIndex, f.OldUniq} {
		if t == nil {
			t = 0
		}
		if dst, err = e.append(dst, t, depth+1); err != nil {
			return dst, 0, err
		}
	}
	if dst, err = e.appendPID(dst, f.Pid); err != nil {
		return dst, 0, err
	}
	return dst, sizeAt, nil
}

func mapSorted(m Map) bool {
	for i := 1; i < len(m); i++ {
		if compareTerms(m[i-1].Key, m[i].Key, true, nil) > 0 {
			return false
		}
	}
	return true
}
