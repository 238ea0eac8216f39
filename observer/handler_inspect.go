package observer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// errNotInspector is the answer of detail endpoints for a Source that
// does not implement Inspector.
var errNotInspector = errors.New("observer: this source lists processes only")

// errorStatus maps a failure to its HTTP status: the client's (400, 403,
// 404), a missing feature (501), anything else the node's (502: the
// page shows the target as unreachable).
func errorStatus(err error) int {
	switch {
	case errors.Is(err, ErrBadQuery):
		return http.StatusBadRequest
	case errors.Is(err, ErrReadOnly):
		return http.StatusForbidden
	case errors.Is(err, ErrNoProcess):
		return http.StatusNotFound
	case errors.Is(err, errNotInspector):
		return http.StatusNotImplemented
	}
	return http.StatusBadGateway
}

// Config is the answer of /api/config: what the page may offer.
type Config struct {
	ReadOnly bool `json:"read_only"`
	Inspect  bool `json:"inspect"`
}

func (h *handler) config(w http.ResponseWriter, r *http.Request) {
	_, ok := h.src.(Inspector)
	writeJSON(w, http.StatusOK, Config{ReadOnly: h.readOnly, Inspect: ok})
}

func (h *handler) history(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, func(ctx context.Context) (any, error) {
		return h.hist.sample(ctx, h.src, time.Now()), nil
	})
}

// inspect runs f on the Source's Inspector.
func (h *handler) inspect(w http.ResponseWriter, r *http.Request, f func(context.Context, Inspector) (any, error)) {
	h.serve(w, r, func(ctx context.Context) (any, error) {
		in, ok := h.src.(Inspector)
		if !ok {
			return nil, errNotInspector
		}
		return f(ctx, in)
	})
}

func (h *handler) process(w http.ResponseWriter, r *http.Request) {
	pid, force := r.URL.Query().Get("pid"), r.URL.Query().Get("state") == "force"
	h.inspect(w, r, func(ctx context.Context, in Inspector) (any, error) {
		if pid == "" {
			return nil, fmt.Errorf("%w: pid is required", ErrBadQuery)
		}
		return in.Process(ctx, pid, force)
	})
}

func (h *handler) applications(w http.ResponseWriter, r *http.Request) {
	h.inspect(w, r, func(ctx context.Context, in Inspector) (any, error) { return in.Applications(ctx) })
}

func (h *handler) connections(w http.ResponseWriter, r *http.Request) {
	h.inspect(w, r, func(ctx context.Context, in Inspector) (any, error) { return in.Connections(ctx) })
}

// KillRequest is the body of POST /api/kill. Reason defaults to kill.
type KillRequest struct {
	PID    string `json:"pid"`
	Reason string `json:"reason,omitempty"`
}

// kill sends exit(Pid, Reason). It needs the X-Erlgo-Observer header (no
// other site's page can send it) and a JSON body of at most 4 KiB.
func (h *handler) kill(w http.ResponseWriter, r *http.Request) {
	h.inspect(w, r, func(ctx context.Context, in Inspector) (any, error) {
		if h.readOnly {
			return nil, fmt.Errorf("%w: kill is disabled", ErrReadOnly)
		}
		if r.Header.Get(killHeader) == "" {
			return nil, fmt.Errorf("%w: the %s header is required", ErrBadQuery, killHeader)
		}
		var req KillRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			return nil, fmt.Errorf("%w: body: %v", ErrBadQuery, err)
		}
		if req.Reason == "" {
			req.Reason = "kill"
		}
		if !reasonPattern.MatchString(req.Reason) {
			return nil, fmt.Errorf("%w: reason %q is not a plain atom", ErrBadQuery, req.Reason)
		}
		if err := in.Kill(ctx, req.PID, etf.Atom(req.Reason)); err != nil {
			return nil, err
		}
		h.log.Info("observer: exit sent", "pid", req.PID, "reason", req.Reason, "from", r.RemoteAddr)
		return map[string]string{"result": "ok"}, nil
	})
}
