package port

import (
	"context"
	"os"
	"sync"
)

// writeQueue feeds the program's stdin from its own goroutine, so that a
// program that does not read blocks neither the port process (which must
// stay responsive to its owner's exit) nor the node. Command waits while
// more than limit bytes are pending; {command, Data} messages, which
// cannot wait, are queued regardless (ERTS's port queue is unbounded too).
type writeQueue struct {
	f     *os.File
	limit int

	mu      sync.Mutex
	bufs    [][]byte
	pending int           // bytes queued or reserved by Command, not yet written
	wake    chan struct{} // tells the writer goroutine there is work
	room    chan struct{} // closed (and replaced) when pending drops under limit
	closing bool          // close stdin once the queue is empty
	closed  bool          // stdin is closed or broken: drop everything
}

func newWriteQueue(f *os.File, limit int) *writeQueue {
	return &writeQueue{f: f, limit: limit, wake: make(chan struct{}, 1), room: make(chan struct{})}
}

// reserve waits until the queue has room for a Command of n bytes and
// books them, or fails with ErrClosed or ctx's error. A message bigger
// than the limit waits for an empty queue.
func (q *writeQueue) reserve(ctx context.Context, n int) error {
	for {
		q.mu.Lock()
		switch {
		case q.closed || q.closing:
			q.mu.Unlock()
			return ErrClosed
		case q.pending == 0 || q.pending+n <= q.limit:
			q.pending += n
			q.mu.Unlock()
			return nil
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// unreserve returns bytes booked by reserve whose message never reached
// the port process.
func (q *writeQueue) unreserve(n int) {
	q.mu.Lock()
	q.pending -= n
	q.signalRoomLocked()
	q.mu.Unlock()
}

// push queues b. reserved says its bytes were booked by reserve already.
func (q *writeQueue) push(b []byte, reserved bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.closing {
		if reserved {
			q.pending -= len(b)
			q.signalRoomLocked()
		}
		return
	}
	if !reserved {
		q.pending += len(b)
	}
	q.bufs = append(q.bufs, b)
	q.kick()
}

// closeInput closes stdin once everything queued is written.
func (q *writeQueue) closeInput() {
	q.mu.Lock()
	q.closing = true
	q.kick()
	q.mu.Unlock()
}

// isClosed reports whether stdin no longer takes data.
func (q *writeQueue) isClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed || q.closing
}

func (q *writeQueue) kick() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *writeQueue) signalRoomLocked() {
	if q.pending < q.limit {
		close(q.room)
		q.room = make(chan struct{})
	}
}

// run writes queued buffers until stdin is closed (closeInput, stop) or
// breaks (the program exited or closed its stdin: EPIPE). It closes the
// pipe on the way out, so the program sees EOF.
func (q *writeQueue) run(stop <-chan struct{}) {
	defer q.shut()
	for {
		q.mu.Lock()
		bufs := q.bufs
		q.bufs = nil
		closing := q.closing
		q.mu.Unlock()
		for i, b := range bufs {
			_, err := q.f.Write(b)
			bufs[i] = nil
			q.mu.Lock()
			q.pending -= len(b)
			q.signalRoomLocked()
			q.mu.Unlock()
			if err != nil {
				return
			}
		}
		if len(bufs) > 0 {
			continue
		}
		if closing {
			return
		}
		select {
		case <-q.wake:
		case <-stop:
			return
		}
	}
}

// shut marks stdin closed, drops what is queued and closes the pipe.
func (q *writeQueue) shut() {
	q.mu.Lock()
	q.closed = true
	q.bufs = nil
	q.pending = 0
	close(q.room) // wake every waiter: they see closed
	q.room = make(chan struct{})
	q.mu.Unlock()
	q.f.Close()
}

// abort unblocks a Write in progress (Terminate): closing the file fails
// it at once.
func (q *writeQueue) abort() { q.f.Close() }

// pendingBytes is what is queued or booked toward stdin.
func (q *writeQueue) pendingBytes() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}
