package etf

// stack is the explicit stack of the iterative decoder and encoder. It
// grows in fixed blocks instead of by reallocation, so a deep term costs
// its final size once (not the sum of every copy while growing), pointers
// to entries stay valid while more are pushed, and memory stays a small
// multiple of the input even for a hostile one.
type stack[T any] struct {
	full [][]T // filled blocks below cur
	cur  []T   // top block
	free [][]T // emptied blocks, reused by the next pushes past them
	n    int
}

// stackBlock is the largest block. Blocks start at 64 entries and double
// up to it, so a term a little deeper than deepSwitch (the usual deep
// case) stays cheap, while a very deep one wastes at most one block.
const stackBlock = 4096

func (s *stack[T]) len() int { return s.n }

func (s *stack[T]) push(v T) {
	if len(s.cur) == cap(s.cur) {
		if s.cur != nil {
			s.full = append(s.full, s.cur)
		}
		switch {
		case len(s.free) > 0:
			s.cur = s.free[len(s.free)-1]
			s.free = s.free[:len(s.free)-1]
		case s.cur == nil:
			s.cur = make([]T, 0, 64)
		default:
			s.cur = make([]T, 0, min(2*cap(s.cur), stackBlock))
		}
	}
	s.cur = append(s.cur, v)
	s.n++
}

// top returns the last entry; the stack must not be empty.
func (s *stack[T]) top() *T { return &s.cur[len(s.cur)-1] }

func (s *stack[T]) pop() {
	var zero T
	s.cur[len(s.cur)-1] = zero
	s.cur = s.cur[:len(s.cur)-1]
	s.n--
	s.settle()
}

// popInto moves the last len(dst) entries, in order, into dst.
func (s *stack[T]) popInto(dst []T) {
	var zero T
	for i := len(dst); i > 0; {
		if len(s.cur) == 0 {
			s.down()
		}
		k := min(i, len(s.cur))
		top := s.cur[len(s.cur)-k:]
		copy(dst[i-k:i], top)
		for j := range top {
			top[j] = zero
		}
		s.cur = s.cur[:len(s.cur)-k]
		s.n -= k
		i -= k
	}
	s.settle()
}

// settle keeps the invariant that cur is empty only when the whole stack
// is.
func (s *stack[T]) settle() {
	if len(s.cur) == 0 && len(s.full) > 0 {
		s.down()
	}
}

func (s *stack[T]) down() {
	s.free = append(s.free, s.cur[:0])
	s.cur = s.full[len(s.full)-1]
	s.full = s.full[:len(s.full)-1]
}

// reset empties the stack, keeping its blocks (every entry is already
// zero: pop clears what it removes), and reports how many entries they
// hold, so that a pool can refuse to keep a huge stack alive.
func (s *stack[T]) reset() int {
	for s.n > 0 {
		s.pop()
	}
	total := cap(s.cur)
	for _, b := range s.free {
		total += cap(b)
	}
	return total
}
