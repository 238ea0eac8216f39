package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/erlgo/erlgo/actors"
	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// The callbacks a WebWorker's handler may implement, one per method. A
// method without its callback gets 405 Method Not Allowed with an Allow
// header listing the ones there are.
type (
	// GetHandler answers GET, and HEAD (net/http drops the body).
	GetHandler interface {
		HandleGet(ctx context.Context, req *Request) (Response, error)
	}
	// PostHandler answers POST.
	PostHandler interface {
		HandlePost(ctx context.Context, req *Request) (Response, error)
	}
	// PutHandler answers PUT.
	PutHandler interface {
		HandlePut(ctx context.Context, req *Request) (Response, error)
	}
	// PatchHandler answers PATCH.
	PatchHandler interface {
		HandlePatch(ctx context.Context, req *Request) (Response, error)
	}
	// DeleteHandler answers DELETE.
	DeleteHandler interface {
		HandleDelete(ctx context.Context, req *Request) (Response, error)
	}
	// RequestHandler answers every method without a callback of its own.
	RequestHandler interface {
		HandleRequest(ctx context.Context, req *Request) (Response, error)
	}
)

type callback = func(ctx context.Context, req *Request) (Response, error)

// WebWorker is the web worker behaviour: an actor (a gen_server) that
// answers the requests a Handler sends it by calling its handler's
// HandleGet, HandlePost ... callbacks, one request at a time. A callback
// that panics or returns an error answers 500 (a *StatusError its status)
// and the worker goes on; the error is logged at Debug, never shown to
// the client. A WebWorker answers web requests only: any other call
// stops it with actors.ErrUnknownRequest, as an unmatched handle_call
// clause stops a gen_server (a supervisor or a Pool restarts it); casts
// and other messages are ignored.
//
// A worker killed while its callback waits in a Call (made through
// Process(ctx)) sees that Call end at once; it answers 500 and exits with
// the kill's reason, so the client never waits for the timeout, also
// behind an actors.Pool (whose callers monitor the pool, not the worker).
type WebWorker struct {
	actors.Base
	handler any
	byVerb  map[string]callback
	other   callback
	allow   string
}

// NewWebWorker returns a WebWorker for handler, which implements any of
// GetHandler, PostHandler, PutHandler, PatchHandler, DeleteHandler and
// RequestHandler. Spawn it with actors.Spawn, or give NewWebWorker to an
// actors.Pool's New.
func NewWebWorker(handler any) *WebWorker {
	w := &WebWorker{handler: handler, byVerb: map[string]callback{}}
	if h, ok := handler.(GetHandler); ok {
		w.byVerb[http.MethodGet], w.byVerb[http.MethodHead] = h.HandleGet, h.HandleGet
	}
	if h, ok := handler.(PostHandler); ok {
		w.byVerb[http.MethodPost] = h.HandlePost
	}
	if h, ok := handler.(PutHandler); ok {
		w.byVerb[http.MethodPut] = h.HandlePut
	}
	if h, ok := handler.(PatchHandler); ok {
		w.byVerb[http.MethodPatch] = h.HandlePatch
	}
	if h, ok := handler.(DeleteHandler); ok {
		w.byVerb[http.MethodDelete] = h.HandleDelete
	}
	if h, ok := handler.(RequestHandler); ok {
		w.other = h.HandleRequest
	}
	verbs := make([]string, 0, len(w.byVerb))
	for v := range w.byVerb {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	w.allow = strings.Join(verbs, ", ")
	return w
}

// HandleCall answers a web request.
func (w *WebWorker) HandleCall(p *actors.Process, from actors.From, msg etf.Term) (etf.Term, error) {
	req, err := ParseRequest(msg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", actors.ErrUnknownRequest, etf.Format(msg))
	}
	resp := w.run(p, req)
	if resp.Stream != nil {
		if err := startStream(p, from.PID, req, resp.Stream); err != nil {
			return errorResponse(p, req, err), nil
		}
	}
	return resp, nil
}

// run calls the callback for req's method, turning a panic or an error
// into a response.
func (w *WebWorker) run(p *actors.Process, req *Request) *Response {
	cb := w.byVerb[req.Method]
	if cb == nil {
		cb = w.other
	}
	if cb == nil {
		h := http.Header{}
		if w.allow != "" {
			h.Set("Allow", w.allow)
		}
		return &Response{Status: http.StatusMethodNotAllowed, Header: h, Body: []byte("method not allowed\n")}
	}
	out, err := invoke(p, cb, req)
	if err != nil {
		return errorResponse(p, req, err)
	}
	return &out
}

// invoke runs cb; a panic is logged with its stack and becomes an error.
func invoke(p *actors.Process, cb callback, req *Request) (out Response, err error) {
	defer node.Recover(&err, p.Process, "web callback", "method", req.Method, "path", req.Path)
	return cb(context.WithValue(req.Context(), procKey{}, p), req)
}

type procKey struct{}

// Process returns the worker process running the callback whose context
// ctx is (nil for any other context): a callback calls other processes
// through it, and a killing exit signal then ends such a Call at once.
func Process(ctx context.Context) *actors.Process {
	p, _ := ctx.Value(procKey{}).(*actors.Process)
	return p
}

// errorResponse is the response for a failed callback.
func errorResponse(p *actors.Process, req *Request, err error) *Response {
	status := http.StatusInternalServerError
	text := http.StatusText(status)
	var se *StatusError
	if errors.As(err, &se) {
		status, text = se.Status, se.Text
	}
	p.Logger().Debug("web: callback failed", "method", req.Method, "path", req.Path, "status", status, "err", err)
	return &Response{Status: status, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte(text + "\n")}
}
