// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"
)

// Deep terms, encoding side: like the decoder (decode_deep.go), the
// encoder recurses for the first deepSwitch levels and continues with an
// explicit stack, so any term the Erlang VM can build (which has no depth
// limit) can be sent back to it.
//
// Without a depth limit a cyclic Go value (a Tuple that contains itself)
// would never end. Past cycleCheckDepth levels the container open at every
// power-of-two depth is remembered by identity, and meeting one of them
// again below it is an error: an endless descent through a cycle is
// periodic (each container leads to the same next one), so it revisits
// the container marked at depth 2^k within 2^k more levels once 2^k
// exceeds both where the cycle starts and its length. That costs a few
// comparisons per level and nothing for terms up to cycleCheckDepth.

// cycleCheckDepth (a power of two) is the depth from which appendDeep
// watches for cycles.
const cycleCheckDepth = 4096

// Frame kinds of appendDeep.
const (
	ekTuple    = iota // elems
	ekList            // elems, then NIL
	ekImproper        // elems, then tail
	ekMap             // pairs
	ekFun             // free variables, then the size is patched
)

type eframe struct {
	elems  []Term
	pairs  Map
	tail   Term
	i      int
	sizeAt int         // ekFun: offset of the Size field
	id     containerID // identity for the cycle check, if not elems/pairs
	kind   uint8
}

// containerID identifies a container's backing array for cycle detection.
type containerID struct {
	p unsafe.Pointer
	n int
}

type deepEnc struct {
	stack stack[eframe]
	marks []cycleMark
}

// cycleMark is the container open at a power-of-two depth.
type cycleMark struct {
	depth int
	id    containerID
}

// appendDeep encodes t, which sits at nesting depth base, without
// recursion.
func (e *Encoder) appendDeep(dst []byte, t Term, base int) ([]byte, error) {
	st := encPool.Get().(*deepEnc)
	dst, err := e.appendDeepWith(dst, st, t, base)
	st.marks = st.marks[:0]
	if st.stack.reset() <= maxPooledStack/8 { // frames are ~100 bytes
		encPool.Put(st)
	}
	return dst, err
}

// encPool keeps the stacks of finished deep encodes, like deepPool.
var encPool = sync.Pool{New: func() any { return new(deepEnc) }}

func (e *Encoder) appendDeepWith(dst []byte, st *deepEnc, t Term, base int) ([]byte, error) {
	cur := t
	var err error
	for {
		if dst, err = e.enterDeep(dst, st, cur, base); err != nil {
			return dst, err
		}
		// Pick the next term to encode, closing finished containers.
		for {
			if st.stack.len() == 0 {
				return dst, nil
			}
			f := st.stack.top()
			if f.kind == ekMap {
				if f.i < 2*len(f.pairs) {
					p := f.pairs[f.i/2]
					cur = p.Key
					if f.i%2 == 1 {
						cur = p.Value
					}
					f.i++
					break
				}
			} else if f.i < len(f.elems) {
				cur = f.elems[f.i]
				f.i++
				break
			} else if f.kind == ekImproper {
				cur, f.kind = f.tail, ekTuple // the tail ends the list
				break
			}
			switch f.kind {
			case ekList:
				dst = append(dst, TagNil)
			case ekFun:
				binary.BigEndian.PutUint32(dst[f.sizeAt:], uint32(len(dst)-f.sizeAt))
			}
			st.stack.pop()
			if n := len(st.marks); n > 0 && st.marks[n-1].depth >= base+st.stack.len() {
				st.marks = st.marks[:n-1]
			}
		}
	}
}

