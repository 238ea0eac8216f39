// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

import (
	"math"
	"sync"
)

// Deep terms.
//
// The decoder recurses once per nesting level only for the first
// deepSwitch levels, where that is fastest; a term nested deeper is
// decoded by decodeDeep, which keeps its state in two heap stacks instead
// of Go frames. ERTS decodes iteratively too and accepts any depth that
// fits in memory, so depth is not a safety limit here: every level costs
// at least two input bytes (a one-element tuple) and at most one frame
// plus its pending children, so a deep input needs memory proportional to
// its length, never to a length field it claims.

// deepSwitch is the nesting depth at which decoding (and encoding, see
// encode_deep.go) leaves the recursive fast path.
const deepSwitch = 64

// Frame kinds of decodeDeep.
const (
	dkTuple    = iota // n elements
	dkMap             // 2n keys and values
	dkList            // n elements so far, more LIST_EXT segments may follow
	dkListTail        // elements done, waiting for the improper tail
	dkFun             // OldIndex, OldUniq, Pid, then n-3 free variables
)

// dframe is an open container. Its children are decoded onto the value
// stack above vbase and only copied into the container once complete, so
// a truncated input allocates nothing but frames. Fields are 32-bit to
// keep a frame at 16 bytes (decodeDeep refuses inputs of 4 GiB or more,
// which no ETF producer emits with deep nesting).
type dframe struct {
	start uint32 // offset of the container's tag, for errors
	vbase uint32 // index of its first child in the value stack
	n     uint32 // number of children expected
	kind  uint8
}

// funHead is the part of a NEW_FUN_EXT read before its nested terms.
type funHead struct {
	f    Fun
	size int
}

// deepState holds the stacks of one decodeDeep call.
type deepState struct {
	frames stack[dframe]
	vals   stack[Term]
	funs   []funHead
}

// deepPool keeps the stacks of finished deep decodes (each reset and at
// most maxPooledStack entries) so a connection that keeps receiving deep
// terms does not reallocate them.
var deepPool = sync.Pool{New: func() any { return new(deepState) }}

const maxPooledStack = 1 << 16

// decodeDeep decodes the term at s.pos, which sits at nesting depth base,
// without recursion.
func (s *decState) decodeDeep(base int) (Term, error) {
	if uint64(len(s.b)) > math.MaxUint32 {
		return nil, s.fail(s.pos, 0, ErrTooLarge, "deeply nested term in an input of 4 GiB or more")
	}
	st := deepPool.Get().(*deepState)
	t, err := s.decodeDeepWith(st, base)
	s.pending = 0
	clear(st.funs)
	st.funs = st.funs[:0]
	if st.frames.reset() <= maxPooledStack && st.vals.reset() <= maxPooledStack {
		deepPool.Put(st)
	}
	return t, err
}

func (s *decState) decodeDeepWith(st *deepState, base int) (Term, error) {
	for {
		// Enter the term at s.pos.
		if base+st.frames.len() > s.lim.MaxDepth {
			return nil, s.fail(s.pos, 0, ErrTooDeep, "nesting limit exceeded")
		}
		v, open, err := s.enterDeep(st)
		if err != nil {
			return nil, err
		}
		if open {
			continue
		}
		// Deliver v to the open containers, closing every one it
		// completes.
		for {
			if st.frames.len() == 0 {
				return v, nil
			}
			st.vals.push(v)
			f := st.frames.top()
			// Closing containers happens at the end of the input, where
			// slabs sized from the remaining bytes would be tiny: count
			// the open frames in (see budget).
			s.pending = st.frames.len()
			if f.kind == dkListTail {
				v = s.closeList(st, f, true)
			} else if st.vals.len()-int(f.vbase) < int(f.n) {
				break // more children to decode
			} else if f.kind == dkList {
				var done bool
				if v, done, err = s.listNext(st, f); err != nil {
					return nil, err
				}
				if !done {
					break
				}
			} else if v, err = s.closeDeep(st, f); err != nil {
				return nil, err
			}
			st.frames.pop()
		}
	}
}

// enterDeep starts the term at s.pos. A container with children is pushed
// (open is true); anything else, including an empty container, is returned
// complete.
func (s *decState) enterDeep(st *deepState) (v Term, open bool, err error) {
	if s.pos >= len(s.b) {
		return nil, false, s.fail(s.pos, 0, ErrTruncated, "missing tag")
	}
	start := s.pos
	tag := s.b[start]
	switch tag {
	case TagSmallTuple, TagLargeTuple, TagMap, TagList, TagNewFun:
	default:
		// Not a container: the recursive decoder handles it without
		// recursing (and counts it).
		v, err := s.decode(0)
		return v, false, err
	}
	s.terms++
	if s.terms > s.lim.MaxTerms {
		return nil, false, s.fail(start, 0, ErrTooLarge, "term count limit exceeded")
	}
	s.pos++
	switch tag {
	case TagMap:
		return s.enterMap(st, start)
	case TagList:
		return s.enterList(st, start)
	case TagNewFun:
		return s.enterFun(st, start)
	}
	return s.enterTuple(st, start, tag)
}

// enterTuple reads a tuple's arity and pushes it (an empty one is
// complete).
func (s *decState) enterTuple(st *deepState, start int, tag byte) (Term, bool, error) {
	var n int
	if tag == TagSmallTuple {
		if err := s.need(1, tag, "tuple arity"); err != nil {
			return nil, false, err
		}
		n = int(s.u8())
	} else {
		if err := s.need(4, tag, "tuple arity"); err != nil {
			return nil, false, err
		}
		n = int(s.u32())
	}
	if n > s.remaining() {
		return nil, false, s.fail(start, tag, ErrTruncated, "tuple arity exceeds input")
	}
	if n == 0 {
		return boxSlice(s, typTuple, s.elems(0)), false, nil
	}
	st.frames.push(dframe{start: uint32(start), vbase: uint32(st.vals.len()), n: uint32(n), kind: dkTuple})
	return nil, true, nil
}

