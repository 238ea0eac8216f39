package node

import "sync"

// The ordinary-message queue is a chain of fixed-size segments. Appending
// never copies (a growing slice would copy the whole backlog each time it
// doubles, which dominated flood benchmarks), the consumer takes the whole
// chain at once under the lock, and drained segments go back to a per-node
// pool, so a steady stream of messages allocates nothing and an idle
// process holds no segment at all.
const segSize = 128

type segment struct {
	items [segSize]any
	n     int
	next  *segment
}

type queue struct {
	head, tail *segment
	len        int
}

// push appends m; pool provides segments.
func (q *queue) push(m any, pool *sync.Pool) {
	t := q.tail
	if t == nil || t.n == segSize {
		s := pool.Get().(*segment)
		if t == nil {
			q.head = s
		} else {
			t.next = s
		}
		q.tail, t = s, s
	}
	t.items[t.n] = m
	t.n++
	q.len++
}

// take removes and returns the whole chain.
func (q *queue) take() *segment {
	h := q.head
	q.head, q.tail, q.len = nil, nil, 0
	return h
}

// release clears a drained segment and returns it to the pool.
func releaseSegment(s *segment, pool *sync.Pool) {
	clear(s.items[:s.n])
	s.n, s.next = 0, nil
	pool.Put(s)
}
