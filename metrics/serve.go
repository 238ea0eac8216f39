package metrics

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/erlgo/erlgo/internal/httpguard"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/erlgo/erlgo/node"
)

// ErrNotLoopback is returned by Serve for an address other machines can
// reach when WithAllowRemote was not given.
var ErrNotLoopback = errors.New("metrics: address is not loopback (use WithAllowRemote to serve other hosts)")

// NewRegistry returns a registry holding the Collector of n (with opts)
// and the Go runtime's collectors: go_gc_duration_seconds, go_memstats_*,
// go_goroutines and the other go_ metrics, and the process_ metrics (CPU,
// resident memory, open file descriptors). The Collector is returned so
// that its hooks can be removed with Close.
func NewRegistry(n *node.Node, opts ...Option) (*prometheus.Registry, *Collector) {
	reg := prometheus.NewRegistry()
	c := NewCollector(n, opts...)
	reg.MustRegister(c,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, c
}

// Handler serves g in Prometheus's text exposition format (or OpenMetrics
// or protobuf when the scraper asks for them), as promhttp does.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Server is an HTTP server for a node's metrics, started by Serve.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	coll *Collector
	done chan struct{}
	err  error // Serve's error, valid after done
}

// Serve listens on addr (host:port; port 0 picks one) and serves, in the
// background, the metrics of n (NewRegistry) at /metrics, and with
// WithPprof Go's profiles under /debug/pprof/. It refuses a non-loopback
// address unless WithAllowRemote is given; on a loopback address it
// answers only requests addressed to a loopback host name (as the
// observer does, against DNS rebinding). The server stops when ctx ends,
// when the node stops, or on Close.
func Serve(ctx context.Context, addr string, n *node.Node, opts ...Option) (*Server, error) {
	cfg := newConfig(opts)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	loopback := isLoopback(ln.Addr())
	if !loopback && !cfg.allowRemote {
		_ = ln.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotLoopback, ln.Addr())
	}
	reg, coll := NewRegistry(n, opts...)
	mux := http.NewServeMux()
	mux.Handle("/metrics", Handler(reg))
	if cfg.pprof {
		mux.Handle("/debug/pprof/", PprofHandler())
	}
	var h http.Handler = mux
	if loopback {
		h = httpguard.LoopbackOnly("metrics", h) // against DNS rebinding, as the observer
	}
	s := &Server{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slogErrorLog(cfg.logger),
		},
		ln:   ln,
		coll: coll,
		done: make(chan struct{}),
	}
	go s.serve()
	go func() {
		select {
		case <-ctx.Done():
		case <-n.Done():
		case <-s.done:
			return
		}
		_ = s.Close()
	}()
	return s, nil
}

func (s *Server) serve() {
	err := s.srv.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.err = err
	close(s.done)
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL returns the metrics page's URL, http://Addr/metrics.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/metrics" }

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.done }

// Close stops the server (requests in flight get up to 5 s to finish) and
// removes the collector's hooks from the node. It returns the server's
// error, if it failed other than by being closed.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	s.coll.Close()
	return errors.Join(err, s.err)
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// slogErrorLog routes net/http's server errors (a client that hung up
// mid-response, a malformed request) to l at Debug: routine for a
// metrics endpoint.
func slogErrorLog(l *slog.Logger) *log.Logger {
	return slog.NewLogLogger(l.Handler(), slog.LevelDebug)
}
