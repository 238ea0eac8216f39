package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// Handler is an http.Handler that turns each request into a gen_server
// call to a worker and writes the worker's reply. The target is a pid, a
// registered name, a node.Name or {Name, Node}: one worker, an
// actors.Pool, or a gen_server on another node.
//
// A Handler serves while its process runs: Start runs it linked to an
// owner, Actor gives it to a supervisor. Without a running process every
// request gets 503.
type Handler struct {
	component
	target etf.Term
	cfg    config

	served   atomic.Int64
	inflight atomic.Int64
}

// NewHandler returns a Handler for target. It serves nothing until its
// process runs (Start or Actor).
func NewHandler(target etf.Term, opts ...Option) *Handler {
	h := &Handler{target: target, cfg: newConfig(opts)}
	h.state = h.stateTerm
	return h
}

// Start runs the handler's process linked to owner (like port.Open and
// gen_server:start_link): the process ends when owner does, and owner
// gets an exit signal (or, monitoring, a DOWN) when it ends. Request
// processes are linked to it, so its end aborts the requests in flight.
// opts are spawn options, e.g. node.WithName to find it in the observer.
func (h *Handler) Start(owner *node.Process, opts ...node.SpawnOption) (etf.PID, error) {
	return h.start(owner, opts)
}

// Actor returns the handler's process as an actor, for a supervisor's
// ChildSpec.Start: each start (and restart) serves this same Handler.
func (h *Handler) Actor() actors.Actor { return &componentActor{c: &h.component} }

// PID returns the handler process's pid while it runs.
func (h *Handler) PID() (etf.PID, bool) { return h.pid() }

func (h *Handler) stateTerm() etf.Term {
	return etf.Map{
		{Key: etf.Atom("target"), Value: h.target},
		{Key: etf.Atom("served"), Value: int(h.served.Load())},
		{Key: etf.Atom("in_flight"), Value: int(h.inflight.Load())},
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hp := h.process()
	if hp == nil {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "bad request body", http.StatusBadRequest)
		}
		return
	}
	h.inflight.Add(1)
	defer h.inflight.Add(-1)
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	rp := newReqProc(hp.Self(), h.cfg, cancel)
	req := &Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header,
		Body: body, Host: r.Host, RemoteAddr: r.RemoteAddr, credit: rp.credit}
	if _, err := hp.Node().Spawn(rp, node.WithTrapExit(), node.WithMailboxLimit(h.cfg.mailbox)); err != nil {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	completed := false
	defer func() { rp.finish(completed) }()
	rep, ok := h.call(ctx, w, rp, req)
	if !ok {
		return
	}
	h.served.Add(1)
	writeHeader(w, rep)
	if !rep.stream {
		_, _ = w.Write(rep.body)
		completed = true
		return
	}
	completed = rp.relay(ctx, w, h.cfg.timeout)
	if !completed {
		rp.finish(false)
		// Cut the connection: a chunked body ended normally would look
		// complete to the client.
		panic(http.ErrAbortHandler)
	}
}

// call makes the worker call; on failure it answers the client and
// reports false.
func (h *Handler) call(ctx context.Context, w http.ResponseWriter, rp *reqProc, req *Request) (reply, bool) {
	callCtx, stop := context.WithTimeout(ctx, h.cfg.timeout)
	defer stop()
	req.ctx = callCtx
	res, err := rp.p.Call(callCtx, h.target, req)
	if err == nil && ctx.Err() != nil {
		// A stream that started and failed at once: its chunks are in
		// the channel before its exit, so relay sends them and then cuts
		// the connection, rather than a 500 that drops what it wrote.
		var we *WorkerExitError
		if rep, perr := parseReply(res); perr == nil && rep.stream && errors.As(context.Cause(ctx), &we) {
			return rep, true
		}
	}
	// A reply racing the deadline or an abort is what a worker cut short
	// said: the deadline or the abort decides.
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	} else if errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		err = node.ErrTimeout
	}
	if err == nil {
		rep, perr := parseReply(res)
		if perr == nil {
			return rep, true
		}
		err = perr
	}
	status := h.failStatus(ctx, err)
	if status == 0 {
		return reply{}, false // the client has gone: nothing to answer
	}
	rp.p.Logger().Debug("web: request failed", "method", req.Method, "path", req.Path, "status", status, "err", err)
	http.Error(w, http.StatusText(status), status)
	return reply{}, false
}

// failStatus maps a failed call to the status the client gets (0 when
// the client has gone).
func (h *Handler) failStatus(ctx context.Context, err error) int {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the worker or the handler process ended
	} else if ctx.Err() != nil {
		return 0
	}
	var se *StatusError
	var ee *node.ExitError
	switch {
	case errors.As(err, &se):
		return se.Status
	case errors.Is(err, ErrBadReply):
		return http.StatusBadGateway
	case errors.Is(err, node.ErrTimeout):
		return http.StatusGatewayTimeout
	case errors.Is(err, errHandlerDown), errors.Is(err, node.ErrNoProc), errors.Is(err, node.ErrNoConnection):
		return http.StatusServiceUnavailable
	case errors.As(err, &ee):
		return http.StatusInternalServerError
	}
	return http.StatusInternalServerError
}

func writeHeader(w http.ResponseWriter, rep reply) {
	dst := w.Header()
	for k, vs := range rep.header {
		dst[k] = append(dst[k], vs...)
	}
	w.WriteHeader(rep.status)
}
