package soak

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// maxWarnings bounds the warnings kept for the report.
const maxWarnings = 20

// countingHandler passes records to the inner handler and counts (and
// keeps the first few of) those at Warn or above: a connection the node
// closes is logged there, and is the first thing to read after a
// nodedown.
type countingHandler struct {
	inner slog.Handler
	attrs []slog.Attr
	st    *warnState
}

type warnState struct {
	mu    sync.Mutex
	n     int
	lines []string
	muted bool // the run is over: teardown's nodedowns are expected
}

func newCountingHandler(inner slog.Handler) *countingHandler {
	return &countingHandler{inner: inner, st: &warnState{}}
}

func (h *countingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || h.inner.Enabled(ctx, l)
}

func (h *countingHandler) Handle(ctx context.Context, rec slog.Record) error {
	h.st.mu.Lock()
	muted := h.st.muted
	h.st.mu.Unlock()
	if muted {
		return nil
	}
	if rec.Level >= slog.LevelWarn {
		var b strings.Builder
		b.WriteString(rec.Level.String() + " " + rec.Message)
		for _, a := range h.attrs {
			b.WriteString(" " + a.String())
		}
		rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
		h.st.mu.Lock()
		h.st.n++
		if len(h.st.lines) < maxWarnings {
			h.st.lines = append(h.st.lines, b.String())
		}
		h.st.mu.Unlock()
	}
	if !h.inner.Enabled(ctx, rec.Level) {
		return nil
	}
	return h.inner.Handle(ctx, rec)
}

func (h *countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &countingHandler{inner: h.inner.WithAttrs(as), attrs: append(append([]slog.Attr(nil), h.attrs...), as...), st: h.st}
}

func (h *countingHandler) WithGroup(name string) slog.Handler {
	return &countingHandler{inner: h.inner.WithGroup(name), attrs: h.attrs, st: h.st}
}

// mute drops every later record: the run is over and the teardown's
// nodedowns and connection closes are expected.
func (h *countingHandler) mute() {
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	h.st.muted = true
}

func (h *countingHandler) count() int {
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	return h.st.n
}

func (h *countingHandler) first() []string {
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	return append([]string(nil), h.st.lines...)
}
