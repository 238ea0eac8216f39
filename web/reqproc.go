package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// errHandlerDown is the cause of a request aborted because the handler
// process ended.
var errHandlerDown = errors.New("web: handler process ended")

// WorkerExitError is the cause of a request aborted by an exit signal:
// a stream's process failing, or the node stopping (From is then the
// node's own pid). The client gets 500, or mid-stream a cut connection.
type WorkerExitError struct {
	From   etf.PID
	Reason etf.Term
}

// Error implements error.
func (e *WorkerExitError) Error() string {
	return fmt.Sprintf("web: %v exited: %s", e.From, etf.Format(e.Reason))
}

// reqProc is the process of one HTTP request. It makes the worker call
// (from the HTTP goroutine: the process's own handler never calls), and
// receives what a stream sends: {web_chunk, IoData} and web_end, which it
// hands to the HTTP goroutine. It traps exits: the handler process's exit
// and any other abnormal exit signal (a stream's process failing, the
// node stopping) abort the request and end the process with that reason.
type reqProc struct {
	hp     etf.PID
	p      *node.Process
	ch     chan etf.Term
	credit chan struct{}
	quit   chan struct{}
	cancel context.CancelCauseFunc
	done   atomic.Bool
	ended  atomic.Bool
}

// chunkMsg is a chunk on its way to the HTTP goroutine; endMsg the end.
type (
	chunkMsg []byte
	endMsg   struct{}
)

func newReqProc(hp etf.PID, cfg config, cancel context.CancelCauseFunc) *reqProc {
	return &reqProc{hp: hp, ch: make(chan etf.Term, cfg.window), credit: make(chan struct{}, cfg.window),
		quit: make(chan struct{}), cancel: cancel}
}

func (rp *reqProc) Init(p *node.Process) error {
	rp.p = p
	return p.Link(rp.hp)
}

func (rp *reqProc) HandleMessage(p *node.Process, msg etf.Term) error {
	if e, ok := msg.(node.ExitMsg); ok {
		return rp.exitSignal(e)
	}
	if rp.done.Load() {
		return nil
	}
	switch m := msg.(type) {
	case etf.Tuple:
		if len(m) == 2 && m[0] == atomChunk {
			data, err := flattenIOData(m[1])
			if err != nil {
				p.Logger().Debug("web: bad chunk", "err", err)
				rp.cancel(fmt.Errorf("%w: chunk: %w", ErrBadReply, err))
				return nil
			}
			rp.push(chunkMsg(data))
			return nil
		}
	case etf.Atom:
		if m == atomEnd {
			rp.push(endMsg{})
			return nil
		}
	}
	p.Logger().Debug("web: request process ignores a message", "message", etf.Format(msg))
	return nil
}

func (rp *reqProc) exitSignal(e node.ExitMsg) error {
	switch {
	case rp.done.Load():
		// finish's signal, or any exit after it: the request is over.
		reason := e.Reason
		if rp.ended.Load() {
			reason = node.Normal
		}
		return &node.ExitError{Reason: reason}
	case e.From == rp.hp:
		rp.cancel(errHandlerDown)
	case e.Reason == node.Normal:
		return nil // a stream's process that has finished
	default:
		// A stream's process failed, or the node is stopping. The chunks
		// already handed over stay in the channel for the HTTP goroutine.
		rp.cancel(&WorkerExitError{From: e.From, Reason: e.Reason})
	}
	return &node.ExitError{Reason: e.Reason}
}

// push hands m to the HTTP goroutine, waiting while its window is full
// unless the request is over.
func (rp *reqProc) push(m etf.Term) {
	select {
	case rp.ch <- m:
	case <-rp.quit:
	}
}

// finish ends the process once the HTTP goroutine is done with it:
// normally when the response is complete (unlinking from the handler
// first, so the handler's mailbox gets nothing), else with shutdown, which
// ends a stream process linked to it.
func (rp *reqProc) finish(completed bool) {
	if rp.done.Swap(true) {
		return
	}
	close(rp.quit)
	rp.ended.Store(completed)
	reason := node.Shutdown
	if completed {
		reason = node.Normal
		rp.p.Unlink(rp.hp)
	}
	_ = rp.p.Node().Exit(rp.p.Self(), reason)
}

func (rp *reqProc) Terminate(*node.Process, etf.Term) {}

// relay writes a stream's chunks to the client as they arrive, flushing
// each, until web_end (true), or the client going away, an abort or
// idle passing between chunks (false).
func (rp *reqProc) relay(ctx context.Context, w http.ResponseWriter, idle time.Duration) bool {
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush() // the status and headers go out before the first chunk
	}
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		select {
		case m := <-rp.ch:
			if done, ok := rp.write(w, flusher, m); done || !ok {
				return ok
			}
			timer.Reset(idle)
		case <-ctx.Done():
			// What the stream sent before it failed still goes out, in
			// order: it was in the channel before the exit signal.
			for {
				select {
				case m := <-rp.ch:
					if done, ok := rp.write(w, flusher, m); done || !ok {
						return false
					}
				default:
					return false
				}
			}
		case <-timer.C:
			rp.p.Logger().Debug("web: stream idle timeout", "after", idle)
			return false
		}
	}
}

// write writes one chunk and gives its credit back; done reports web_end,
// ok false a failed write.
func (rp *reqProc) write(w http.ResponseWriter, flusher http.Flusher, m etf.Term) (done, ok bool) {
	if _, end := m.(endMsg); end {
		return true, true
	}
	if _, err := w.Write(m.(chunkMsg)); err != nil {
		return false, false
	}
	if flusher != nil {
		flusher.Flush()
	}
	select {
	case <-rp.credit: // a Go stream's chunk gives its credit back
	default:
	}
	return false, true
}