// enterDeep writes cur: a leaf completely, a container its header (and
// pushes a frame for its children).
func (e *Encoder) enterDeep(dst []byte, st *deepEnc, cur Term, base int) ([]byte, error) {
	depth := base + st.stack.len()
	var f eframe
	for {
		switch x := cur.(type) {
		case Tuple:
			if err := e.deep(depth); err != nil {
				return dst, err
			}
			if len(x) <= 255 {
				dst = append(dst, TagSmallTuple, byte(len(x)))
			} else {
				dst = appendHeader32(dst, TagLargeTuple, len(x))
			}
			if len(x) == 0 {
				return dst, nil
			}
			f.elems, f.kind = x, ekTuple
		case List:
			return e.enterList(dst, st, x, f.id, depth)
		case []any:
			return e.enterList(dst, st, x, f.id, depth)
		case ImproperList:
			// Flattening may copy, so the cycle check identifies the
			// container by the caller's slices instead.
			if f.id == (containerID{}) {
				f.id = improperID(x)
			}
			fl := flattenImproper(x)
			il, ok := fl.(ImproperList)
			if !ok {
				cur = fl
				continue
			}
			if err := e.deep(depth); err != nil {
				return dst, err
			}
			dst = appendHeader32(dst, TagList, len(il.Elems))
			f.elems, f.tail, f.kind = il.Elems, il.Tail, ekImproper
		case Map:
			if err := e.deep(depth); err != nil {
				return dst, err
			}
			dst = appendHeader32(dst, TagMap, len(x))
			if len(x) == 0 {
				return dst, nil
			}
			f.id = containerID{unsafe.Pointer(unsafe.SliceData(x)), len(x)} // sorting copies
			if e.SortMaps && len(x) > 1 && len(x) <= 32 && !mapSorted(x) {
				x = sortedPairs(x)
			}
			f.pairs, f.kind = x, ekMap
		case Fun:
			if err := e.deep(depth); err != nil {
				return dst, err
			}
			var err error
			var sizeAt int
			if dst, sizeAt, err = e.appendFunHead(dst, x, depth); err != nil {
				return dst, err
			}
			if len(x.FreeVars) == 0 {
				binary.BigEndian.PutUint32(dst[sizeAt:], uint32(len(dst)-sizeAt))
				return dst, nil
			}
			f.elems, f.sizeAt, f.kind = x.FreeVars, sizeAt, ekFun
		default:
			return e.append(dst, cur, depth)
		}
		return e.pushDeep(dst, st, f, depth)
	}
}

// enterList writes a proper list: STRING_EXT when ERTS would, else the
// header and a frame for the elements.
func (e *Encoder) enterList(dst []byte, st *deepEnc, x List, id containerID, depth int) ([]byte, error) {
	if len(x) == 0 {
		return append(dst, TagNil), nil
	}
	if err := e.deep(depth); err != nil {
		return dst, err
	}
	if len(x) <= 65535 && isByteList(x) {
		return e.appendList(dst, x, depth) // flat: no recursion
	}
	dst = appendHeader32(dst, TagList, len(x))
	return e.pushDeep(dst, st, eframe{elems: x, kind: ekList, id: id}, depth)
}

// pushDeep opens frame f at depth, checking for a cycle when deep.
func (e *Encoder) pushDeep(dst []byte, st *deepEnc, f eframe, depth int) ([]byte, error) {
	if depth >= cycleCheckDepth {
		id := frameID(&f)
		for _, m := range st.marks {
			if m.id == id {
				return dst, fmt.Errorf("%w: cyclic value (a container contains itself)", ErrInvalidTerm)
			}
		}
		if depth&(depth-1) == 0 {
			st.marks = append(st.marks, cycleMark{depth, id})
		}
	}
	st.stack.push(f)
	return dst, nil
}

func frameID(f *eframe) containerID {
	if f.id != (containerID{}) {
		return f.id
	}
	if f.kind == ekMap {
		return containerID{unsafe.Pointer(unsafe.SliceData(f.pairs)), len(f.pairs)}
	}
	return containerID{unsafe.Pointer(unsafe.SliceData(f.elems)), len(f.elems)}
}

// improperID identifies an improper list by the first non-empty slice of
// its chain of tails, which a cycle through it must revisit.
func improperID(x ImproperList) containerID {
	for {
		if len(x.Elems) > 0 {
			return containerID{unsafe.Pointer(unsafe.SliceData(x.Elems)), len(x.Elems)}
		}
		switch t := x.Tail.(type) {
		case List:
			return containerID{unsafe.Pointer(unsafe.SliceData(t)), len(t)}
		case []any:
			return containerID{unsafe.Pointer(unsafe.SliceData(t)), len(t)}
		case ImproperList:
			x = t
			continue
		}
		return containerID{}
	}
}