// enterMap reads a map's arity and pushes it for its 2n keys and values
// (an empty one is complete).
func (s *decState) enterMap(st *deepState, start int) (Term, bool, error) {
	if err := s.need(4, TagMap, "map arity"); err != nil {
		return nil, false, err
	}
	n := int(s.u32())
	if n > s.remaining()/2 {
		return nil, false, s.fail(start, TagMap, ErrTruncated, "map arity exceeds input")
	}
	if n == 0 {
		return boxSlice(s, typMap, Map{}), false, nil
	}
	st.frames.push(dframe{start: uint32(start), vbase: uint32(st.vals.len()), n: uint32(2 * n), kind: dkMap})
	return nil, true, nil
}

// enterList reads a list's length and pushes it; a list without elements
// goes straight to its tail.
func (s *decState) enterList(st *deepState, start int) (Term, bool, error) {
	if err := s.need(4, TagList, "list length"); err != nil {
		return nil, false, err
	}
	n := int(s.u32())
	if n >= s.remaining() { // n elements and a tail, at least one byte each
		return nil, false, s.fail(start, TagList, ErrTruncated, "list length exceeds input")
	}
	st.frames.push(dframe{start: uint32(start), vbase: uint32(st.vals.len()), n: uint32(n), kind: dkList})
	if n > 0 {
		return nil, true, nil
	}
	v, done, err := s.listNext(st, st.frames.top())
	if err != nil || !done {
		return nil, err == nil, err
	}
	st.frames.pop()
	return v, false, nil
}

// enterFun reads a fun's head and pushes it for the terms that follow it:
// OldIndex, OldUniq, Pid and the free variables.
func (s *decState) enterFun(st *deepState, start int) (Term, bool, error) {
	h, nfree, err := s.funHead(start)
	if err != nil {
		return nil, false, err
	}
	st.funs = append(st.funs, h)
	st.frames.push(dframe{start: uint32(start), vbase: uint32(st.vals.len()), n: uint32(3 + nfree), kind: dkFun})
	return nil, true, nil
}

// closeDeep builds the tuple, map or fun f from its children and pops them.
func (s *decState) closeDeep(st *deepState, f *dframe) (Term, error) {
	start := int(f.start)
	switch f.kind {
	case dkTuple:
		el := s.elems(int(f.n))
		st.vals.popInto(el)
		return boxSlice(s, typTuple, el), nil
	case dkMap:
		kids := make([]Term, f.n)
		st.vals.popInto(kids)
		m := s.mapPairs(len(kids) / 2)
		for i := range m {
			m[i] = Pair{Key: kids[2*i], Value: kids[2*i+1]}
		}
		if hasDuplicateKeys(m) {
			return nil, s.fail(start, TagMap, ErrMalformed, "duplicate map key")
		}
		return boxSlice(s, typMap, m), nil
	}
	h := st.funs[len(st.funs)-1]
	st.funs = st.funs[:len(st.funs)-1]
	kids := make([]Term, f.n)
	st.vals.popInto(kids)
	return s.funFinish(start, h, kids)
}

// listNext is called when the elements of list frame f announced so far
// are decoded. It reads what follows: another LIST_EXT segment (merged, as
// ERTS would build the list), a STRING_EXT tail (merged too), NIL, or any
// other tail, which f then waits for. done reports that the list is
// complete (v).
func (s *decState) listNext(st *deepState, f *dframe) (v Term, done bool, err error) {
	for {
		if s.pos >= len(s.b) {
			return nil, false, s.fail(s.pos, TagList, ErrTruncated, "missing list tail")
		}
		switch s.b[s.pos] {
		case TagList:
			s.pos++
			if err := s.need(4, TagList, "list length"); err != nil {
				return nil, false, err
			}
			n := int(s.u32())
			if n >= s.remaining() {
				return nil, false, s.fail(int(f.start), TagList, ErrTruncated, "list length exceeds input")
			}
			if n > 0 {
				f.n += uint32(n) // n < remaining input < 4 GiB, so is the sum
				return nil, false, nil
			}
			continue
		case TagString:
			if f.n == 0 {
				break // the tail is the whole list
			}
			s.pos++
			if err := s.need(2, TagString, "string length"); err != nil {
				return nil, false, err
			}
			n := s.u16()
			if err := s.need(n, TagString, "string bytes"); err != nil {
				return nil, false, err
			}
			for _, c := range s.b[s.pos : s.pos+n] {
				st.vals.push(int(c))
			}
			f.n += uint32(n)
			s.pos += n
			return s.closeList(st, f, false), true, nil
		case TagNil:
			if f.n > 0 {
				s.pos++
				s.terms++ // the NIL, counted as the recursive decoder does
				return s.closeList(st, f, false), true, nil
			}
		}
		f.kind = dkListTail
		return nil, false, nil
	}
}

// closeList builds list frame f from its elements and, if hasTail, the
// tail on top of the value stack, and pops them.
func (s *decState) closeList(st *deepState, f *dframe, hasTail bool) Term {
	var tail Term
	if hasTail {
		tail = *st.vals.top()
		st.vals.pop()
	}
	if hasTail && f.n == 0 {
		return tail
	}
	el := s.elems(int(f.n))
	st.vals.popInto(el)
	if l, ok := tail.(List); !hasTail || ok && len(l) == 0 {
		return boxSlice(s, typList, el)
	}
	return ImproperList{Elems: el, Tail: tail}
}
