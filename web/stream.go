package web

import (
	"context"
	"fmt"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// ChunkWriter is what a Response's Stream function writes the body to.
// Each Write becomes a {web_chunk, Data} message to the request's
// process, which writes and flushes it to the client.
type ChunkWriter struct {
	p      *node.Process
	to     etf.PID
	credit chan struct{}
	ctx    context.Context
}

// Write sends b (copied) as one chunk. On the handler's node it waits
// while the connection's window (WithWindow) of chunks is unwritten, so
// a slow client slows the stream instead of filling memory. It fails
// with ErrClosed once the request is over (the client went away, the
// timeout passed).
func (w *ChunkWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if w.credit != nil {
		select {
		case w.credit <- struct{}{}:
		case <-w.ctx.Done():
			return 0, ErrClosed
		}
	} else if w.ctx.Err() != nil {
		return 0, ErrClosed
	}
	if err := w.p.Send(w.to, etf.Tuple{atomChunk, etf.Binary(append([]byte(nil), b...))}); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return len(b), nil
}

// streamProc runs one Stream function. It is linked to the request's
// process: the request ending (client gone, timeout) kills it and
// cancels the function's context; the function failing or panicking
// ends it abnormally, which aborts the response.
type streamProc struct {
	to     etf.PID
	credit chan struct{}
	fn     func(ctx context.Context, w *ChunkWriter) error
	cancel context.CancelFunc
}

// streamDone is what the stream's goroutine tells its process.
type streamDone struct{ err error }

// startStream spawns the process that runs fn for the request process to.
func startStream(p *actors.Process, to etf.PID, req *Request, fn func(context.Context, *ChunkWriter) error) error {
	_, err := p.Process.Spawn(&streamProc{to: to, credit: req.credit, fn: fn})
	return err
}

func (s *streamProc) Init(p *node.Process) error {
	if err := p.Link(s.to); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	w := &ChunkWriter{p: p, to: s.to, credit: s.credit, ctx: ctx}
	go func() {
		err := s.run(ctx, p, w)
		_ = p.Node().Send(p.Self(), streamDone{err})
	}()
	return nil
}

func (s *streamProc) run(ctx context.Context, p *node.Process, w *ChunkWriter) (err error) {
	defer node.Recover(&err, p, "web stream")
	return s.fn(ctx, w)
}

func (s *streamProc) HandleMessage(p *node.Process, msg etf.Term) error {
	d, ok := msg.(streamDone)
	if !ok {
		return nil
	}
	if d.err != nil {
		return d.err
	}
	if err := p.Send(s.to, atomEnd); err != nil {
		return err
	}
	return &node.ExitError{Reason: node.Normal}
}

func (s *streamProc) Terminate(*node.Process, etf.Term) { s.cancel() }
