package observer

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

//go:embed ui
var uiFS embed.FS

// Option configures Handler.
type Option func(*handlerConfig)

type handlerConfig struct {
	source   Source
	target   etf.Atom
	remote   []RemoteOption
	log      *slog.Logger
	timeout  time.Duration
	readOnly bool
	token    string
}

// WithReadOnly disables kill: POST /api/kill answers 403 and the page
// shows no kill button.
func WithReadOnly() Option { return func(c *handlerConfig) { c.readOnly = true } }

// WithToken makes every request carry token: as "Authorization: Bearer
// <token>", or by opening the page once with ?token=<token>, which sets an
// HttpOnly, SameSite=Strict cookie. Use it whenever the handler is
// reachable from other hosts (`erlgo observer` does for non-loopback
// binds); an empty token changes nothing.
func WithToken(token string) Option { return func(c *handlerConfig) { c.token = token } }

// WithTarget makes the handler describe the node target (reached from the
// handler's node over distribution) instead of the local node; see Remote.
func WithTarget(target etf.Atom, opts ...RemoteOption) Option {
	return func(c *handlerConfig) { c.target, c.remote = target, opts }
}

// WithSource makes the handler serve src; it overrides WithTarget.
func WithSource(src Source) Option { return func(c *handlerConfig) { c.source = src } }

// WithLogger sets the logger for failed requests (default: the node's).
func WithLogger(l *slog.Logger) Option { return func(c *handlerConfig) { c.log = l } }

// WithRequestTimeout bounds the work of one API request (default 10 s).
func WithRequestTimeout(d time.Duration) Option {
	return func(c *handlerConfig) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// Handler serves the observer API and page for n (or for the node chosen
// with WithTarget/WithSource; with WithSource n may be nil). It does not listen by itself: mount it on a
// server bound to 127.0.0.1, as `erlgo observer` does, since it shows
// process names and node topology to whoever can reach it.
func Handler(n *node.Node, opts ...Option) http.Handler {
	c := handlerConfig{timeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	if c.log == nil {
		c.log = slog.Default()
		if n != nil {
			c.log = n.Logger()
		}
	}
	if c.source == nil {
		if c.target != "" {
			c.source = Remote(n, c.target, c.remote...)
		} else {
			c.source = Local(n)
		}
	}
	h := &handler{src: c.source, log: c.log, timeout: c.timeout, readOnly: c.readOnly, hist: &history{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/node", h.node)
	mux.HandleFunc("GET /api/processes", h.processes)
	mux.HandleFunc("GET /api/network", h.network)
	mux.HandleFunc("GET /api/config", h.config)
	mux.HandleFunc("GET /api/history", h.history)
	mux.HandleFunc("GET /api/process", h.process)
	mux.HandleFunc("POST /api/kill", h.kill)
	mux.HandleFunc("GET /api/applications", h.applications)
	mux.HandleFunc("GET /api/connections", h.connections)
	ui, _ := fs.Sub(uiFS, "ui") // cannot fail: ui is embedded
	mux.Handle("GET /", http.FileServerFS(ui))
	if c.token != "" {
		return requireToken(c.token, mux)
	}
	return mux
}

type handler struct {
	src      Source
	log      *slog.Logger
	timeout  time.Duration
	readOnly bool
	hist     *history
}

func (h *handler) node(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, func(ctx context.Context) (any, error) { return h.src.Node(ctx) })
}

func (h *handler) network(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, func(ctx context.Context) (any, error) { return h.src.Network(ctx) })
}

func (h *handler) processes(w http.ResponseWriter, r *http.Request) {
	q := Query{Sort: r.URL.Query().Get("sort"), Filter: r.URL.Query().Get("filter")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "limit must be a positive integer"})
			return
		}
		q.Limit = n
	}
	h.serve(w, r, func(ctx context.Context) (any, error) { return h.src.Processes(ctx, q) })
}

type errorBody struct {
	Error string `json:"error"`
}

// serve runs get within the request timeout and writes its JSON; see
// errorStatus for the failures.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, get func(context.Context) (any, error)) {
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	v, err := get(ctx)
	if err != nil {
		status := errorStatus(err)
		if status == http.StatusBadGateway {
			h.log.Warn("observer request failed", "path", r.URL.Path, "err", err)
		}
		writeJSON(w, status, errorBody{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // pids look like <0.42.0>; the page sets textContent only
	_ = enc.Encode(v)        // an error means the client went away
}
